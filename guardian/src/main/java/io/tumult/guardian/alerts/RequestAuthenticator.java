package io.tumult.guardian.alerts;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.tumult.guardian.alerts.AlertsConfig.Receiver;

/**
 * Checks one receiver's requests: a bearer token, basic credentials, or an HMAC signature over timestamp and body
 * within a replay window, each signature accepted once. Secrets are compared in constant time. Thread-safe.
 */
final class RequestAuthenticator {

    private final String receiver;
    private final Receiver config;
    /** Signatures accepted within the replay window, oldest first, with when they stop mattering. */
    private final LinkedHashMap<String, Instant> seenSignatures = new LinkedHashMap<>();

    RequestAuthenticator(String receiver, Receiver config) {
        this.receiver = receiver;
        this.config = config;
        String missing = switch (config.auth()) {
            case BEARER -> config.token().isEmpty() ? "token" : null;
            case BASIC -> config.username().isEmpty() || config.password().isEmpty() ? "username and password" : null;
            case HMAC -> config.hmacSecret().isEmpty() ? "hmac-secret" : null;
            case NONE -> null;
        };
        if (missing != null) {
            throw new IllegalStateException("tumult.guardian.alerts.receivers." + receiver + ": auth="
                    + config.auth().name().toLowerCase() + " needs " + missing);
        }
    }

    /** Why the request is refused, or empty when it is authentic. {@code header} reads a request header by name. */
    Optional<String> refusal(Function<String, String> header, byte[] body, Instant now) {
        return switch (config.auth()) {
            case NONE -> Optional.empty();
            case BEARER -> matches(header.apply("Authorization"), "Bearer " + config.token().orElseThrow())
                    ? Optional.empty()
                    : Optional.of("missing or wrong bearer token");
            case BASIC -> matches(header.apply("Authorization"), "Basic " + Base64.getEncoder().encodeToString(
                    (config.username().orElseThrow() + ":" + config.password().orElseThrow())
                            .getBytes(StandardCharsets.UTF_8)))
                                    ? Optional.empty()
                                    : Optional.of("missing or wrong basic credentials");
            case HMAC -> hmacRefusal(header.apply(config.hmacHeader()), header.apply(config.hmacTimestampHeader()), body,
                    now);
        };
    }

    private Optional<String> hmacRefusal(String signature, String timestamp, byte[] body, Instant now) {
        if (signature == null || signature.isBlank()) {
            return Optional.of("unsigned: no " + config.hmacHeader() + " header");
        }
        if (timestamp == null || !timestamp.strip().matches("\\d{1,12}")) {
            return Optional.of("no Unix-seconds timestamp in " + config.hmacTimestampHeader());
        }
        Instant signedAt = Instant.ofEpochSecond(Long.parseLong(timestamp.strip()));
        Duration window = config.replayWindow();
        if (Duration.between(signedAt, now).abs().compareTo(window) > 0) {
            return Optional.of("stale: signed at " + signedAt + ", outside the " + window.toSeconds()
                    + " s replay window");
        }
        String expected = hmacHex(timestamp.strip() + ":", body);
        String given = signature.strip().toLowerCase();
        if (given.startsWith("sha256=")) {
            given = given.substring("sha256=".length());
        }
        if (!matches(given, expected)) {
            return Optional.of("signature does not match the body");
        }
        synchronized (seenSignatures) {
            for (Iterator<Map.Entry<String, Instant>> it = seenSignatures.entrySet().iterator(); it.hasNext();) {
                if (it.next().getValue().isBefore(now)) {
                    it.remove();
                } else {
                    break; // insertion order is expiry order, give or take the clock of the signer
                }
            }
            if (seenSignatures.putIfAbsent(expected, signedAt.plus(window)) != null) {
                return Optional.of("replayed: this signature was already accepted");
            }
        }
        return Optional.empty();
    }

    private String hmacHex(String prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(config.hmacSecret().orElseThrow().getBytes(StandardCharsets.UTF_8),
                    "HmacSHA256"));
            mac.update(prefix.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static boolean matches(String given, String expected) {
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return receiver + " (" + config.auth() + ")";
    }
}
