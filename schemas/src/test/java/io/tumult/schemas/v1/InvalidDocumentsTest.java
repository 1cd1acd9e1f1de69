package io.tumult.schemas.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;

import io.tumult.schemas.json.InvalidDocumentException;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.json.Violation;

/** Bad documents are refused with errors that name the offending field. */
class InvalidDocumentsTest {

    private static final String VALID = """
            apiVersion: tumult.io/v1
            kind: Experiment
            metadata: { name: checkout-partition }
            spec:
              target: { kind: network-namespace, name: checkout-db }
              attack: { kind: network-loss, percent: 100 }
              duration: 60s
              autoAbort: [ { metric: http_error_rate, op: ">", threshold: 0.05, window: 5s } ]
            """;

    @Test
    void shouldAcceptTheValidBaseline() {
        // When
        Experiment experiment = TumultJson.decodeExperiment(VALID);

        // Then
        assertThat(experiment.spec().attack()).isEqualTo(new NetworkLoss(100));
        assertThat(experiment.spec().autoAbort().get(0).aggregate()).isEqualTo(Aggregation.AVG);
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "duration: 60s            | duration: 60 seconds         | $.spec.duration",
            "duration: 60s            | hypothesis: none             | $.spec.duration",
            "percent: 100             | percent: 150                 | $.spec.attack.percent",
            "kind: network-loss       | kind: network-melt           | $.spec.attack.kind",
            "name: checkout-db        | nmae: checkout-db            | $.spec.target.name",
            "name: checkout-partition | name: Checkout_Partition     | $.metadata.name",
            "op: \">\"                 | op: \"~\"                     | $.spec.autoAbort[0].op",
            "window: 5s               | window: 0s                   | $.spec.autoAbort[0].window",
            "metric: http_error_rate  | query: 'up', metric: up      | $.spec.autoAbort[0]",
            "metric: http_error_rate, | ''                           | $.spec.autoAbort[0]",
            "metric: http_error_rate  | query: ''                    | $.spec.autoAbort[0].query",
            "percent: 100             | percent: 100, jitter: 5      | $.spec.attack.jitter",
            "kind: network-loss, percent: 100 | kind: network-partition, cidrs: [ 'db.local' ] | $.spec.attack.cidrs[0]",
            "kind: network-loss, percent: 100 | kind: network-bandwidth, rate: 8mb | $.spec.attack.rate",
            "kind: network-loss, percent: 100 | kind: network-latency, delay: 0ms | $.spec.attack.delay",
            "kind: network-loss, percent: 100 | kind: network-duplicate, percent: 5, interface: 'eth0; drop' | $.spec.attack.interface" })
    void shouldNameTheOffendingField(String from, String to, String path) {
        // Given
        String bad = VALID.replace(from, to);
        assertThat(bad).isNotEqualTo(VALID);

        // When
        var e = catchThrowableOfType(InvalidDocumentException.class, () -> TumultJson.decodeExperiment(bad));

        // Then
        assertThat(e).isNotNull();
        assertThat(e.violations()).extracting(Violation::path).contains(path);
        assertThat(e.getMessage()).contains(path);
    }

    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "{ kind: cgroup, path: /victim }  | { kind: memory-stress, bytes: 65536, percent: 10 } | $.spec.attack",
            "{ kind: cgroup, path: /victim }  | { kind: cpu-stress, cores: 1, load: 101 }          | $.spec.attack.load",
            "{ kind: cgroup, path: /victim }  | { kind: disk-fill, path: /srv }                    | $.spec.attack",
            "{ kind: cgroup, path: /a/../b }  | { kind: cpu-stress, load: 80 }                     | $.spec.target.path",
            "{ kind: process, name: sleep, pid: 7 } | { kind: process-kill }                      | $.spec.target",
            "{ kind: process, name: sleep }   | { kind: process-kill, signal: SIGKILL }            | $.spec.attack.signal",
            "{ kind: pod, namespace: shop, labelSelector: 'app in (cart' } | { kind: pod-kill } | $.spec.target",
            "{ kind: pod, namespace: shop, labelSelector: 'app=cart,,x' } | { kind: pod-kill }  | $.spec.target",
            "{ kind: pod, namespace: shop, fieldSelector: 'spec.hostIP=1.2.3.4' } | { kind: pod-kill } | $.spec.target",
            "{ kind: pod, namespace: shop, mode: percent }  | { kind: pod-kill }                | $.spec.target",
            "{ kind: pod, namespace: Shop }   | { kind: pod-kill }                                 | $.spec.target.namespace",
            "{ kind: pod }                    | { kind: pod-kill }                                 | $.spec.target.namespace",
            "{ kind: workload, namespace: shop, resource: daemonset, name: a } | { kind: scale-down } | $.spec.target.resource",
            "{ kind: node, name: n1, labelSelector: x } | { kind: node-drain }                     | $.spec.target" })
    void shouldRefuseHostTargetsAndAttacksThatDoNotSayExactlyWhatToDo(String target, String attack, String path) {
        // Given
        String bad = VALID.replace("{ kind: network-namespace, name: checkout-db }", target)
                .replace("{ kind: network-loss, percent: 100 }", attack);

        // When
        var e = catchThrowableOfType(InvalidDocumentException.class, () -> TumultJson.decodeExperiment(bad));

        // Then
        assertThat(e).isNotNull();
        assertThat(e.violations()).extracting(Violation::path).contains(path);
    }

    @Test
    void shouldReportWhereADocumentIsNotWellFormed() {
        // When
        var e = catchThrowableOfType(InvalidDocumentException.class,
                () -> TumultJson.decodeExperiment("spec: { target: [ unclosed"));

        // Then
        assertThat(e.violations()).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$");
            assertThat(v.message()).contains("not well-formed").contains("line");
        });
    }

    @Test
    void shouldRefuseAnEventFollowedByMoreBytes() {
        // Given: a valid sample, then bytes after it
        byte[] json = "{\"name\":\"m\",\"value\":1,\"at\":\"2026-11-23T09:00:07Z\"}x"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);

        // When
        var e = catchThrowableOfType(InvalidDocumentException.class,
                () -> TumultJson.decode(EventType.METRIC_SAMPLE, json));

        // Then
        assertThat(e.violations()).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$");
            assertThat(v.message()).contains("not well-formed");
        });
    }

    @Test
    void shouldRefuseAnEventMissingARequiredField() {
        // Given
        byte[] json = """
                {"runId":"not-a-uuid","source":"guardian/g","issuedAt":"2026-11-23T09:00:00Z"}
                """.getBytes(StandardCharsets.UTF_8);

        // When
        var e = catchThrowableOfType(InvalidDocumentException.class,
                () -> TumultJson.decode(EventType.RUN_ABORTED, json));

        // Then
        assertThat(e.violations()).extracting(Violation::path).contains("$.reason", "$.runId");
    }

    @Test
    void shouldRefuseAHaltReleaseWithoutItsSource() {
        // Given
        byte[] json = """
                {"source":"","issuedAt":"2026-11-23T09:30:00Z","message":"go on"}
                """.getBytes(StandardCharsets.UTF_8);

        // When
        var e = catchThrowableOfType(InvalidDocumentException.class,
                () -> TumultJson.decode(EventType.HALT_RELEASED, json));

        // Then
        assertThat(e.violations()).extracting(Violation::path).contains("$.source");
    }

    @Test
    void shouldRefuseAClaimThatNamesNoExecutor() {
        // Given
        byte[] json = """
                {"runId":"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f","executor":"","claimedAt":"2026-11-23T09:30:00Z"}
                """.getBytes(StandardCharsets.UTF_8);

        // When
        var e = catchThrowableOfType(InvalidDocumentException.class,
                () -> TumultJson.decode(EventType.RUN_CLAIMED, json));

        // Then
        assertThat(e.violations()).extracting(Violation::path).contains("$.executor");
    }

    @Test
    void shouldRefuseAPickThatNamesAPodWithoutItsNamespace() {
        // Given
        byte[] json = """
                {"runId":"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f","executor":"x","claimedAt":"2026-11-23T09:30:00Z",
                 "pick":{"pods":[{"pod":"cart-1","node":"n1"}],"candidates":3}}
                """.getBytes(StandardCharsets.UTF_8);

        // When
        var e = catchThrowableOfType(InvalidDocumentException.class,
                () -> TumultJson.decode(EventType.RUN_CLAIMED, json));

        // Then
        assertThat(e.violations()).extracting(Violation::path).contains("$.pick.pods[0].pod");
    }

    @Test
    void shouldRefuseANodeAgentsClaimThatCarriesAPick() {
        // Given: only a cluster executor picks; an agent's claim of its node's share carries no pick
        byte[] json = """
                {"runId":"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f","executor":"x","claimedAt":"2026-11-23T09:30:00Z",
                 "node":"n1","pick":{"pods":[],"candidates":0}}
                """.getBytes(StandardCharsets.UTF_8);

        // When
        var e = catchThrowableOfType(InvalidDocumentException.class,
                () -> TumultJson.decode(EventType.RUN_CLAIMED, json));

        // Then
        assertThat(e).isNotNull();
    }

    @Test
    void shouldRefuseAVerdictThatDoesNotSayWhetherTheSteadyStateHeld() {
        // Given
        byte[] json = """
                {"runId":"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f","experiment":"e","decidedAt":"2026-11-23T09:30:00Z",
                 "source":"guardian/g","message":"m"}
                """.getBytes(StandardCharsets.UTF_8);

        // When
        var e = catchThrowableOfType(InvalidDocumentException.class,
                () -> TumultJson.decode(EventType.STEADY_STATE_VERDICT, json));

        // Then
        assertThat(e.violations()).extracting(Violation::path).contains("$.held");
    }

    @Test
    void shouldTellAHaltReleaseFromAnAbortOnTheSameTopicByItsType() {
        // When
        var release = EventType.byCeType("io.tumult.halt.released.v1");

        // Then
        assertThat(release).contains(EventType.HALT_RELEASED);
        assertThat(EventType.HALT_RELEASED.topic()).isEqualTo(EventType.RUN_ABORTED.topic());
        assertThat(EventType.HALT_RELEASED.ceType()).isNotEqualTo(EventType.RUN_ABORTED.ceType());
    }

    @ParameterizedTest
    @NullAndEmptySource
    void shouldRefuseARecordWithoutAValueAsAnInvalidDocument(byte[] value) {
        // When
        var e = catchThrowableOfType(InvalidDocumentException.class,
                () -> TumultJson.decode(EventType.METRIC_SAMPLE, value));

        // Then
        assertThat(e.violations()).singleElement().satisfies(v -> {
            assertThat(v.path()).isEqualTo("$");
            assertThat(v.message()).isEqualTo("document is empty");
        });
    }

    @Test
    void shouldTolerateUnknownFieldsInEventsSoV1CanGrow() {
        // Given
        byte[] json = """
                {"name":"http_error_rate","value":0.2,"at":"2026-11-23T09:00:00Z","addedLater":true}
                """.getBytes(StandardCharsets.UTF_8);

        // When
        MetricSample sample = TumultJson.decode(EventType.METRIC_SAMPLE, json);

        // Then
        assertThat(sample.value()).isEqualTo(0.2);
    }
}
