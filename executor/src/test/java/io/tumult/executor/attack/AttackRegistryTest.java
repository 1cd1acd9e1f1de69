package io.tumult.executor.attack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tumult.local.TumultStackResource;
import io.tumult.schemas.v1.AttackSpec;

/**
 * Every attack kind the schema knows has its bean in the running executor (the same resource as RunEngineKafkaTest, so one boot
 * serves both).
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "false"))
class AttackRegistryTest {

    @Inject
    AttackRegistry registry;

    @Test
    @SuppressWarnings("unchecked")
    void shouldHaveAnAttackForEveryKindTheSchemaKnows() {
        // Given
        var kinds = Stream.of(AttackSpec.class.getPermittedSubclasses()).toList();

        // When
        var missing = kinds.stream().filter(k -> !registry.supports((Class<? extends AttackSpec>) k)).toList();

        // Then
        assertThat(kinds).hasSizeGreaterThanOrEqualTo(7);
        assertThat(missing).as("attack kinds without an Attack bean").isEmpty();
    }
}
