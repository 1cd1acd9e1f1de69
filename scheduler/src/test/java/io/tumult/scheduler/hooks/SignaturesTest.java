package io.tumult.scheduler.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class SignaturesTest {

    @Test
    void shouldMatchGitHubsDocumentedTestVector() {
        // When
        String hex = Signatures.hmacSha256Hex("It's a Secret to Everybody", "Hello, World!".getBytes(StandardCharsets.UTF_8));

        // Then
        assertThat(hex).isEqualTo("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
        assertThat(Signatures.same("sha256=" + hex, "sha256=" + hex)).isTrue();
        assertThat(Signatures.same("sha256=" + hex, "sha256=" + hex.replace('7', '8'))).isFalse();
        assertThat(Signatures.same("sha256=" + hex, null)).isFalse();
    }
}
