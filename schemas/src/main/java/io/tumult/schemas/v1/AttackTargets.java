package io.tumult.schemas.v1;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which target kinds each attack kind acts on, so that an experiment pairing them wrongly (a {@code scale-down} of a
 * pod, a {@code node-drain} of a cgroup) is refused when it is submitted, naming both. Executors refuse the same
 * pairs (UNSUPPORTED_KIND) for runs whose experiment was stored before a pair was known.
 */
public final class AttackTargets {

    private static final Set<String> NETWORK = Set.of(NetworkNamespaceTarget.KIND, PodTarget.KIND);

    private static final Map<String, Set<String>> TARGETS = Map.ofEntries(
            Map.entry(NetworkLoss.KIND, NETWORK),
            Map.entry(NetworkPartition.KIND, NETWORK),
            Map.entry(NetworkDuplicate.KIND, Set.of(NetworkNamespaceTarget.KIND)),
            Map.entry(NetworkBandwidth.KIND, NETWORK),
            Map.entry(NetworkLatency.KIND, NETWORK),
            Map.entry(NetworkBlackhole.KIND, Set.of(NetworkNamespaceTarget.KIND)),
            Map.entry(DnsFailure.KIND, Set.of(NetworkNamespaceTarget.KIND)),
            Map.entry(CpuStress.KIND, Set.of(CgroupTarget.KIND)),
            Map.entry(MemoryStress.KIND, Set.of(CgroupTarget.KIND)),
            Map.entry(DiskFill.KIND, Set.of(CgroupTarget.KIND)),
            Map.entry(IoStress.KIND, Set.of(CgroupTarget.KIND)),
            Map.entry(ProcessKill.KIND, Set.of(ProcessTarget.KIND, PodTarget.KIND)),
            Map.entry(PodKill.KIND, Set.of(PodTarget.KIND)),
            Map.entry(ContainerKill.KIND, Set.of(PodTarget.KIND)),
            Map.entry(PodFailure.KIND, Set.of(PodTarget.KIND)),
            Map.entry(NetworkPolicyPartition.KIND, Set.of(PodTarget.KIND)),
            Map.entry(ScaleDown.KIND, Set.of(WorkloadTarget.KIND)),
            Map.entry(NodeDrain.KIND, Set.of(NodeTarget.KIND)));

    private AttackTargets() {
    }

    /** The target kinds {@code attackKind} acts on. */
    public static Set<String> targetsOf(String attackKind) {
        return TARGETS.getOrDefault(attackKind, Set.of());
    }

    /** Why {@code attack} cannot act on {@code target}, or empty when it can. */
    public static Optional<String> misfit(AttackSpec attack, Target target) {
        Set<String> kinds = targetsOf(attack.kind());
        if (attack instanceof ProcessKill kill) {
            boolean selects = kill.name() != null || kill.pattern() != null;
            if (target instanceof PodTarget && !selects) {
                return Optional.of("attack process-kill on a pod target names the processes to signal in its containers"
                        + " (name or pattern)");
            }
            if (target instanceof ProcessTarget && selects) {
                return Optional.of("attack process-kill on a process target takes no name or pattern: the target"
                        + " selects the processes");
            }
        }
        if (kinds.contains(target.kind())) {
            return Optional.empty();
        }
        return Optional.of("attack " + attack.kind() + " acts on " + kinds.stream().sorted().toList()
                + " targets, not on a " + target.kind() + " target");
    }
}
