package io.tumult.executor.attack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tumult.local.TumultStackResource;
import io.tumult.schemas.v1.AttackSpec;
import io.tumult.schemas.v1.ContainerKill;

/**
 * Every attack kind the schema knows has its bean in the running executor (the same resource as RunEngineKafkaTest, so one boot
 * serves both).
 */
@QuarkusTest
@WithTestResource(value = TumultStackResource.class, initArgs = @ResourceArg(name = "postgres", value = "false"))
class AttackRegistryTest {

    /** Kinds whose attack is not written yet: container-kill comes with the node agent. Remove a kind once it has a bean. */
    private static final Set<Class<?>> NOT_YET = Set.of(ContainerKill.class);

    @Inject
    AttackRegistry registry;

    @Test
    @SuppressWarnings("unchecked")
    void shouldHaveAnAttackForEveryKindTheSchemaKnows() {
        // Given
        var kinds = Stream.of(AttackSpec.class.getPermittedSubclasses()).filter(k -> !NOT_YET.contains(k)).toList();

        // When
        var missing = kinds.stream().filter(k -> !registry.supports((Class<? extends AttackSpec>) k)).toList();

        // Then
        assertThat(kinds).hasSizeGreaterThanOrEqualTo(7);
        assertThat(missing).as("attack kinds without an Attack bean").isEmpty();
    }

    @Test
    void shouldListOnlyKindsThatStillHaveNoBeanAsNotYetDone() {
        // When
        var done = NOT_YET.stream().filter(k -> registry.supports(k.asSubclass(AttackSpec.class))).toList();

        // Then
        assertThat(done).as("kinds that now have a bean: take them off NOT_YET").isEmpty();
    }
}
