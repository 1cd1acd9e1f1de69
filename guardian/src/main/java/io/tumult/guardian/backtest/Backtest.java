package io.tumult.guardian.backtest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tumult.guardian.rules.RuleBook;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.MetricSample;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.NoData;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Trigger;

/**
 * Replays recorded samples, in sample-time order, through the guardian's own evaluator ({@link RuleBook}) with the
 * clock at each sample's time, and reports when each rule would have tripped and on which value. Each rule is judged
 * on its own (a trip of one does not stop the others). An autoAbort rule trips when it holds; a steady-state rule
 * trips when it stops holding (it is judged as its negation). Silence is not judged: a recording says nothing about
 * samples that were never published. A rule on a PromQL query is replayed on that query's answers over the span (a
 * Prometheus range query), each point taken as the poller would have offered it.
 */
public final class Backtest {

    /** How a rule is used in the experiment. */
    public enum Role {
        AUTO_ABORT,
        STEADY_STATE
    }

    /**
     * When one rule would have tripped.
     *
     * @param role autoAbort or steady state
     * @param condition the rule as written
     * @param trippedAt sample time of the sample that tripped it
     * @param firstBreachAt sample time from which it held (or, for steady state, stopped holding) without a break
     * @param observed the window's value then
     * @param samples samples in the window then
     */
    public record Trip(Role role, String condition, Instant trippedAt, Instant firstBreachAt, Double observed,
            Integer samples) {
    }

    /**
     * The verdict of one rule over the span.
     *
     * @param role autoAbort or steady state
     * @param condition the rule as written
     * @param trips every trip, in time order (the rule re-arms after each)
     */
    public record RuleVerdict(Role role, String condition, List<Trip> trips) {
    }

    /**
     * One point of a PromQL range answer.
     *
     * @param at its evaluation time
     * @param values the finite values of the answer's series at that time (at least one)
     */
    public record QueryPoint(Instant at, double[] values) {
    }

    private final List<Rule> rules = new ArrayList<>();

    private record Rule(Role role, Condition written, UUID pseudoRun, Condition judged) {
    }

    public Backtest(List<Condition> autoAbort, List<Condition> steadyState) {
        autoAbort.forEach(c -> rules.add(new Rule(Role.AUTO_ABORT, c, UUID.randomUUID(), silenceIgnored(c, c.op()))));
        steadyState.forEach(c -> rules.add(new Rule(Role.STEADY_STATE, c, UUID.randomUUID(),
                silenceIgnored(c, negation(c.op())))));
    }

    /** Replays {@code samples} (sorted here by sample time) and returns each rule's trips. */
    public List<RuleVerdict> replay(List<MetricSample> samples) {
        return replay(samples, Map.of());
    }

    /**
     * Replays {@code samples} (sorted here by sample time) for the rules on pushed metrics, and {@code queryRanges}
     * (each query's points, sorted here by time) for the rules on PromQL queries, and returns each rule's trips.
     */
    public List<RuleVerdict> replay(List<MetricSample> samples, Map<String, List<QueryPoint>> queryRanges) {
        var ordered = new ArrayList<>(samples);
        ordered.sort((a, b) -> a.at().compareTo(b.at()));
        var verdicts = new ArrayList<RuleVerdict>();
        for (Rule rule : rules) {
            var trips = new ArrayList<Trip>();
            RuleBook book = newBook(rule);
            String query = rule.judged.query();
            if (query == null) {
                for (MetricSample s : ordered) {
                    if (s.name().equals(rule.judged.metric())) {
                        long at = s.at().toEpochMilli();
                        if (note(rule, trips, book.offer(rule.pseudoRun, s.name(), s.value(), at, s.histogram(), at))) {
                            book = newBook(rule); // re-arm: later trips are reported too
                        }
                    }
                }
            } else {
                var points = new ArrayList<>(queryRanges.getOrDefault(query, List.of()));
                points.sort((a, b) -> a.at().compareTo(b.at()));
                for (QueryPoint p : points) {
                    long at = p.at().toEpochMilli();
                    if (note(rule, trips, book.offerQuery(query, p.values(), at, at))) {
                        book = newBook(rule);
                    }
                }
            }
            verdicts.add(new RuleVerdict(rule.role, rule.written.describe(), trips));
        }
        return verdicts;
    }

    /** Notes the trips; whether there was one. */
    private static boolean note(Rule rule, List<Trip> trips, List<RunAborted> tripped) {
        for (RunAborted trip : tripped) {
            trips.add(new Trip(rule.role, rule.written.describe(), trip.reason().breachAt(),
                    trip.reason().firstBreachAt(), trip.reason().observed(), trip.reason().samples()));
        }
        return !tripped.isEmpty();
    }

    private static RuleBook newBook(Rule rule) {
        var forever = Duration.ofDays(365_000);
        var book = new RuleBook(new RuleBook.Settings("backtest", forever, forever, forever));
        var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("backtest"), new NetworkLoss(1), forever, null,
                null, List.of(rule.judged), null);
        book.watch(new RunStarted(rule.pseudoRun, "backtest", Trigger.MANUAL, Instant.EPOCH, spec), Instant.EPOCH);
        return book;
    }

    private static Condition silenceIgnored(Condition c, Comparison op) {
        return new Condition(c.metric(), op, c.threshold(), c.window(), c.aggregate(), c.holdFor(), c.minSamples(),
                NoData.IGNORE, null, c.query());
    }

    private static Comparison negation(Comparison op) {
        return switch (op) {
            case LT -> Comparison.GE;
            case LE -> Comparison.GT;
            case GT -> Comparison.LE;
            case GE -> Comparison.LT;
            case EQ -> Comparison.NE;
            case NE -> Comparison.EQ;
        };
    }
}
