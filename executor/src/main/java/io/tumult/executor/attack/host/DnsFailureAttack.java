package io.tumult.executor.attack.host;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.tumult.executor.config.ExecutorConfig;
import io.tumult.schemas.v1.DnsFailure;

/**
 * Makes DNS fail for a network namespace: an nftables table owned by the run rejects every query it sends to port 53
 * (UDP with ICMP port unreachable, TCP with a reset), so lookups fail at once rather than after the resolver's
 * timeouts. All names: matching single names inside DNS packets is not reliable, so it is not offered. Reverting
 * deletes the table.
 */
@ApplicationScoped
public class DnsFailureAttack extends NftTableAttack<DnsFailure> {

    DnsFailureAttack(ExecutorConfig config) {
        super(config);
    }

    @Override
    public Class<DnsFailure> specType() {
        return DnsFailure.class;
    }

    @Override
    String kind() {
        return DnsFailure.KIND;
    }

    @Override
    List<String> chains(DnsFailure spec, List<String> interfaces) {
        return List.of("chain egress_dns { type filter hook output priority -300; policy accept; "
                + "udp dport 53 reject; tcp dport 53 reject with tcp reset; }");
    }
}
