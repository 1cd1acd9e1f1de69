package io.tumult.guardian.prometheus;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.tumult.guardian.prometheus.PrometheusException.Reason;
import io.tumult.guardian.prometheus.QueryResult.Matrix;
import io.tumult.guardian.prometheus.QueryResult.RangeSeries;
import io.tumult.guardian.prometheus.QueryResult.Sample;
import io.tumult.guardian.prometheus.QueryResult.Scalar;
import io.tumult.guardian.prometheus.QueryResult.Series;
import io.tumult.guardian.prometheus.QueryResult.Text;
import io.tumult.guardian.prometheus.QueryResult.Vector;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A small, typed client of Prometheus' HTTP query API ({@code /api/v1/query} and {@code /api/v1/query_range}), on
 * OkHttp. Every call either returns a {@link QueryResult} or throws a {@link PrometheusException} whose
 * {@link PrometheusException#reason() reason} says whether Prometheus was unreachable, too slow, answered an error,
 * or answered something that is not its API. Thread-safe; calls block for at most the timeout.
 */
public final class PrometheusClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpUrl base;
    private final Duration timeout;
    private final String authorization;
    private final OkHttpClient http;

    /**
     * @param baseUrl where Prometheus serves its API, for example {@code http://127.0.0.1:9090} (a path prefix, as
     *        behind {@code --web.route-prefix}, is kept)
     * @param timeout the longest a call may take, connecting included; also sent as the query's evaluation timeout
     * @param authorization an {@code Authorization} header value ({@code Bearer ...}, {@code Basic ...}), or null
     */
    public PrometheusClient(String baseUrl, Duration timeout, String authorization) {
        HttpUrl url = HttpUrl.parse(Objects.requireNonNull(baseUrl, "baseUrl"));
        if (url == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + baseUrl);
        }
        this.base = url;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.authorization = authorization;
        this.http = new OkHttpClient.Builder().callTimeout(timeout).connectTimeout(timeout).readTimeout(timeout)
                .retryOnConnectionFailure(false).build();
    }

    /** Where this client sends its queries. */
    public String baseUrl() {
        return base.toString();
    }

    /** Evaluates {@code promql} at {@code time} (an instant query). */
    public QueryResult query(String promql, Instant time) {
        return call("query", new FormBody.Builder().add("query", promql).add("time", seconds(time))
                .add("timeout", timeout.toMillis() + "ms").build());
    }

    /** Evaluates {@code promql} at every {@code step} from {@code start} to {@code end} (a range query: a matrix). */
    public QueryResult queryRange(String promql, Instant start, Instant end, Duration step) {
        if (step.isNegative() || step.isZero()) {
            throw new IllegalArgumentException("step must be positive: " + step);
        }
        return call("query_range", new FormBody.Builder().add("query", promql).add("start", seconds(start))
                .add("end", seconds(end)).add("step", step.toMillis() + "ms")
                .add("timeout", timeout.toMillis() + "ms").build());
    }

    private QueryResult call(String endpoint, FormBody form) {
        HttpUrl url = base.newBuilder().addPathSegments("api/v1/" + endpoint).build();
        var request = new Request.Builder().url(url).post(form);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        String where = "Prometheus at " + base;
        try (Response response = http.newCall(request.build()).execute()) {
            String body = response.body().string();
            JsonNode root;
            try {
                root = JSON.readTree(body);
            } catch (JsonProcessingException e) {
                root = null;
            }
            if (root == null || !root.isObject() || !root.path("status").isTextual()) {
                throw new PrometheusException(Reason.BAD_RESPONSE, where + " answered HTTP " + response.code()
                        + " without its API's JSON: " + abbreviate(body), null, List.of(), null);
            }
            List<String> warnings = strings(root.path("warnings"));
            warnings.addAll(strings(root.path("infos")));
            if (!"success".equals(root.path("status").asText())) {
                String errorType = root.path("errorType").asText(null);
                throw new PrometheusException(Reason.QUERY_ERROR, where + " answered an error (HTTP " + response.code()
                        + ", " + errorType + "): " + root.path("error").asText("(no message)"), errorType, warnings,
                        null);
            }
            return new QueryResult(data(root.path("data"), where), warnings);
        } catch (InterruptedIOException e) {
            throw new PrometheusException(Reason.TIMEOUT, where + " did not answer within " + timeout.toMillis() + " ms",
                    null, List.of(), e);
        } catch (IOException e) {
            throw new PrometheusException(Reason.UNREACHABLE, where + " is unreachable: " + e.getMessage(), null,
                    List.of(), e);
        }
    }

    private static QueryResult.Data data(JsonNode data, String where) {
        JsonNode result = data.path("result");
        try {
            return switch (data.path("resultType").asText("")) {
                case "vector" -> {
                    var series = new ArrayList<Series>();
                    for (JsonNode s : array(result, "data.result")) {
                        series.add(new Series(labels(s.path("metric")), sample(s.path("value"), "value")));
                    }
                    yield new Vector(series);
                }
                case "matrix" -> {
                    var series = new ArrayList<RangeSeries>();
                    for (JsonNode s : array(result, "data.result")) {
                        var samples = new ArrayList<Sample>();
                        for (JsonNode v : array(s.path("values"), "values")) {
                            samples.add(sample(v, "values[]"));
                        }
                        series.add(new RangeSeries(labels(s.path("metric")), samples));
                    }
                    yield new Matrix(series);
                }
                case "scalar" -> new Scalar(sample(result, "data.result"));
                case "string" -> new Text(instant(result.path(0), "data.result"), result.path(1).asText());
                default -> throw new IllegalArgumentException(
                        "unknown data.resultType '" + data.path("resultType").asText("") + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new PrometheusException(Reason.BAD_RESPONSE, where + " answered an unexpected result: "
                    + e.getMessage(), null, List.of(), e);
        }
    }

    private static Iterable<JsonNode> array(JsonNode node, String field) {
        if (!node.isArray()) {
            throw new IllegalArgumentException(field + " is not an array");
        }
        return node;
    }

    /** A {@code [unixSeconds, "value"]} pair. */
    private static Sample sample(JsonNode pair, String field) {
        if (!pair.isArray() || pair.size() != 2 || !pair.get(1).isTextual()) {
            throw new IllegalArgumentException(field + " is not a [time, \"value\"] pair (a native histogram?)");
        }
        return new Sample(instant(pair.get(0), field), number(pair.get(1).asText(), field));
    }

    private static Instant instant(JsonNode seconds, String field) {
        if (!seconds.isNumber()) {
            throw new IllegalArgumentException(field + " has no numeric time");
        }
        BigDecimal s = seconds.decimalValue();
        return Instant.ofEpochSecond(s.longValue(), s.remainder(BigDecimal.ONE).movePointRight(9).longValue());
    }

    /** Prometheus writes non-finite values as {@code NaN}, {@code +Inf} and {@code -Inf}. */
    static double number(String text, String field) {
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(field + " value '" + text + "' is not a number");
                }
            }
        };
    }

    private static Map<String, String> labels(JsonNode metric) {
        var labels = new HashMap<String, String>();
        metric.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    private static List<String> strings(JsonNode array) {
        var out = new ArrayList<String>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String seconds(Instant t) {
        return BigDecimal.valueOf(t.getEpochSecond()).add(BigDecimal.valueOf(t.getNano(), 9)).toPlainString();
    }

    private static String abbreviate(String body) {
        String line = body.strip().replaceAll("\\s+", " ");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
