package io.tumult.executor.attack.host;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.LeftoverSweeper;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.executor.kubernetes.NodePods;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;

/**
 * Drops a share of the packets entering and leaving a network namespace with an nftables table owned by the run
 * ({@code inet tumult_<run>}), at a priority ahead of the namespace's own filters. Reverting deletes the table,
 * so nothing of the namespace's own rules is ever changed. Not every kernel has netem (this build machine's has not);
 * nftables with {@code numgen} is everywhere nftables is.
 * <p>
 * {@code percent} is per packet and per direction: each packet entering or leaving is dropped with that probability,
 * so a request/response round trip (a ping) is lost with {@code 1 - (1 - p)^2}; 100 % is a full partition.
 * <p>
 * Also the start-up sweeper of every nftables attack's tables: they all are {@code tumult_<run>} tables.
 */
@ApplicationScoped
public class NetworkLossAttack extends NftTableAttack<NetworkLoss> implements LeftoverSweeper {

    static final String FAMILY = "inet";

    /** Public for tools and benchmarks that drive an attack without CDI. */
    public NetworkLossAttack(ExecutorConfig config) {
        super(config);
    }

    /** On named namespaces, and on the pods of this node (a node agent). */
    @Inject
    public NetworkLossAttack(ExecutorConfig config, NodePods pods) {
        super(config, pods);
    }

    @Override
    public Class<NetworkLoss> specType() {
        return NetworkLoss.class;
    }

    @Override
    String kind() {
        return NetworkLoss.KIND;
    }

    @Override
    List<String> chains(NetworkLoss spec, List<String> interfaces) {
        String verdict = spec.percent() >= 100 ? "drop" : "numgen random mod 100 < " + spec.percent() + " drop";
        return List.of(
                "chain ingress_loss { type filter hook input priority -300; policy accept; " + verdict + "; }",
                "chain egress_loss { type filter hook output priority -300; policy accept; " + verdict + "; }");
    }

    /**
     * Deletes the nftables tables of runs not active here ({@code tumult_<run>}, any family: every nftables attack
     * names its table so), and the traffic-control objects of the runs whose marker table that is
     * ({@link TrafficControlLeftovers}), in every named namespace within the allowed prefixes. Without
     * {@code allowed-namespace-prefixes} it sweeps nothing: an unconfined executor cannot tell its namespaces from
     * those of other Tumult users of the host (the journal still covers its own).
     */
    @Override
    public List<Swept> sweep(Predicate<UUID> active) {
        Nftables.shared().warmUp(); // at start-up, before any run-start: the first run does not wait for the helper
        if (config.allowedNamespacePrefixes().isEmpty()) {
            return List.of();
        }
        var swept = new ArrayList<Swept>();
        String[] names = NetworkNamespaces.NETNS_DIR.toFile().list();
        for (String namespace : names == null ? new String[0] : names) {
            try {
                NetworkNamespaces.resolve(kind(), List.of("nft"), new NetworkNamespaceTarget(namespace),
                        config.allowedNamespacePrefixes());
            } catch (AttackException e) {
                continue; // outside the prefixes, or the host's own: never ours to touch
            }
            Netns ns = Netns.named(namespace);
            // first the traffic-control objects of runs whose marker table is here, then the tables (markers too)
            swept.addAll(TrafficControlLeftovers.sweep(ns, namespace, active, config.commandTimeout()));
            swept.addAll(sweepTables(ns, namespace, active, config.commandTimeout()));
        }
        return swept;
    }
}
