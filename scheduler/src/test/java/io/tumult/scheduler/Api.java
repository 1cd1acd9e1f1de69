package io.tumult.scheduler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import io.tumult.local.LocalTokens;
import io.tumult.scheduler.api.Roles;

/**
 * Calls to the scheduler's API with real bearer tokens, signed by a key pair made for this test JVM
 * ({@link LocalTokens}, kept in {@code target/test-tokens}); {@link Issuer} tells the scheduler under test to trust it.
 */
public final class Api {

    private static LocalTokens tokens;

    private Api() {
    }

    static synchronized LocalTokens tokens() {
        if (tokens == null) {
            try {
                // a fixed place: the test resource and the tests may be loaded by different class loaders
                tokens = LocalTokens.openOrCreate(Path.of("target", "test-tokens"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tokens;
    }

    /** A request as {@code user} holding {@code roles}. */
    public static RequestSpecification as(String user, String... roles) {
        return RestAssured.given().auth().oauth2(tokens().mint(user, roles));
    }

    /** A request as an operator (alice). */
    public static RequestSpecification asOperator() {
        return as("alice", Roles.OPERATOR);
    }

    public static RequestSpecification asViewer() {
        return as("vera", Roles.VIEWER);
    }

    public static RequestSpecification asAdmin() {
        return as("ada", Roles.ADMIN);
    }

    /** A request without credentials. */
    public static RequestSpecification anonymous() {
        return RestAssured.given();
    }

    /** The Quarkus test resource that points the scheduler at the test issuer's public key. */
    public static class Issuer implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            return tokens().schedulerConfig();
        }

        @Override
        public void stop() {
        }
    }
}
