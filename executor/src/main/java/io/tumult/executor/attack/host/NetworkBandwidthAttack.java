package io.tumult.executor.attack.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.executor.kubernetes.NodePods;
import io.tumult.schemas.v1.NetworkBandwidth;
import io.tumult.schemas.v1.Target;

/**
 * Limits a network namespace's throughput with token buckets ({@code tc tbf}). Egress: a tbf root qdisc on each
 * target interface. Ingress: the interface's ingress qdisc redirects every packet ({@code u32}, {@code mirred})
 * to an IFB device created for the run inside the namespace, whose root is a tbf. The qdiscs carry a handle derived
 * from the run ({@code <first 4 hex digits of the run id>:}) and the IFB device the run id's first digits
 * ({@code tmb<10 hex><index>}); reverting deletes the root qdisc only if it still has the run's handle (tc refuses
 * otherwise), the ingress qdisc, and the IFB device.
 * <p>
 * The interface's own root qdisc is replaced while the fault is in place, and the kernel's default comes back after
 * the revert (not a custom one the namespace may have had).
 */
@ApplicationScoped
public class NetworkBandwidthAttack implements OnNetworkTargets<NetworkBandwidth> {

    /** nft for the run's marker ({@link TrafficControlLeftovers}). */
    private static final List<String> TOOLS = List.of("tc", "nft");

    private final ExecutorConfig config;
    private final NetworkTargets targets;

    NetworkBandwidthAttack(ExecutorConfig config) {
        this(config, NodePods.none());
    }

    /** On named namespaces, and on the pods of this node (a node agent). */
    @Inject
    NetworkBandwidthAttack(ExecutorConfig config, NodePods pods) {
        this.config = config;
        this.targets = new NetworkTargets(config, pods);
    }

    @Override
    public Class<NetworkBandwidth> specType() {
        return NetworkBandwidth.class;
    }

    @Override
    public NetworkTargets networkTargets() {
        return targets;
    }

    @Override
    public List<ResolvedTarget> resolve(UUID runId, Target target) {
        return targets.resolve(NetworkBandwidth.KIND, NetworkBandwidth.KIND, TOOLS, runId, target);
    }

    @Override
    public Injection plan(UUID runId, NetworkBandwidth spec, ResolvedTarget target) {
        Netns ns = targets.netns(target);
        List<String> interfaces = ns.targetInterfaces(java.util.Optional.ofNullable(spec.networkInterface()),
                config.commandTimeout());
        if (interfaces.size() > 99) { // two digits in the IFB name
            throw new AttackException(Reason.BLAST_RADIUS, "network namespace " + ns.name() + " has "
                    + interfaces.size() + " interfaces; name one with 'interface'");
        }
        String handle = TrafficControlLeftovers.handleFor(runId);
        var ifbs = new ArrayList<String>();
        var undo = new ArrayList<List<String>>();
        for (int i = 0; i < interfaces.size(); i++) {
            String ifb = TrafficControlLeftovers.ifbFor(runId, i);
            ifbs.add(ifb);
            if (spec.egress()) {
                undo.add(ns.argv("tc", "qdisc", "del", "dev", interfaces.get(i), "root", "handle", handle + ":"));
            }
            if (spec.ingress()) {
                undo.add(ns.argv("tc", "qdisc", "del", "dev", interfaces.get(i), "ingress"));
                undo.add(ns.argv("ip", "link", "del", ifb));
            }
        }
        undo.add(ns.argv(TrafficControlLeftovers.deleteMarker(runId))); // last: the tag outlives every object
        var recorded = ns.handle();
        recorded.putAll(Map.of("interfaces", String.join(",", interfaces), "ifbs", String.join(",", ifbs),
                "qdiscHandle", handle, "mechanism", "tbf+ifb", "marker", "true", "runId", runId.toString()));
        return new Injection(NetworkBandwidth.KIND, target, recorded, undo);
    }

