package io.tumult.schemas.v1;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Sends a share of the packets leaving the target's network namespace twice (nftables {@code dup} on the
 * interface's egress hook, random per packet).
 *
 * @param percent share of outgoing packets sent twice, 1 to 100
 * @param networkInterface the interface whose outgoing packets are duplicated, {@code interface} on the wire; absent
 *        means every interface of the namespace but {@code lo}
 */
public record NetworkDuplicate(int percent, @JsonProperty("interface") String networkInterface) implements AttackSpec {

    public static final String KIND = "network-duplicate";

    public NetworkDuplicate {
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("percent must be within 1..100: " + percent);
        }
        NetworkAddresses.checkInterface(networkInterface);
    }

    @Override
    public String kind() {
        return KIND;
    }
}
