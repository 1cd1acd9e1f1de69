package io.tumult.schemas.v1;

import java.time.Duration;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Delays the packets leaving the target's network namespace by {@code delay ± jitter} (uniformly spread). Uses
 * netem where the node's kernel has it; elsewhere a userspace queue (iptables NFQUEUE) that holds each packet.
 *
 * @param delay added to every outgoing packet, at least 1 ms
 * @param jitter each packet's delay varies by up to this much either way; absent means none; at most {@code delay}
 * @param networkInterface the interface whose outgoing packets are delayed, {@code interface} on the wire; absent
 *        means every interface of the namespace but {@code lo}
 */
public record NetworkLatency(Duration delay, Duration jitter, @JsonProperty("interface") String networkInterface)
        implements
            AttackSpec {

    public static final String KIND = "network-latency";

    public NetworkLatency {
        Objects.requireNonNull(delay, "delay");
        if (delay.toMillis() < 1 || delay.toMinutes() >= 1) {
            throw new IllegalArgumentException("delay must be within 1ms..59s: " + delay);
        }
        if (jitter != null && (jitter.isNegative() || jitter.compareTo(delay) > 0)) {
            throw new IllegalArgumentException("jitter must be within 0..delay (" + delay + "): " + jitter);
        }
        NetworkAddresses.checkInterface(networkInterface);
    }

    /** The jitter, zero when absent. */
    public Duration jitterOrZero() {
        return jitter == null ? Duration.ZERO : jitter;
    }

    @Override
    public String kind() {
        return KIND;
    }
}
