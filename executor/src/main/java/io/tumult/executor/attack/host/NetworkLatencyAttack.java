package io.tumult.executor.attack.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPInputStream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.executor.kubernetes.NodePods;
import io.tumult.schemas.v1.NetworkLatency;
import io.tumult.schemas.v1.Target;

/**
 * Delays the packets a network namespace sends by {@code delay ± jitter}, with one of two mechanisms chosen per node
 * (the kernel is probed where the executor runs) and reported in the injection's handle as {@code mechanism}:
 * <ul>
 * <li>{@code netem}, where the kernel has it: a netem root qdisc on each target interface, with a handle derived from
 * the run; reverting deletes it (tc refuses when the root is no longer the run's).</li>
 * <li>{@code nfqueue} otherwise: an iptables rule per interface in the namespace's {@code OUTPUT} chain, commented
 * {@code tumult_<run>}, sends outgoing packets to an NFQUEUE queue with {@code --queue-bypass}, and
 * {@link HelperBinary tumult-delayq}, started inside the namespace with the run's tag on its command line, holds
 * each packet for its delay and then accepts it. Fail safe: if the helper dies, packets pass undelayed. Reverting
 * deletes the rules, then stops the helper by its tag (it accepts what it still holds).</li>
 * </ul>
 * When neither can work (no netem, and no iptables, compiler or libnetfilter_queue), the run is refused naming what
 * is missing.
 */
@ApplicationScoped
public class NetworkLatencyAttack implements OnNetworkTargets<NetworkLatency> {

    static final String NETEM = "netem";
    static final String NFQUEUE = "nfqueue";

    private final ExecutorConfig config;
    private final NetworkTargets targets;
    private final BooleanSupplier netemAvailable;
    private final HelperBinary helper;
    /** Helpers this JVM started, by tag: waited for on revert so none is left a zombie. */
    private final Map<String, Process> helpers = new ConcurrentHashMap<>();

    /** On named namespaces, and on the pods of this node (a node agent). */
    @Inject
    NetworkLatencyAttack(ExecutorConfig config, NodePods pods) {
        this(config, NetworkLatencyAttack::kernelHasNetem, HelperBinary.delayQueue(), pods);
    }

    NetworkLatencyAttack(ExecutorConfig config) {
        this(config, NetworkLatencyAttack::kernelHasNetem, HelperBinary.delayQueue(), NodePods.none());
    }

    NetworkLatencyAttack(ExecutorConfig config, BooleanSupplier netemAvailable, HelperBinary helper) {
        this(config, netemAvailable, helper, NodePods.none());
    }

    NetworkLatencyAttack(ExecutorConfig config, BooleanSupplier netemAvailable, HelperBinary helper,
            NodePods pods) {
        this.config = config;
        this.netemAvailable = netemAvailable;
        this.helper = helper;
        this.targets = new NetworkTargets(config, pods);
    }

    @Override
    public Class<NetworkLatency> specType() {
        return NetworkLatency.class;
    }

    @Override
    public NetworkTargets networkTargets() {
        return targets;
    }

    @Override
    public List<ResolvedTarget> resolve(UUID runId, Target target) {
        String mechanism = mechanism();
        return targets.resolve(NetworkLatency.KIND, kindFor(mechanism), tools(mechanism), runId, target);
    }

    @Override
    public Injection plan(UUID runId, NetworkLatency spec, ResolvedTarget target) {
        String mechanism = mechanism();
        NetworkNamespaces.checkCanAct(kindFor(mechanism), tools(mechanism));
        Netns ns = targets.netns(target);
        List<String> interfaces = ns.targetInterfaces(Optional.ofNullable(spec.networkInterface()),
                config.commandTimeout());
        String hex = runId.toString().replace("-", "");
        String tag = "tumult_" + hex;
        var undo = new ArrayList<List<String>>();
        var handle = ns.handle();
        handle.putAll(Map.of("interfaces", String.join(",", interfaces), "tag", tag, "mechanism", mechanism));
        if (mechanism.equals(NETEM)) {
            String qdisc = TrafficControlLeftovers.handleFor(runId) + ":";
            handle.put("qdiscHandle", qdisc);
            interfaces.forEach(i -> undo.add(ns.argv("tc", "qdisc", "del", "dev", i, "root", "handle", qdisc)));
        } else {
            Path binary = helper.binary(config.commandTimeout()); // refuses, naming what is missing, if it cannot
            String queue = Integer.toString(1 + Math.floorMod(runId.getLeastSignificantBits(), 65_000));
            handle.put("queue", queue);
            handle.put("helper", binary.toString());
            for (String iptables : iptablesCommands()) {
                for (String device : interfaces) {
                    undo.add(ns.argv(rule(iptables, "-D", device, tag, queue)));
                }
            }
            undo.add(List.of("pkill", "-TERM", "-f", helperPattern(tag)));
        }
        undo.add(ns.argv(TrafficControlLeftovers.deleteMarker(runId))); // last: the tag outlives every object
        handle.putAll(Map.of("marker", "true", "runId", runId.toString()));
        return new Injection(NetworkLatency.KIND, target, handle, undo);
    }

