package io.tumult.scheduler;

import static io.tumult.scheduler.Api.anonymous;
import static io.tumult.scheduler.Api.as;
import static io.tumult.scheduler.Api.asViewer;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;

import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.tumult.local.LocalTokens;
import io.tumult.local.TumultStackResource;
import io.tumult.scheduler.api.Roles;

/**
 * Every write endpoint refuses a caller without a valid token (401) and one without the role (403); reads need a
 * viewer; the API description and health need nothing.
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "true"))
@WithTestResource(Api.Issuer.class)
class AuthTest {

    /** Every write endpoint: method, path, and a role that may NOT call it (403). */
    static Stream<Arguments> writes() {
        String run = UUID.randomUUID().toString();
        return Stream.of(
                Arguments.of("POST", "/experiments", Roles.VIEWER),
                Arguments.of("PUT", "/experiments/auth-x", Roles.VIEWER),
                Arguments.of("DELETE", "/experiments/auth-x", Roles.VIEWER),
                Arguments.of("POST", "/experiments/auth-x/runs", Roles.VIEWER),
                Arguments.of("POST", "/experiments/auth-x/dry-run", Roles.VIEWER),
                Arguments.of("POST", "/runs/" + run + "/abort", Roles.VIEWER),
                Arguments.of("POST", "/halt", Roles.VIEWER),
                Arguments.of("POST", "/halt/release", Roles.OPERATOR));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("writes")
    void shouldAnswer401WithoutAToken(String method, String path, String forbiddenRole) {
        send(anonymous(), method, path).then().statusCode(401);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("writes")
    void shouldAnswer401ForAForgedOrExpiredToken(String method, String path, String forbiddenRole) throws Exception {
        // a token signed by another key, with every role
        String forged = LocalTokens.create(java.nio.file.Files.createTempDirectory("tumult-test-forger"))
                .mint("mallory", Roles.ADMIN, Roles.OPERATOR);
        send(anonymous().auth().oauth2(forged), method, path).then().statusCode(401);
        send(anonymous().auth().oauth2(Api.tokens().mint("late", java.time.Duration.ofSeconds(-600), Roles.ADMIN)),
                method, path).then().statusCode(401);
    }

    @ParameterizedTest(name = "{0} {1} as {2}")
    @MethodSource("writes")
    void shouldAnswer403ForTheWrongRole(String method, String path, String forbiddenRole) {
        send(as("someone", forbiddenRole), method, path).then().statusCode(403);
        send(as("nobody"), method, path).then().statusCode(403);
    }

    @Test
    void shouldLetAViewerReadButNotAnonymousCallers() {
        anonymous().get("/experiments").then().statusCode(401);
        anonymous().get("/runs/" + UUID.randomUUID()).then().statusCode(401);
        anonymous().get("/runs").then().statusCode(401);
        anonymous().get("/halt").then().statusCode(401);
        asViewer().get("/runs").then().statusCode(200);
        asViewer().get("/halt").then().statusCode(200);
        asViewer().get("/experiments").then().statusCode(200);
    }

    @Test
    void shouldServeTheApiDescriptionAndHealthWithoutAToken() {
        anonymous().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths", hasKey("/experiments"))
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"));
        anonymous().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        anonymous().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    private static io.restassured.response.Response send(RequestSpecification request, String method, String path) {
        return request.contentType("application/json").body("{}").request(method, path);
    }
}
