package io.tumult.executor.attack.host;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.tumult.executor.config.ExecutorConfig;
import io.tumult.schemas.v1.NetworkLoss;

/**
 * Drops a share of the packets entering and leaving a network namespace with an nftables table owned by the run
 * ({@code inet tumult_<run>}), at a priority ahead of the namespace's own filters. Reverting deletes the table,
 * so nothing of the namespace's own rules is ever changed. Not every kernel has netem (this build machine's has not);
 * nftables with {@code numgen} is everywhere nftables is.
 * <p>
 * {@code percent} is per packet and per direction: each packet entering or leaving is dropped with that probability,
 * so a request/response round trip (a ping) is lost with {@code 1 - (1 - p)^2}; 100 % is a full partition.
 */
@ApplicationScoped
public class NetworkLossAttack extends NftTableAttack<NetworkLoss> {

    static final String FAMILY = "inet";

    NetworkLossAttack(ExecutorConfig config) {
        super(config);
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
}
