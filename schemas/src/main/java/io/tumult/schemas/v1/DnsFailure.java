package io.tumult.schemas.v1;

/**
 * Makes every DNS lookup from the target's network namespace fail: its queries to port 53 (UDP and TCP) are
 * rejected (nftables), so resolvers report an error at once instead of waiting out their timeouts. All domains:
 * matching single names inside DNS packets is not reliable (compression, case, DNS over TCP), so it is not offered.
 */
public record DnsFailure() implements AttackSpec {

    public static final String KIND = "dns-failure";

    @Override
    public String kind() {
        return KIND;
    }
}
