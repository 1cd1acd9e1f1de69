package io.tumult.executor.attack.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.tumult.executor.attack.Attack;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.schemas.v1.AttackSpec;
import io.tumult.schemas.v1.CgroupTarget;
import io.tumult.schemas.v1.Target;

/**
 * A resource attack: child processes (stress-ng, fallocate) started in a cgroup created for the run inside the target
 * cgroup ({@code <target>/tumult-<runId>}), never inside the executor JVM, so they compete within the target's limits.
 * Reverting kills every task of that cgroup and removes it, then runs the kind's own clean-up (a file removed). A pod
 * target will reuse this by resolving to its pod's cgroup path.
 */
abstract class CgroupStressAttack<S extends AttackSpec> implements Attack<S> {

    static final String CGROUP = "cgroup";
    static final String CGROUP_DIRS = "cgroupDirs";

    protected final ExecutorConfig config;
    private volatile Cgroups cgroups;

    CgroupStressAttack(ExecutorConfig config) {
        this.config = config;
    }

    /** The wire name of the kind, for messages. */
    abstract String kindName();

    /** The cgroup controllers the target must exist in (v1 names). */
    abstract List<String> controllers();

    /** The commands this kind needs on the PATH. */
    abstract List<String> tools();

    /** The command to start in the run's cgroup. */
    abstract List<String> command(S spec, Injection injection);

    /** Whether the command runs until killed (a stressor) rather than to completion (a filler). */
    boolean longRunning() {
        return true;
    }

    /**
     * What this kind adds to the handle, checked before any action (a path allowed, a size computed).
     *
     * @throws AttackException to refuse the run
     */
    Map<String, String> planExtra(UUID runId, S spec, ResolvedTarget target) {
        return Map.of();
    }

    /** Undo commands run after the cgroup is gone (remove a file); each harmless when already done. */
    List<List<String>> undoExtra(Map<String, String> handle) {
        return List.of();
    }

    /** Done before the command starts, after any previous injection of the run is removed (create a directory). */
    void prepare(S spec, Injection injection) {
    }

    /** The host's hierarchies, read on first use (so a host without cgroups still boots, and refuses the kind). */
    protected Cgroups cgroups() {
        if (cgroups == null) {
            cgroups = Cgroups.host();
        }
        return cgroups;
    }

    @Override
    public List<ResolvedTarget> resolve(Target target) {
        if (!(target instanceof CgroupTarget cgroup)) {
            throw new AttackException(Reason.UNSUPPORTED_KIND, kindName() + " acts on cgroup targets, not "
                    + target.kind());
        }
        Cgroups.requireTools(kindName(), tools().toArray(String[]::new));
        Cgroups.requireTools(kindName(), "setsid", "sh");
        return List.of(cgroups().resolve(kindName(), cgroup, controllers(), config.allowedCgroupPrefixes()));
    }

    @Override
    public Injection plan(UUID runId, S spec, ResolvedTarget target) {
        resolve(new CgroupTarget(target.name()));
        RunCgroup cgroup = cgroups().runCgroup(runId, target.name());
        Map<String, String> handle = new HashMap<>(planExtra(runId, spec, target));
        handle.put(CGROUP, cgroup.path());
        handle.put(CGROUP_DIRS, String.join(" ", cgroup.dirs().stream().map(Path::toString).toList()));
        handle.put("runId", runId.toString());
        List<List<String>> undo = new ArrayList<>();
        undo.add(cgroup.undo());
        undo.addAll(undoExtra(handle));
        return new Injection(kindName(), target, handle, undo);
    }

    @Override
    public void apply(S spec, Injection injection) {
        // checked again right before acting: apply may be called without resolve (replay after a restart)
        resolve(new CgroupTarget(injection.target().name()));
        recover(injection); // re-injecting replaces the stressors, never stacks them
        RunCgroup cgroup = runCgroup(injection);
        try {
            prepare(spec, injection);
            cgroup.create();
            started(cgroup, command(spec, injection));
        } catch (RuntimeException failure) {
            try {
                recover(injection);
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
    }

    @Override
    public void recover(Injection injection) {
        runCgroup(injection).remove(config.commandTimeout());
        for (List<String> command : undoExtra(injection.handle())) {
            var out = HostCommand.run(config.commandTimeout(), null, command);
            if (out.exitCode() != 0) {
                throw new AttackException(Reason.INTERNAL, String.join(" ", command) + " failed: " + out.stderr().strip());
            }
        }
    }

    /** The run cgroup named in an injection's handle. */
    static RunCgroup runCgroup(Injection injection) {
        var handle = injection.handle();
        return new RunCgroup(handle.get("runId"), handle.get(CGROUP),
                List.of(handle.get(CGROUP_DIRS).split(" ")).stream().map(Path::of).toList());
    }

    /** Starts {@code command} in the cgroup and waits until it runs there (or, for a filler, until it is done). */
    private void started(RunCgroup cgroup, List<String> command) {
        Path errors;
        try {
            errors = Files.createTempFile("tumult-" + cgroup.runId() + "-", ".err");
        } catch (IOException e) {
            throw new AttackException(Reason.INTERNAL, "cannot create a temporary file: " + e.getMessage(), e);
        }
        try {
            Process process = cgroup.start(command, errors);
            long deadline = System.nanoTime() + config.commandTimeout().toNanos();
            if (!longRunning()) {
                if (!process.waitFor(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AttackException(Reason.INTERNAL, command.get(0) + " did not finish within "
                            + config.commandTimeout());
                }
                if (process.exitValue() != 0) {
                    throw new AttackException(Reason.INTERNAL, command.get(0) + " failed (exit " + process.exitValue()
                            + "): " + Files.readString(errors).strip());
                }
                return;
            }
            // a stressor runs once its parent and at least one worker are in the cgroup
            while (cgroup.pids().size() < 2) {
                if (!process.isAlive()) {
                    throw new AttackException(Reason.INTERNAL, command.get(0) + " exited " + process.exitValue()
                            + " on start: " + Files.readString(errors).strip());
                }
                if (System.nanoTime() > deadline) {
                    throw new AttackException(Reason.INTERNAL, command.get(0) + " did not start its workers within "
                            + config.commandTimeout());
                }
                Thread.sleep(10);
            }
        } catch (IOException e) {
            throw new AttackException(Reason.INTERNAL, "cannot read " + command.get(0) + "'s errors: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AttackException(Reason.INTERNAL, "interrupted starting " + command.get(0), e);
        } finally {
            try {
                Files.deleteIfExists(errors);
            } catch (IOException ignored) {
                // a temporary file left behind is harmless
            }
        }
    }
}
