package io.tumult.schemas.v1;

/**
 * Drops a share of the packets entering and leaving the target's network namespace (nftables, random per
 * packet). {@code percent = 100} is a full partition.
 *
 * @param percent share of packets dropped, 1 to 100
 */
public record NetworkLoss(int percent) implements AttackSpec {

    public static final String KIND = "network-loss";

    public NetworkLoss {
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("percent must be within 1..100: " + percent);
        }
    }

    @Override
    public String kind() {
        return KIND;
    }
}
