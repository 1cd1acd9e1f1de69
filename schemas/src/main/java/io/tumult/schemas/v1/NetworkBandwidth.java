package io.tumult.schemas.v1;

import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Limits the target's throughput with a token bucket ({@code tc tbf}): on its interface's egress, and on its ingress
 * through an IFB device that the attack creates inside the target's network namespace.
 *
 * @param rate the limit, a positive integer and one of {@code kbit}, {@code mbit}, {@code gbit} ({@code 8mbit})
 * @param direction which traffic is limited: {@code egress}, {@code ingress} or {@code both} (the default)
 * @param networkInterface the interface shaped, {@code interface} on the wire; absent means every interface of the
 *        namespace but {@code lo}
 */
public record NetworkBandwidth(String rate, String direction, @JsonProperty("interface") String networkInterface)
        implements
            AttackSpec {

    public static final String KIND = "network-bandwidth";
    /** The rate's wire form, as in the JSON Schema. */
    public static final Pattern RATE = Pattern.compile("^([1-9][0-9]{0,8})(kbit|mbit|gbit)$");

    public NetworkBandwidth {
        if (rate == null || !RATE.matcher(rate).matches()) {
            throw new IllegalArgumentException("rate must be a positive integer and kbit, mbit or gbit: " + rate);
        }
        direction = direction == null ? "both" : direction;
        if (!direction.equals("egress") && !direction.equals("ingress") && !direction.equals("both")) {
            throw new IllegalArgumentException("direction must be egress, ingress or both: " + direction);
        }
        NetworkAddresses.checkInterface(networkInterface);
    }

    /** The rate in bits per second. */
    public long bitsPerSecond() {
        var m = RATE.matcher(rate);
        m.matches();
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "kbit" -> n * 1_000L;
            case "mbit" -> n * 1_000_000L;
            default -> n * 1_000_000_000L;
        };
    }

    /** Whether outgoing traffic is limited. */
    public boolean egress() {
        return !direction.equals("ingress");
    }

    /** Whether incoming traffic is limited. */
    public boolean ingress() {
        return !direction.equals("egress");
    }

    @Override
    public String kind() {
        return KIND;
    }
}
