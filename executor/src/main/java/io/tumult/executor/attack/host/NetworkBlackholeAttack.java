package io.tumult.executor.attack.host;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.tumult.executor.config.ExecutorConfig;
import io.tumult.schemas.v1.NetworkBlackhole;

/**
 * Blackholes a host, a port, or a port on a host for a network namespace: an nftables table owned by the run silently
 * drops every packet the namespace sends there (no reject, so the namespace's connections hang as they would on a
 * dead route). Reverting deletes the table.
 */
@ApplicationScoped
public class NetworkBlackholeAttack extends NftTableAttack<NetworkBlackhole> {

    NetworkBlackholeAttack(ExecutorConfig config) {
        super(config);
    }

    @Override
    public Class<NetworkBlackhole> specType() {
        return NetworkBlackhole.class;
    }

    @Override
    String kind() {
        return NetworkBlackhole.KIND;
    }

    @Override
    List<String> chains(NetworkBlackhole spec, List<String> interfaces) {
        var match = new ArrayList<String>();
        if (spec.host() != null) {
            match.add((spec.host().contains(":") ? "ip6" : "ip") + " daddr " + spec.host());
        }
        if (spec.port() != null) {
            match.add("meta l4proto { tcp, udp, sctp } th dport " + spec.port());
        }
        return List.of("chain egress_blackhole { type filter hook output priority -300; policy accept; "
                + String.join(" ", match) + " drop; }");
    }
}
