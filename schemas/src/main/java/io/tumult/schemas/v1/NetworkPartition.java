package io.tumult.schemas.v1;

import java.util.List;

/**
 * Cuts the target off from some networks: every packet between the target's network namespace and the given CIDRs
 * is dropped, in both directions (nftables). With {@code ports}, only packets whose source or destination port is
 * one of them (TCP, UDP, SCTP) are dropped; other traffic to the same networks flows.
 *
 * @param cidrs networks cut off, IPv4 or IPv6 ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, or one address); at least
 *        one
 * @param ports ports cut off (source or destination, either direction); empty or absent means all traffic
 */
public record NetworkPartition(List<String> cidrs, List<Integer> ports) implements AttackSpec {

    public static final String KIND = "network-partition";

    public NetworkPartition {
        if (cidrs == null || cidrs.isEmpty()) {
            throw new IllegalArgumentException("cidrs must name at least one network");
        }
        cidrs.forEach(c -> NetworkAddresses.checkCidr("cidrs", c));
        cidrs = List.copyOf(cidrs);
        ports = ports == null ? List.of() : List.copyOf(ports);
        ports.forEach(p -> NetworkAddresses.checkPort("ports", p));
    }

    @Override
    public String kind() {
        return KIND;
    }
}