    @Override
    public void apply(NetworkLatency spec, Injection injection) {
        String mechanism = injection.handle().get("mechanism");
        targets.recheck(kindFor(mechanism), tools(mechanism), injection);
        Netns ns = NftTableAttack.netns(injection);
        List<String> interfaces = List.of(injection.handle().get("interfaces").split(","));
        try {
            if ("true".equals(injection.handle().get("marker"))) { // first: the tag a sweep finds the run's objects by
                run(ns, TrafficControlLeftovers.addMarker(UUID.fromString(injection.handle().get("runId"))));
            }
            if (mechanism.equals(NETEM)) {
                String delay = spec.delay().toNanos() / 1000 + "us";
                String jitter = spec.jitterOrZero().toNanos() / 1000 + "us";
                for (String device : interfaces) {
                    run(ns, List.of("tc", "qdisc", "replace", "dev", device, "root", "handle",
                            injection.handle().get("qdiscHandle"), "netem", "delay", delay, jitter));
                }
            } else {
                applyQueue(spec, injection, ns, interfaces);
            }
        } catch (RuntimeException failure) {
            try {
                recover(injection);
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
    }

    private void applyQueue(NetworkLatency spec, Injection injection, Netns ns, List<String> interfaces) {
        String tag = injection.handle().get("tag");
        String queue = injection.handle().get("queue");
        // re-injecting replaces the helper (its delay may have changed); packets pass undelayed meanwhile (bypass)
        stopHelper(tag);
        var command = ns.argv(injection.handle().get("helper"), queue, Long.toString(spec.delay().toNanos() / 1000),
                Long.toString(spec.jitterOrZero().toNanos() / 1000), tag);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AttackException(Reason.INTERNAL, "cannot start " + HelperBinary.DELAYQ + ": " + e.getMessage(), e);
        }
        helpers.put(tag, process);
        var reader = process.inputReader(StandardCharsets.UTF_8);
        var firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = firstLine.get(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AttackException(Reason.INTERNAL, HelperBinary.DELAYQ + " did not bind queue " + queue + " in "
                    + ns.name() + " within " + config.commandTimeout(), e);
        }
        if (!"ready".equals(line)) {
            throw new AttackException(Reason.INTERNAL, HelperBinary.DELAYQ + " could not bind queue " + queue
                    + " in " + ns.name() + ": " + line);
        }
        // keep its output drained so it can never block on a full pipe
        CompletableFuture.runAsync(() -> {
            try {
                reader.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // it ended
            }
        });
        for (String iptables : iptablesCommands()) {
            for (String device : interfaces) {
                // -C first: re-injecting keeps exactly one rule per interface
                if (ns.run(config.commandTimeout(), null, rule(iptables, "-C", device, tag, queue).toArray(String[]::new))
                        .exitCode() != 0) {
                    run(ns, rule(iptables, "-A", device, tag, queue));
                }
            }
        }
    }

    @Override
    public void recover(Injection injection) {
        Netns ns = NftTableAttack.netns(injection);
        String tag = injection.handle().get("tag");
        if (ns.exists()) {
            TrafficControlLeftovers.undoAllButMarker(injection, config.commandTimeout());
        }
        if (NFQUEUE.equals(injection.handle().get("mechanism"))) {
            stopHelper(tag);
        }
        if (!ns.exists()) {
            return;
        }
        // checked, not assumed: a revert that did not take must say so
        if (NFQUEUE.equals(injection.handle().get("mechanism"))) {
            for (String iptables : iptablesCommands()) {
                String rules = ns.run(config.commandTimeout(), null, iptables, "-w", "-S", "OUTPUT").stdout();
                if (rules.contains(tag)) {
                    throw new AttackException(Reason.INTERNAL, "the NFQUEUE rule of " + tag + " is still in "
                            + ns.name() + ": " + rules.strip());
                }
            }
        } else {
            for (String device : injection.handle().get("interfaces").split(",")) {
                String qdiscs = ns.run(config.commandTimeout(), null, "tc", "qdisc", "show", "dev", device).stdout();
                if (qdiscs.contains("netem " + TrafficControlLeftovers.asPrinted(injection.handle().get("qdiscHandle")))) {
                    throw new AttackException(Reason.INTERNAL, "the netem delay is still on " + device + " in "
                            + ns.name());
                }
            }
        }
        TrafficControlLeftovers.dropMarker(injection, config.commandTimeout());
    }

    /** Stops the run's helper (ours or one left by an earlier executor) and waits until it is gone. */
    private void stopHelper(String tag) {
        String pattern = helperPattern(tag);
        HostCommand.run(config.commandTimeout(), null, List.of("pkill", "-TERM", "-f", pattern));
        Process ours = helpers.remove(tag);
        long deadline = System.nanoTime() + config.commandTimeout().toNanos();
        try {
            if (ours != null && !ours.waitFor(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                ours.destroyForcibly();
            }
            while (HostCommand.run(config.commandTimeout(), null, List.of("pgrep", "-f", pattern)).exitCode() == 0) {
                if (System.nanoTime() > deadline) {
                    HostCommand.run(config.commandTimeout(), null, List.of("pkill", "-KILL", "-f", pattern));
                    throw new AttackException(Reason.INTERNAL, HelperBinary.DELAYQ + " " + tag
                            + " did not stop on SIGTERM within " + config.commandTimeout() + "; killed");
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AttackException(Reason.INTERNAL, "interrupted stopping " + HelperBinary.DELAYQ + " " + tag, e);
        }
    }

    /** Matches exactly the run's helper on a command line: its binary name, three numbers, and the run's tag last. */
    static String helperPattern(String tag) {
        return "/" + HelperBinary.DELAYQ + " [0-9]+ [0-9]+ [0-9]+ " + tag + "$";
    }

    private static List<String> rule(String iptables, String action, String device, String tag, String queue) {
        return List.of(iptables, "-w", action, "OUTPUT", "-o", device, "-m", "comment", "--comment", tag, "-j",
                "NFQUEUE", "--queue-num", queue, "--queue-bypass");
    }

    private static List<String> iptablesCommands() {
        return HostCommand.onPath("ip6tables") ? List.of("iptables", "ip6tables") : List.of("iptables");
    }

    private String mechanism() {
        return netemAvailable.getAsBoolean() ? NETEM : NFQUEUE;
    }

    private static String kindFor(String mechanism) {
        return NetworkLatency.KIND + (mechanism.equals(NETEM) ? " (netem)" : " (no netem on this node: NFQUEUE fallback)");
    }

    private static List<String> tools(String mechanism) {
        // nft for the run's marker (TrafficControlLeftovers)
        return mechanism.equals(NETEM) ? List.of("tc", "nft") : List.of("iptables", "pkill", "pgrep", "nft");
    }

    private void run(Netns ns, List<String> command) {
        var out = ns.run(config.commandTimeout(), null, command.toArray(String[]::new));
        if (out.exitCode() != 0) {
            throw new AttackException(Reason.INTERNAL, String.join(" ", command) + " failed in " + ns.name() + ": "
                    + out.stderr().strip());
        }
    }

    /**
     * Whether this node's kernel has netem: loaded ({@code /sys/module/sch_netem}), built in or a module according to
     * {@code /proc/config.gz} (a module only counts when its file is installed), or a module file under
     * {@code /lib/modules/<release>}.
     */
    static boolean kernelHasNetem() {
        if (Files.exists(Path.of("/sys/module/sch_netem"))) {
            return true;
        }
        String release;
        try {
            release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return false;
        }
        boolean moduleFile = hasModuleFile(Path.of("/lib/modules", release));
        Path config = Path.of("/proc/config.gz");
        if (Files.isReadable(config)) {
            try (var in = new GZIPInputStream(Files.newInputStream(config))) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return text.contains("\nCONFIG_NET_SCH_NETEM=y") || (text.contains("\nCONFIG_NET_SCH_NETEM=m") && moduleFile);
            } catch (IOException e) {
                return moduleFile;
            }
        }
        return moduleFile;
    }

    private static boolean hasModuleFile(Path modules) {
        if (!Files.isDirectory(modules)) {
            return false;
        }
        try (var files = Files.walk(modules.resolve("kernel/net/sched"), 1)) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith("sch_netem.ko"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
