package io.tumult.schemas.v1;

/**
 * Silently drops everything the target's network namespace sends to a host, to a port, or to a port on a host
 * (nftables, outgoing packets only: nothing reaches the other side, so connections hang rather than fail fast).
 *
 * @param host the address or CIDR blackholed; absent means any destination (then {@code port} is required)
 * @param port the destination port blackholed (TCP, UDP, SCTP); absent means every port (then {@code host} is
 *        required)
 */
public record NetworkBlackhole(String host, Integer port) implements AttackSpec {

    public static final String KIND = "network-blackhole";

    public NetworkBlackhole {
        if (host == null && port == null) {
            throw new IllegalArgumentException("a blackhole needs a host, a port, or both");
        }
        if (host != null) {
            NetworkAddresses.checkCidr("host", host);
        }
        if (port != null) {
            NetworkAddresses.checkPort("port", port);
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
