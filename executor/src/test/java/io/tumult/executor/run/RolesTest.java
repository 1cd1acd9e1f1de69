package io.tumult.executor.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.tumult.executor.attack.AttackRegistry;
import io.tumult.executor.attack.host.NetworkLossAttack;
import io.tumult.executor.attack.kubernetes.PodKillAttack;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.kubernetes.KubernetesTargets;
import io.tumult.schemas.v1.AttackSpec;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.PodKill;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.StatusReason;
import io.tumult.schemas.v1.Target;
import io.tumult.schemas.v1.Trigger;

/**
 * Which executor role takes which run, before anything is resolved: a run the other role carries out gets no word
 * from this one, and a host target in a cluster (it names no node) is refused once, by the cluster executors. The
 * runs here would fail if they were taken (no Kubernetes API, no such namespace): silence shows they were not.
 */
class RolesTest {

    private final List<RunStatus> reported = new CopyOnWriteArrayList<>();

    @ParameterizedTest(name = "{0} role, {1} on a {2} target: {3}")
    @CsvSource({
            "CLUSTER, network-loss, pod, silent",
            "CLUSTER, network-loss, network-namespace, refused",
            "CLUSTER, pod-kill, pod, taken",
            "NODE, network-loss, pod, taken",
            "NODE, network-loss, network-namespace, silent",
            "NODE, pod-kill, pod, silent",
            "ALL, network-loss, network-namespace, taken" })
    void shouldTakeOnlyItsRolesPartOfTheWork(Role role, String attack, String target, String expected) {
        // Given
        var config = TestExecutorConfig.defaults();
        var targets = new KubernetesTargets(null, null, false);
        var engine = new RunEngine(new AttackRegistry(List.of(new NetworkLossAttack(config),
                new PodKillAttack(null, targets, role, config.id())), role), config, status -> {
                    reported.add(status);
                    return CompletableFuture.completedFuture(null);
                });
        AttackSpec spec = attack.equals("pod-kill") ? new PodKill(0) : new NetworkLoss(100);
        Target on = target.equals("pod") ? new PodTarget("shop", Map.of("app", "cart"), null, null)
                : new NetworkNamespaceTarget("tumult-no-such-namespace");

        // When
        engine.start(new RunStarted(UUID.randomUUID(), "roles", Trigger.MANUAL, Instant.now(), new ExperimentSpec(null,
                on, spec, Duration.ofSeconds(30), null, null, null, null))).toCompletableFuture().join();

        // Then
        switch (expected) {
            case "silent" -> assertThat(reported).isEmpty();
            case "refused" -> assertThat(reported).singleElement().satisfies(s -> {
                assertThat(s.phase()).isEqualTo(RunPhase.REFUSED);
                assertThat(s.reason()).isEqualTo(StatusReason.UNSUPPORTED_KIND);
                assertThat(s.message()).contains("names no node");
            });
            // taken, and refused for what this test lacks (no API, no namespace): not for its role
            default -> assertThat(reported).singleElement().satisfies(s -> {
                assertThat(s.phase()).isEqualTo(RunPhase.REFUSED);
                assertThat(s.message()).doesNotContain("names no node").doesNotContain("other executor role");
            });
        }
        engine.shutdown();
    }
}
