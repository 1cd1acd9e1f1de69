package io.tumult.guardian.prometheus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.tumult.guardian.messaging.GuardianLoop;
import io.tumult.guardian.prometheus.QueryResult.Matrix;
import io.tumult.guardian.prometheus.QueryResult.Scalar;
import io.tumult.guardian.prometheus.QueryResult.Vector;
import io.tumult.guardian.rules.RuleBook;
import io.tumult.schemas.v1.RunAborted;

/**
 * Evaluates on Prometheus, each poll interval, the {@code query:} conditions this replica's {@link RuleBook} watches
 * (its runs' and the global guards'), and feeds each answer into the evaluator through
 * {@link GuardianLoop#ingest}: the same windows, {@code for}, minimum samples and no-data rule as pushed metrics. Each
 * distinct query is sent once per poll, all in parallel, and its answer feeds every condition naming it.
 * <p>
 * A query Prometheus cannot answer (down, timed out, an error, no series, no finite value) feeds nothing: the
 * condition has no data, which aborts its run once the no-data tolerance has passed (by default), and the evaluator
 * names Prometheus' failure in that abort's reason ({@link RuleBook#noDataBecause}).
 */
@ApplicationScoped
public class PromQLPoller {

    private static final Logger LOG = Logger.getLogger(PromQLPoller.class);
    /** How long a poll waits for the evaluating thread to hand over or take values. */
    private static final Duration LOOP_WAIT = Duration.ofSeconds(10);

    private final GuardianLoop loop;
    private final PrometheusClient client;
    private final Clock clock = Clock.systemUTC();
    /** One thread per query in flight: each waits on the network for at most the client's timeout. */
    private final ExecutorService queries = Executors.newCachedThreadPool(task -> {
        var thread = new Thread(task, "promql-query");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * One query's answer: its finite values (the condition's sample), or why there is none.
     *
     * @param values the finite values, one per series; empty when there is no data
     * @param noDataReason why there is no data (names Prometheus); null when there are values
     */
    public record Answer(double[] values, String noDataReason) {
    }

    PromQLPoller(GuardianLoop loop, PrometheusConnection prometheus) {
        this.loop = loop;
        this.client = prometheus.client().orElse(null);
    }

    @Scheduled(every = "${tumult.guardian.prometheus.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() throws InterruptedException {
        try {
            Set<String> watched = loop.inspect(RuleBook::queries).toCompletableFuture()
                    .get(LOOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (watched.isEmpty()) {
                return;
            }
            Instant at = clock.instant();
            Map<String, Answer> answers = ask(watched, at);
            int values = (int) answers.values().stream().filter(a -> a.values().length > 0).count();
            loop.ingest(values, book -> feed(book, answers, at.toEpochMilli(), clock.millis()))
                    .toCompletableFuture().get(LOOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.errorf("PromQL poll failed: %s", e.toString());
        }
    }

    /** Evaluates each query at {@code at} on Prometheus, in parallel; each answer within the client's timeout. */
    Map<String, Answer> ask(Collection<String> promql, Instant at) throws InterruptedException {
        var answers = new LinkedHashMap<String, Answer>();
        if (client == null) {
            promql.forEach(q -> answers.put(q, new Answer(new double[0], PrometheusConnection.NOT_CONFIGURED)));
            return answers;
        }
        var pending = new LinkedHashMap<String, Future<Answer>>();
        promql.forEach(q -> pending.put(q, queries.submit(() -> answer(q, at))));
        for (var p : pending.entrySet()) {
            try {
                answers.put(p.getKey(), p.getValue().get());
            } catch (ExecutionException e) { // a bug, not Prometheus: still no data, and said
                answers.put(p.getKey(), new Answer(new double[0], "the query's answer could not be read: "
                        + e.getCause()));
            }
        }
        return answers;
    }

    /** Offers every answer to the book: values as samples at {@code atMillis}, else the reason there are none. */
    static List<RunAborted> feed(RuleBook book, Map<String, Answer> answers, long atMillis, long nowMillis) {
        var aborts = new ArrayList<RunAborted>(0);
        answers.forEach((query, answer) -> {
            if (answer.values().length == 0) {
                book.noDataBecause(query, answer.noDataReason());
            } else {
                aborts.addAll(book.offerQuery(query, answer.values(), atMillis, nowMillis));
            }
        });
        return aborts;
    }

    private Answer answer(String query, Instant at) {
        List<Double> values;
        try {
            values = values(client.query(query, at));
        } catch (PrometheusException e) {
            return new Answer(new double[0], e.getMessage());
        }
        double[] finite = values.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).toArray();
        if (finite.length == 0) {
            return new Answer(finite, "Prometheus at " + client.baseUrl()
                    + (values.isEmpty() ? " returned no series" : " returned only " + values) + " for the query");
        }
        return new Answer(finite, null);
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

    @PreDestroy
    void close() {
        queries.shutdownNow();
    }
}
