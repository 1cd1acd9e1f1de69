package io.tumult.executor.attack.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.tumult.executor.attack.Attack;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.executor.kubernetes.NodePods;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.ProcessKill;
import io.tumult.schemas.v1.ProcessTarget;
import io.tumult.schemas.v1.Target;

/**
 * {@code process-kill}: signals the processes a {@link ProcessTarget} selects (by name, command line or pid, in the
 * target's PID namespace, found through the host's {@code /proc}), once at injection and, with an interval, again
 * every interval until reverted, choosing afresh each time so a restarted process dies again (seed 003's process
 * killer). On a pod target (a node agent, for the picked pods on its node) it signals the processes the spec's
 * {@code name} or {@code pattern} selects in the PID namespace of each of the pod's containers, as they were at
 * injection, and at every interval in the containers running then (a restarted container is a new namespace, which
 * the killer follows, except for {@code STOP}, whose revert continues the namespaces journaled); a pod sharing the
 * host's PID namespace is refused. Every choice is checked again: PID 1, the executor and its family, and anything
 * outside the allowed patterns are never signalled, and a run whose selection includes one is refused before any
 * signal.
 * <p>
 * The killer is a timer in the executor, not a child process: it stops with the executor, so nothing of it can
 * outlive a crash. What a signal does stays done, except a {@code STOP}: its revert (and its undo command, for a guard)
 * sends {@code CONT} to the same selection. For the other signals the undo command is {@code true}: there is nothing
 * outside the executor to revert.
 */
@Singleton
public class ProcessKillAttack implements Attack<ProcessKill> {

    private static final Logger LOG = Logger.getLogger(ProcessKillAttack.class);

