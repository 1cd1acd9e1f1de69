package io.tumult.guardian.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.tumult.guardian.prometheus.PrometheusException.Reason;
import io.tumult.guardian.prometheus.QueryResult.Matrix;
import io.tumult.guardian.prometheus.QueryResult.Scalar;
import io.tumult.guardian.prometheus.QueryResult.Text;
import io.tumult.guardian.prometheus.QueryResult.Vector;
import io.tumult.local.FreePort;
import io.tumult.local.GaugeTarget;
import io.tumult.local.LocalPrometheus;

/** The client against a real Prometheus scraping a gauge this test controls. */
class PrometheusClientTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static GaugeTarget target;
    private static LocalPrometheus prometheus;
    private static PrometheusClient client;

    @BeforeAll
    static void startPrometheus() throws Exception {
        target = GaugeTarget.start();
        target.set("tumult_test_gauge", 1.5);
        prometheus = LocalPrometheus.start(List.of(target.address()), Duration.ofMillis(200), null, null);
        client = new PrometheusClient(prometheus.url(), TIMEOUT, null);
    }

    @AfterAll
    static void stopPrometheus() {
        // each in its own finally: a failure to close one must not leave the other running
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            try {
                if (prometheus != null) {
                    prometheus.close();
                }
            } finally {
                if (target != null) {
                    target.close();
                }
            }
        }
    }

    @Test
    void shouldReturnTheScrapedGaugeAsAVectorOfOneSeries() {
        // Given
        target.set("tumult_test_gauge", 2.25);

        // When
        QueryResult result = await().atMost(WAIT).until(() -> client.query("tumult_test_gauge", Instant.now()),
                r -> r.data() instanceof Vector v && v.series().size() == 1
                        && v.series().get(0).sample().value() == 2.25);

        // Then
        var series = ((Vector) result.data()).series().get(0);
        assertThat(series.labels()).containsEntry("__name__", "tumult_test_gauge").containsEntry("job", "tumult-test")
                .containsEntry("instance", target.address());
        assertThat(series.sample().at()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void shouldReturnAnEmptyVectorWhenNoSeriesMatches() {
        // When
        QueryResult result = client.query("no_such_metric_anywhere", Instant.now());

        // Then
        assertThat(result.data()).isEqualTo(new Vector(List.of()));
    }

    @Test
    void shouldReturnScalarAndStringResults() {
        // Given
        Instant at = Instant.parse("2026-01-02T03:04:05.678Z");

        // When
        QueryResult scalar = client.query("2 * 21", at);
        QueryResult text = client.query("\"hello\"", at);

        // Then
        assertThat(scalar.data()).isEqualTo(new Scalar(new QueryResult.Sample(at, 42)));
        assertThat(text.data()).isEqualTo(new Text(at, "hello"));
    }

    @Test
    void shouldKeepNonFiniteValues() {
        // When
        QueryResult result = client.query("vector(1) / 0", Instant.now());

        // Then
        assertThat(((Vector) result.data()).series().get(0).sample().value()).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void shouldReturnAMatrixForARangeQuery() {
        // Given: at least a few scrapes stored
        long scrapes = target.scrapes();
        await().atMost(WAIT).until(() -> target.scrapes() >= scrapes + 5);
        Instant end = Instant.now();

        // When
        QueryResult result = client.queryRange("tumult_test_gauge", end.minusSeconds(2), end, Duration.ofMillis(500));

        // Then
        assertThat(result.data()).asInstanceOf(type(Matrix.class)).satisfies(m -> {
            assertThat(m.series()).hasSize(1);
            var samples = m.series().get(0).samples();
            assertThat(samples).hasSizeGreaterThanOrEqualTo(2);
            assertThat(samples.get(1).at()).isEqualTo(samples.get(0).at().plusMillis(500));
        });
    }

    @Test
    void shouldNamePrometheusAndItsErrorForABadQuery() {
        // When / Then
        assertThatThrownBy(() -> client.query("sum(", Instant.now())).asInstanceOf(type(PrometheusException.class))
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(Reason.QUERY_ERROR);
                    assertThat(e.errorType()).isEqualTo("bad_data");
                    assertThat(e.getMessage()).startsWith("Prometheus at " + prometheus.url())
                            .contains("parse error");
                });
    }

    @Test
    void shouldSayPrometheusIsUnreachableWhenNothingListens() {
        // Given
        try (var down = new PrometheusClient("http://127.0.0.1:" + FreePort.pick(), TIMEOUT, null)) {

            // When / Then
            assertThatThrownBy(() -> down.query("up", Instant.now())).asInstanceOf(type(PrometheusException.class))
                    .satisfies(e -> {
                        assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
                        assertThat(e.getMessage()).contains("Prometheus at http://127.0.0.1:").contains("unreachable");
                    });
        }
    }

    @Test
    void shouldTimeOutWhenPrometheusDoesNotAnswer() throws IOException {
        // Given: a socket that accepts connections and never answers
        try (var silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                var slow = new PrometheusClient("http://127.0.0.1:" + silent.getLocalPort(), Duration.ofMillis(300),
                        null)) {

            // When / Then
            assertThatThrownBy(() -> slow.query("up", Instant.now())).asInstanceOf(type(PrometheusException.class))
                    .satisfies(e -> {
                        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
                        assertThat(e.getMessage()).contains("did not answer within 300 ms");
                    });
        }
    }

    @Test
    void shouldRefuseAnAnswerThatIsNotPrometheusApi() {
        // Given: a real HTTP server that is not Prometheus (the scrape target answers 404 to /api/v1/query)
        try (var notPrometheus = new PrometheusClient("http://" + target.address(), TIMEOUT, null)) {

            // When / Then
            assertThatThrownBy(() -> notPrometheus.query("up", Instant.now()))
                    .asInstanceOf(type(PrometheusException.class))
                    .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.BAD_RESPONSE));
        }
    }

    @Test
    void shouldCarryWarningsWithTheData() throws IOException {
        // Given: Prometheus 2.42 cannot be made to warn on demand (warnings come from remote storage and, from 2.44,
        // PromQL annotations), so a server answers with a body in the documented format
        String body = """
                {"status":"success","data":{"resultType":"scalar","result":[1700000000.5,"3"]},
                 "warnings":["remote read: partial answer"],"infos":["metric might not be a counter"]}""";
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/query", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (var out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        try (var warning = new PrometheusClient("http://127.0.0.1:" + server.getAddress().getPort(), TIMEOUT, null)) {

            // When
            QueryResult result = warning.query("x", Instant.now());

            // Then
            assertThat(result.warnings()).containsExactly("remote read: partial answer",
                    "metric might not be a counter");
            assertThat(result.data()).isEqualTo(new Scalar(new QueryResult.Sample(Instant.ofEpochMilli(1700000000500L), 3)));
        } finally {
            server.stop(0);
        }
    }
}
