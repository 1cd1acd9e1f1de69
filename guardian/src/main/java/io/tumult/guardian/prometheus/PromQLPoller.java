package io.tumult.guardian.prometheus;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.tumult.guardian.messaging.AbortPublisher;
import io.tumult.guardian.prometheus.QueryResult.Matrix;
import io.tumult.guardian.prometheus.QueryResult.Scalar;
import io.tumult.guardian.prometheus.QueryResult.Vector;
import io.tumult.guardian.rules.RuleBook;
import io.tumult.guardian.runs.LiveRun;
import io.tumult.guardian.runs.LiveRuns;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.MetricSample;
import io.tumult.schemas.v1.RunAborted;

/**
 * Evaluates the {@code query:} conditions of every live run on Prometheus each poll interval, and offers each value
 * to the rule book as a sample of the condition's {@link Condition#series() series}, for that run: the same
 * evaluator, windows and no-data rule as pushed metrics. Each distinct query is sent once per poll, all in parallel.
 * <p>
 * A query Prometheus cannot answer (down, timed out, an error, no series, a non-finite value) offers nothing: the
 * condition has no data, which aborts its run once the no-data tolerance has passed (by default), and the rule book
 * names Prometheus' failure in that abort's reason.
 */
@ApplicationScoped
public class PromQLPoller {

    private static final Logger LOG = Logger.getLogger(PromQLPoller.class);

    private final LiveRuns live;
    private final RuleBook rules;
    private final AbortPublisher aborts;
    private final PrometheusClient client;
    private final Clock clock = Clock.systemUTC();
    /** One thread per query in flight: each waits on the network for at most the client's timeout. */
    private final ExecutorService queries = Executors.newCachedThreadPool(task -> {
        var thread = new Thread(task, "promql-query");
        thread.setDaemon(true);
        return thread;
    });

    PromQLPoller(LiveRuns live, RuleBook rules, AbortPublisher aborts, PrometheusConfig config) {
        this.live = live;
        this.rules = rules;
        this.aborts = aborts;
        this.client = config.url().map(url -> new PrometheusClient(url, config.timeout(), authorization(config)))
                .orElse(null);
    }

    private static String authorization(PrometheusConfig config) {
        if (config.bearerToken().isPresent()) {
            return "Bearer " + config.bearerToken().get();
        }
        return config.username()
                .map(user -> okhttp3.Credentials.basic(user, config.password().orElse(""))).orElse(null);
    }

    @Scheduled(every = "${tumult.guardian.prometheus.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() throws InterruptedException {
        Instant now = clock.instant();
        Map<String, List<Watched>> byQuery = new LinkedHashMap<>();
        for (LiveRun run : live.live(now)) {
            for (Condition c : run.autoAbort()) {
                if (c.query() != null) {
                    byQuery.computeIfAbsent(c.query(), q -> new ArrayList<>()).add(new Watched(run.runId(), c));
                }
            }
        }
        if (byQuery.isEmpty()) {
            return;
        }
        if (client == null) {
            byQuery.values().forEach(ws -> ws.forEach(w -> rules.noDataBecause(w.condition.series(),
                    "no Prometheus configured: set tumult.guardian.prometheus.url")));
            return;
        }
        var pending = new ArrayList<Future<?>>();
        byQuery.forEach((query, watched) -> pending.add(queries.submit(() -> evaluate(query, watched, now))));
        for (Future<?> f : pending) {
            try {
                f.get(); // each call is bounded by the client's timeout
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.errorf("query evaluation failed: %s", e.getCause().toString());
            }
        }
    }

    private void evaluate(String query, List<Watched> watched, Instant now) {
        String series = watched.get(0).condition.series();
        List<Double> values;
        try {
            values = values(client.query(query, now));
        } catch (PrometheusException e) {
            rules.noDataBecause(series, e.getMessage());
            return;
        }
        List<Double> finite = values.stream().filter(Double::isFinite).toList();
        if (finite.isEmpty()) {
            rules.noDataBecause(series, "Prometheus at " + client.baseUrl()
                    + (values.isEmpty() ? " returned no series" : " returned only " + values) + " for the query");
            return;
        }
        var decided = new ArrayList<RunAborted>();
        for (Watched w : watched) {
            var sample = new MetricSample(series, pick(w.condition, finite), now, w.runId, Map.of());
            decided.addAll(rules.onSample(sample, clock.instant()));
        }
        if (!decided.isEmpty()) {
            // publishing retries until the broker has the abort: never hold the next poll on it
            aborts.publish(decided).subscribe().with(ok -> {
            }, e -> LOG.errorf("aborts not published: %s", e));
        }
    }

    /** A query's value(s): a vector's or a scalar's, or the newest of each series of a range selector. */
    private static List<Double> values(QueryResult result) {
        QueryResult.Data data = result.data();
        if (data instanceof Vector v) {
            return v.series().stream().map(s -> s.sample().value()).toList();
        }
        if (data instanceof Scalar s) {
            return List.of(s.sample().value());
        }
        if (data instanceof Matrix m) {
            return m.series().stream().filter(s -> !s.samples().isEmpty())
                    .map(s -> s.samples().get(s.samples().size() - 1).value()).toList();
        }
        throw new PrometheusException(PrometheusException.Reason.BAD_RESPONSE,
                "Prometheus answered a string, not a number, for the query", null, List.of(), null);
    }

    /**
     * With several series the condition sees the one that breaches, if any (fail safe): the highest for {@code >},
     * the lowest for {@code <}; for {@code ==} and {@code !=} the first that holds, else the first.
     */
    static double pick(Condition condition, List<Double> values) {
        return switch (condition.op()) {
            case GT, GE -> values.stream().max(Comparator.naturalOrder()).orElseThrow();
            case LT, LE -> values.stream().min(Comparator.naturalOrder()).orElseThrow();
            case EQ, NE -> values.stream().filter(condition::holdsFor).findFirst().orElse(values.get(0));
        };
    }

    @PreDestroy
    void close() {
        queries.shutdownNow();
        if (client != null) {
            client.close();
        }
    }

    private record Watched(UUID runId, Condition condition) {
    }
}