    @Override
    public void apply(NetworkBandwidth spec, Injection injection) {
        targets.recheck(NetworkBandwidth.KIND, TOOLS, injection);
        Netns ns = NftTableAttack.netns(injection);
        String handle = injection.handle().get("qdiscHandle") + ":";
        List<String> interfaces = List.of(injection.handle().get("interfaces").split(","));
        List<String> ifbs = List.of(injection.handle().get("ifbs").split(","));
        long bitsPerSecond = spec.bitsPerSecond();
        // at least two full frames, else about 20 ms worth of the rate: small enough not to blur the limit
        long burstBytes = Math.max(3_200, bitsPerSecond / 8 / 50);
        List<String> tbf = List.of("tbf", "rate", Long.toString(bitsPerSecond) + "bit", "burst",
                Long.toString(burstBytes), "latency", "100ms");
        try {
            if ("true".equals(injection.handle().get("marker"))) { // first: the tag a sweep finds the run's objects by
                run(ns, TrafficControlLeftovers.addMarker(UUID.fromString(injection.handle().get("runId"))));
            }
            for (int i = 0; i < interfaces.size(); i++) {
                String device = interfaces.get(i);
                String ifb = ifbs.get(i);
                if (spec.egress()) {
                    // replace: re-injecting swaps the bucket in place instead of stacking a second one
                    run(ns, concat(List.of("tc", "qdisc", "replace", "dev", device, "root", "handle", handle), tbf));
                }
                if (spec.ingress()) {
                    if (!ns.run(config.commandTimeout(), null, "ip", "link", "show", ifb).stdout().contains(ifb)) {
                        run(ns, List.of("ip", "link", "add", ifb, "type", "ifb"));
                    }
                    run(ns, List.of("ip", "link", "set", ifb, "up"));
                    run(ns, concat(List.of("tc", "qdisc", "replace", "dev", ifb, "root", "handle", handle), tbf));
                    // a fresh ingress qdisc holds exactly one redirect, however often this runs
                    ns.run(config.commandTimeout(), null, "tc", "qdisc", "del", "dev", device, "ingress");
                    run(ns, List.of("tc", "qdisc", "add", "dev", device, "handle", "ffff:", "ingress"));
                    // u32 matching everything: matchall is not built into every kernel (this machine's lacks it)
                    run(ns, List.of("tc", "filter", "add", "dev", device, "parent", "ffff:", "protocol", "all", "prio",
                            "1", "u32", "match", "u32", "0", "0", "action", "mirred", "egress", "redirect", "dev", ifb));
                }
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

    @Override
    public void recover(Injection injection) {
        Netns ns = NftTableAttack.netns(injection);
        if (!ns.exists()) {
            return; // the namespace is gone, and every qdisc and device with it
        }
        TrafficControlLeftovers.undoAllButMarker(injection, config.commandTimeout());
        // checked, not assumed: a revert that did not take must say so
        String handle = TrafficControlLeftovers.asPrinted(injection.handle().get("qdiscHandle"));
        for (String device : injection.handle().get("interfaces").split(",")) {
            String qdiscs = ns.run(config.commandTimeout(), null, "tc", "qdisc", "show", "dev", device).stdout();
            if (qdiscs.contains("tbf " + handle) || qdiscs.contains("qdisc ingress ffff:")) {
                throw new AttackException(Reason.INTERNAL, "the bandwidth limit is still on " + device + " in "
                        + ns.name() + ": " + qdiscs.strip());
            }
        }
        for (String ifb : injection.handle().get("ifbs").split(",")) {
            var link = ns.run(config.commandTimeout(), null, "ip", "link", "show", ifb);
            if (link.exitCode() == 0 && link.stdout().contains(ifb)) {
                throw new AttackException(Reason.INTERNAL, "cannot delete " + ifb + " in " + ns.name());
            }
        }
        TrafficControlLeftovers.dropMarker(injection, config.commandTimeout());
    }

    private void run(Netns ns, List<String> command) {
        var out = ns.run(config.commandTimeout(), null, command.toArray(String[]::new));
        if (out.exitCode() != 0) {
            throw new AttackException(Reason.INTERNAL, String.join(" ", command) + " failed in " + ns.name() + ": "
                    + out.stderr().strip());
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        var all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
