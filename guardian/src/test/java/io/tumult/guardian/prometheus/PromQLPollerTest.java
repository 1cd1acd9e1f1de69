package io.tumult.guardian.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.tumult.guardian.rules.RuleBook;
import io.tumult.local.FreePort;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Trigger;

/** What the poller feeds the evaluator when Prometheus cannot answer (its answers are covered end to end). */
class PromQLPollerTest {

    private static final Condition QUERY = Condition.ofQuery("max(errors)", Comparison.GT, 0.5,
            Duration.ofSeconds(1), null);

    @Test
    void shouldCountADownPrometheusAsNoDataAndNameItInTheAbort() throws InterruptedException {
        // Given: a watched run with a query condition, and a Prometheus URL nothing listens on
        RuleBook rules = watching(QUERY);
        String url = "http://127.0.0.1:" + FreePort.pick();
        var poller = new PromQLPoller(null, new PrometheusConnection(config(Optional.of(url))));

        // When
        Instant now = Instant.now();
        var decided = PromQLPoller.feed(rules, poller.ask(rules.queries(), now), now.toEpochMilli(),
                now.toEpochMilli());

        // Then: no data, which aborts once the tolerance has passed, naming Prometheus
        assertThat(decided).isEmpty();
        assertThat(rules.silentRuns(now.plusSeconds(10))).singleElement().satisfies(abort -> {
            assertThat(abort.reason().kind()).isEqualTo(AbortKind.NO_DATA);
            assertThat(abort.reason().message()).contains("no sample of query max(errors)")
                    .contains("Prometheus at " + url + "/ is unreachable");
        });
        poller.close();
    }

    @Test
    void shouldSayNoPrometheusIsConfiguredWhenThereIsNone() throws InterruptedException {
        // Given
        RuleBook rules = watching(QUERY);
        var poller = new PromQLPoller(null, new PrometheusConnection(config(Optional.empty())));

        // When
        Instant now = Instant.now();
        PromQLPoller.feed(rules, poller.ask(rules.queries(), now), now.toEpochMilli(), now.toEpochMilli());

        // Then
        assertThat(rules.silentRuns(now.plusSeconds(10))).singleElement()
                .satisfies(abort -> assertThat(abort.reason().message()).contains("no Prometheus configured"));
    }

    private static RuleBook watching(Condition condition) {
        var rules = new RuleBook(new RuleBook.Settings("g", Duration.ofSeconds(3), Duration.ofSeconds(60),
                Duration.ofSeconds(2)));
        rules.watch(new RunStarted(UUID.randomUUID(), "e", Trigger.MANUAL, Instant.now(),
                new ExperimentSpec(null, new NetworkNamespaceTarget("victim"), new NetworkLoss(100),
                        Duration.ofMinutes(5), null, null, List.of(condition), null)),
                Instant.now());
        return rules;
    }

    private static PrometheusConfig config(Optional<String> url) {
        return new PrometheusConfig() {
            @Override
            public Optional<String> url() {
                return url;
            }

            @Override
            public Duration pollInterval() {
                return Duration.ofSeconds(1);
            }

            @Override
            public Duration timeout() {
                return Duration.ofSeconds(2);
            }

            @Override
            public Optional<String> bearerToken() {
                return Optional.empty();
            }

            @Override
            public Optional<String> username() {
                return Optional.empty();
            }

            @Override
            public Optional<String> password() {
                return Optional.empty();
            }
        };
    }
}