    private final ExecutorConfig config;
    private final NodePods pods;
    private final Map<String, ScheduledFuture<?>> killers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tumult-process-killer");
        t.setDaemon(true);
        return t;
    });

    ProcessKillAttack(ExecutorConfig config) {
        this(config, NodePods.none());
    }

    /** On process targets, and on the pods of this node (a node agent): processes in their containers. */
    @Inject
    public ProcessKillAttack(ExecutorConfig config, NodePods pods) {
        this.config = config;
        this.pods = pods;
    }

    @Override
    public Class<ProcessKill> specType() {
        return ProcessKill.class;
    }

    @Override
    public List<ResolvedTarget> resolve(Target target) {
        return resolve(new UUID(0, 0), target);
    }

    @Override
    public List<ResolvedTarget> resolve(UUID runId, Target target) {
        if (target instanceof PodTarget pod) {
            return pods.resolve(ProcessKill.KIND, runId, pod, () -> Cgroups.requireTools(ProcessKill.KIND, "kill",
                    "pkill"));
        }
        if (!(target instanceof ProcessTarget process)) {
            throw new AttackException(Reason.UNSUPPORTED_KIND, "process-kill acts on process and pod targets, not "
                    + target.kind());
        }
        Cgroups.requireTools(ProcessKill.KIND, "kill", "pkill");
        check(process);
        return List.of(new ResolvedTarget(ProcessTarget.KIND, Processes.describe(process)));
    }

    @Override
    public int candidates(UUID runId, Target target, List<ResolvedTarget> resolved) {
        return target instanceof PodTarget ? pods.candidates(runId, resolved) : resolved.size();
    }

    @Override
    public boolean actsHere(ResolvedTarget target) {
        return !PodTarget.KIND.equals(target.kind()) || pods.actsHere(target);
    }

    /** Refuses a selection holding a process never to signal, or none at all. */
    private void check(ProcessTarget process) {
        var selection = Processes.select(process, config.allowedProcessPatterns());
        refuseNeverSignalled(Processes.describe(process), selection);
        if (selection.allowed().isEmpty()) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "no process matches " + Processes.describe(process));
        }
    }

    private static void refuseNeverSignalled(String what, Processes.Selection selection) {
        if (!selection.refused().isEmpty()) {
            throw new AttackException(Reason.PERMISSION_DENIED, "process-kill refuses " + what + ": "
                    + String.join("; ", selection.refused()));
        }
    }

    /**
     * What an injection signals, in one PID namespace: {@code namespace} ({@code pid:[<inode>]}, a pod container's,
     * fixed when planned so no reused pid can move it), or null for a process target's own (its pidNamespace's).
     */
    private record Selection(String namespace, ProcessTarget target) {

        /** One line of the handle's {@code selections}. */
        String describe() {
            return (namespace == null ? "" : namespace) + "\t" + Processes.describe(target);
        }

        static Selection parse(String line) {
            int tab = line.indexOf('\t');
            return new Selection(tab <= 0 ? null : line.substring(0, tab), Processes.parse(line.substring(tab + 1)));
        }

        Processes.Selection select(java.util.Optional<List<String>> allowed) {
            return namespace == null ? Processes.select(target, allowed)
                    : Processes.select(namespace, target, allowed);
        }
    }

    /**
     * The process target's selection; for a pod, the spec's name or pattern in the PID namespace of each of its
     * containers here (one selection per namespace: containers may share one). A pod sharing the host's PID namespace
     * ({@code hostPID}) is refused: its selection would reach every process of the node.
     */
    private List<Selection> selections(ProcessKill spec, ResolvedTarget target) {
        if (!PodTarget.KIND.equals(target.kind())) {
            return List.of(new Selection(null, Processes.parse(target.name())));
        }
        String host = Processes.hostNamespace();
        var byNamespace = new java.util.LinkedHashMap<String, Selection>();
        for (var container : pods.containers(target, null).entrySet()) {
            String namespace = Processes.namespaceOf(container.getValue());
            if (namespace.equals(host)) {
                throw new AttackException(Reason.PERMISSION_DENIED, "process-kill refuses pod " + target.name()
                        + ": its container " + container.getKey() + " shares the host's PID namespace (hostPID)");
            }
            byNamespace.putIfAbsent(namespace,
                    new Selection(namespace, new ProcessTarget(spec.name(), spec.pattern(), null, null)));
        }
        return List.copyOf(byNamespace.values());
    }

    private static List<Selection> selectionsOf(Injection injection) {
        String selections = injection.handle().get("selections");
        return selections == null // journaled before pods
                ? List.of(new Selection(null, Processes.parse(injection.target().name())))
                : selections.lines().map(Selection::parse).toList();
    }

    @Override
    public Injection plan(UUID runId, ProcessKill spec, ResolvedTarget target) {
        List<Selection> selections = selections(spec, target);
        List<List<String>> undo = spec.signal().equals("STOP")
                ? selections.stream().map(ProcessKillAttack::continueCommand).toList()
                : List.of(List.of("true"));
        return new Injection(ProcessKill.KIND, target, Map.of("runId", runId.toString(), "signal", spec.signal(),
                "selections", String.join("\n", selections.stream().map(Selection::describe).toList())), undo);
    }

    @Override
    public void apply(ProcessKill spec, Injection injection) {
        List<Selection> selections = selectionsOf(injection);
        // checked again right before acting: none never to signal, and at least one process in one of them
        int matching = 0;
        for (Selection selection : selections) {
            var chosen = selection.select(config.allowedProcessPatterns());
            refuseNeverSignalled(injection.target().name(), chosen);
            matching += chosen.allowed().size();
        }
        if (matching == 0) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "no process matches " + injection.target().name()
                    + " (" + String.join("; ", selections.stream().map(Selection::describe).toList()) + ")");
        }
        String runId = injection.handle().get("runId");
        stopKiller(runId); // re-injecting replaces the killer, never adds a second
        int signalled = selections.stream().mapToInt(p -> signal(p, spec.signal())).sum();
        if (signalled == 0) {
            throw new AttackException(Reason.INTERNAL, "no process matching " + injection.target().name()
                    + " could be signalled");
        }
        if (spec.interval() != null) {
            long every = spec.interval().toMillis();
            killers.put(runId, timer.scheduleWithFixedDelay(() -> {
                try {
                    selectionsNow(spec, injection, selections).forEach(p -> signal(p, spec.signal()));
                } catch (RuntimeException e) {
                    LOG.warnf("process-kill of run %s: %s", runId, e.getMessage());
                }
            }, every, every, TimeUnit.MILLISECONDS));
        }
    }

    /**
     * What the killer signals at a later interval. A pod's containers are looked up again, so a container restarted
     * since (a new PID namespace) is followed, as seed 003's killer follows a restarted process; but not for STOP:
     * the revert, and a guard when the executor is gone, continue only the namespaces journaled at injection, so STOP
     * goes only to those of them the pod still runs. A dead container's namespace inode is reused at once by the next
     * namespace made on the node, another pod's maybe, so a journaled one is never trusted alone; and when the pod's
     * containers cannot be looked up (gone, between restarts, the API away), or one now shares the host's PID
     * namespace, nothing is signalled at that interval.
     */
    private List<Selection> selectionsNow(ProcessKill spec, Injection injection, List<Selection> journaled) {
        if (!PodTarget.KIND.equals(injection.target().kind())) {
            return journaled;
        }
        try {
            List<Selection> now = selections(spec, injection.target());
            if (spec.signal().equals("STOP")) {
                var running = now.stream().map(Selection::namespace).collect(java.util.stream.Collectors.toSet());
                return journaled.stream().filter(j -> running.contains(j.namespace())).toList();
            }
            return now;
        } catch (AttackException e) {
            LOG.debugf("process-kill on pod %s signals nothing this time: %s", injection.target().name(),
                    e.getMessage());
            return List.of();
        }
    }

    @Override
    public void recover(Injection injection) {
        stopKiller(injection.handle().get("runId"));
        if ("STOP".equals(injection.handle().get("signal"))) {
            var failures = new ArrayList<String>();
            for (Selection selection : selectionsOf(injection)) { // each one, whatever the others do
                try {
                    signal(selection, "CONT");
                } catch (RuntimeException e) {
                    failures.add(selection.describe() + ": " + e.getMessage());
                }
            }
            if (!failures.isEmpty()) {
                throw new AttackException(Reason.INTERNAL, "cannot continue " + String.join("; ", failures));
            }
        }
    }

    @PreDestroy
    void close() {
        timer.shutdownNow();
    }

    private void stopKiller(String runId) {
        var killer = killers.remove(runId);
        if (killer != null) {
            killer.cancel(false);
        }
    }

    /** Signals every allowed process the selection holds now; returns how many were signalled. */
    private int signal(Selection selection, String signal) {
        var pids = selection.select(config.allowedProcessPatterns()).allowed().stream()
                .map(p -> Long.toString(p.pid())).toList();
        if (pids.isEmpty()) {
            return 0;
        }
        var command = new ArrayList<>(List.of("kill", "-s", signal));
        command.addAll(pids);
        var out = HostCommand.run(config.commandTimeout(), null, command);
        // kill exits non-zero when one of them exited meanwhile; the others were signalled
        return out.exitCode() == 0 ? pids.size() : pids.size() - (int) out.stderr().lines().count();
    }

    /**
     * {@code pkill -CONT} over the same selection, for a guard to run without the executor. CONT is harmless to a
     * process that is not stopped, so this needs none of the executor's checks.
     */
    private static List<String> continueCommand(Selection selection) {
        if (selection.namespace() != null) { // every process of a pod container's namespace: CONT is harmless
            return List.of("sh", "-c", "for d in /proc/[0-9]*; do [ \"$(readlink $d/ns/pid)\" = \"$1\" ] &&"
                    + " kill -s CONT ${d#/proc/}; done; true", "tumult-undo", selection.namespace());
        }
        ProcessTarget process = selection.target();
        var command = new ArrayList<>(List.of("pkill", "-CONT"));
        if (process.pidNamespace() != null) {
            command.addAll(List.of("--ns", Integer.toString(process.pidNamespace()), "--nslist", "pid"));
        } // else every namespace: PID 1's may be unreadable (then --ns 1 matches nothing), and CONT is harmless
        if (process.name() != null) {
            command.addAll(List.of("-x", "--", process.name()));
        } else if (process.pattern() != null) {
            command.addAll(List.of("-f", "--", process.pattern()));
        } else {
            // pkill selects by name; a pid is signalled as such (as seen from the host when no namespace is given)
            return List.of("sh", "-c", "for d in /proc/[0-9]*; do [ \"$(readlink $d/ns/pid)\" = \"$1\" ] && "
                    + "[ \"$(awk '/^NSpid:/{print $NF}' $d/status)\" = \"$2\" ] && kill -s CONT ${d#/proc/}; done; true",
                    "tumult-undo", Processes.namespaceOf(process), Integer.toString(process.pid()));
        }
        return command;
    }
}
