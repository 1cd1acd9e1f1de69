package io.tumult.guardian.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.tumult.guardian.rules.HistogramQuantile.Buckets;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.DurationText;
import io.tumult.schemas.v1.Histogram;
import io.tumult.schemas.v1.MetricSample;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.SteadyStateStage;
import io.tumult.schemas.v1.SteadyStateVerdict;

/**
 * The evaluator: the runs one guardian shard watches, their autoAbort conditions, and the verdict on every sample
 * offered. Each run is aborted at most once by this book. The rules apply from the moment the run is watched; a sample
 * of a run not known yet is held for {@link #EARLY_HOLD_MILLIS} (at most {@link #EARLY_PER_RUN} per run) and judged
 * when the run's start arrives, since a run's start and its first samples travel on different topics and a consumer
 * may read the samples first.
 * <p>
 * <b>Time.</b> Windows are in event time (the sample's {@code at}). A sample timed more than
 * {@link Settings#futureTolerance()} ahead of the clock, or more than {@link Settings#lateTolerance()} behind it, is
 * refused ({@link SampleRejected}, the caller dead-letters it): so no sample can move a window's end further ahead
 * than the future tolerance, and none blinds a rule. A condition's metric is silent (no data) when its newest sample
 * time is further behind the clock than its allowance ({@code noDataAfter}, else the longer of the condition's window
 * and {@link Settings#noDataAfter()}); the clock starts when the run is watched.
 * <p>
 * <b>Steady state.</b> A run's {@code steadyState} conditions describe health, and are judged twice. Each time, each
 * condition is judged once, as soon as its samples span its window (and number at least its minimum), and the run
 * gets one {@link SteadyStateVerdict}: not held at the first condition that does not hold or whose metric stays silent
 * past its allowance, held once all held. {@link SteadyStateStage#BEFORE_INJECTION Before injection}, from the moment
 * the run is watched: executors inject only after a verdict that it held, and the autoAbort conditions guard the run
 * from then on. {@link SteadyStateStage#AFTER_REVERT After the revert} of a run that completed ({@link #reverted}): its
 * autoAbort conditions stop, the steady state is judged afresh on samples timed at or after the revert only, and the
 * run is forgotten after that verdict; the scheduler passes the run only on it. A run reverted past its deadline is
 * kept for that judgement (also when a rebuild rereads it). Verdicts are collected by {@link #verdicts()}.
 * <p>
 * <b>Queries.</b> A condition may name a PromQL {@link Condition#query() query} instead of a pushed metric. Its values
 * come from the Prometheus bridge through {@link #offerQuery} (one answer per query feeds every condition naming it);
 * when Prometheus cannot answer, the bridge says why through {@link #noDataBecause}, and a no-data abort for that
 * query names it. Pushed samples never reach a query's conditions, whatever their name.
 * <p>
 * Not thread-safe: one thread owns a book (a guardian shards its runs by partition, one book per consumer thread).
 */
public final class RuleBook {

    /**
     * The evaluator's settings.
     *
     * @param guardianId named as {@code guardian/<id>} in the aborts
     * @param noDataAfter default silence allowed before a metric counts as no data
     * @param lateTolerance how far behind the clock a sample may be timed
     * @param futureTolerance how far ahead of the clock a sample may be timed
     * @param globalGuards policy-level conditions over global series (samples without a run id): when one trips,
     *        every run is halted ({@link RunAborted#ALL_RUNS}); it trips again only after it stopped holding. Their
     *        silence is not judged: each replica sees only the global series keyed to its partitions.
     */
    public record Settings(String guardianId, Duration noDataAfter, Duration lateTolerance, Duration futureTolerance,
            List<Condition> globalGuards) {

        public Settings {
            globalGuards = globalGuards == null ? List.of() : List.copyOf(globalGuards);
        }

        /** Settings without global guards. */
        public Settings(String guardianId, Duration noDataAfter, Duration lateTolerance, Duration futureTolerance) {
            this(guardianId, noDataAfter, lateTolerance, futureTolerance, List.of());
        }
    }

    private static final long FORGET_AFTER_DEADLINE_MILLIS = 60_000;
    /**
     * How long past its longest steady-state window and allowed silence a run judged after its revert is kept: silence
     * decides its verdict before then, so this only bounds what a lost judgement could hold.
     */
    static final long AFTER_REVERT_MARGIN_MILLIS = 60_000;
    /** How many ended run ids are remembered (they only guard against rereading a start). */
    private static final int ENDED_RUNS = 100_000;
    /** How long a sample of a run not known yet waits for the run's start. */
    static final long EARLY_HOLD_MILLIS = 10_000;
    /** How many samples of one run not known yet are held (the newest). */
    static final int EARLY_PER_RUN = 256;
    /** How many runs not known yet may have samples held at once. */
    static final int EARLY_RUNS = 10_000;

    private final String source;
    private final long noDataAfterMillis;
    private final long lateMillis;
    private final long futureMillis;
    private final Map<UUID, WatchedRun> runs = new HashMap<>();
    private final Map<String, List<Watch>> byMetric = new HashMap<>();
    /** Numbers each offered sample, so that conditions sharing a ring add it once. */
    private long offers;
    /** The conditions on a PromQL query, by query: fed only by {@link #offerQuery}. */
    private final Map<String, List<Watch>> byQuery = new HashMap<>();
    /** Why a query has no data right now, as the Prometheus bridge said; cleared by its next answer. */
    private final Map<String, String> silenceReasons = new HashMap<>();
    private final Set<UUID> ended = new HashSet<>();
    /**
     * Starts read past their deadline that have steady-state conditions: a revert status may still follow (a rebuild
     * rereads starts and statuses of the same runs in no set order), after which they are judged after the revert.
     */
    private final Map<UUID, RunStarted> pastDeadline = new HashMap<>();
    /** Revert times of runs whose revert status was read before their start, in the order they were read. */
    private final LinkedHashMap<UUID, RevertAhead> revertsAhead = new LinkedHashMap<>();
    /** Runs judged after their revert, to forget once the sample or sweep that judged them is done. */
    private final List<UUID> judged = new ArrayList<>(0);
    /** Samples of runs not known yet, by run, in the order they were first held (so the oldest expire first). */
    private final LinkedHashMap<UUID, Early> early = new LinkedHashMap<>();
    /** Steady-state verdicts decided and not yet collected. */
    private final List<SteadyStateVerdict> verdicts = new ArrayList<>();

    private record Held(String metric, double value, long atMillis, Histogram histogram) {
    }

    private record RevertAhead(long revertedAtMillis, long readAtMillis) {
    }

    private static final class Early {
        final long firstHeldAt;
        final ArrayDeque<Held> samples = new ArrayDeque<>();

        Early(long firstHeldAt) {
            this.firstHeldAt = firstHeldAt;
        }
    }

    public RuleBook(Settings settings) {
        this.source = "guardian/" + settings.guardianId();
        this.noDataAfterMillis = settings.noDataAfter().toMillis();
        this.lateMillis = settings.lateTolerance().toMillis();
        this.futureMillis = settings.futureTolerance().toMillis();
        if (!settings.globalGuards().isEmpty()) {
            var policy = new WatchedRun(null, "global guards", Instant.MAX, List.of());
            for (Condition c : settings.globalGuards()) {
                var watch = new Watch(policy, c, new SampleRing(c.window().toMillis()), Long.MAX_VALUE,
                        Long.MAX_VALUE, false);
                policy.watches.add(watch);
                index(watch);
            }
        }
    }

    /**
     * Starts watching a run's conditions from {@code now}, and judges the samples of it held until now; a run with
     * none, already known or already ended is ignored. A run past its deadline is not watched: but one with
     * steady-state conditions whose revert was read already (or is read later, while its judgement would still be
     * due) is judged after its revert, see {@link #reverted}.
     *
     * @return the aborts the held samples decide
     */
    public List<RunAborted> watch(RunStarted start, Instant now) {
        UUID runId = start.runId();
        Early held = early.remove(runId);
        RevertAhead revert = revertsAhead.remove(runId);
        List<Condition> steadyState = start.spec().steadyState();
        if ((start.spec().autoAbort().isEmpty() && steadyState.isEmpty()) || ended.contains(runId)) {
            end(runId);
            return List.of();
        }
        if (runs.containsKey(runId) || pastDeadline.containsKey(runId)) {
            return List.of();
        }
        long nowMillis = now.toEpochMilli();
        var run = new WatchedRun(runId, start.experiment(), start.deadline(), steadyState);
        if (revert != null) {
            if (!startAfterRevert(run, revert.revertedAtMillis, nowMillis)) {
                return List.of();
            }
        } else if (!now.isBefore(start.deadline())) {
            if (!steadyState.isEmpty() && nowMillis <= afterRevertDue(steadyState, start.deadline().toEpochMilli())) {
                pastDeadline.put(runId, start);
            } else {
                end(runId);
            }
            return List.of();
        } else {
            run.verdictPending = !steadyState.isEmpty();
            steadyState.forEach(c -> watch(run, c, nowMillis, Long.MIN_VALUE, true));
            start.spec().autoAbort().forEach(c -> watch(run, c, nowMillis, Long.MIN_VALUE, false));
            runs.put(runId, run);
        }
        if (held == null || held.firstHeldAt < nowMillis - EARLY_HOLD_MILLIS) {
            return List.of();
        }
        var aborts = new ArrayList<RunAborted>(0);
        for (Held h : held.samples) {
            if (h.atMillis >= nowMillis - lateMillis) {
                aborts.addAll(offer(start.runId(), h.metric, h.value, h.atMillis, h.histogram, nowMillis));
            }
        }
        return aborts;
    }

    private void watch(WatchedRun run, Condition c, long watchedAtMillis, long notBeforeMillis, boolean steady) {
        // a run's abort conditions on one pushed metric and window share its samples; steady-state conditions stop
        // taking samples once judged, and a query's conditions each pick their own value: those keep their own
        SampleRing ring = steady || c.query() != null ? new SampleRing(c.window().toMillis())
                : run.rings.computeIfAbsent(new RingKey(c.metric(), c.window().toMillis()),
                        k -> new SampleRing(k.windowMillis()));
        var watch = new Watch(run, c, ring, watchedAtMillis, allowedSilence(c), steady);
        watch.notBefore = notBeforeMillis;
        run.watches.add(watch);
        if (c.metric() != null) {
            run.byMetric.computeIfAbsent(c.metric(), m -> new ArrayList<>()).add(watch);
        }
        index(watch);
    }

    /**
     * A run's status as an executor published it: {@link RunPhase#INJECTED} is shown ({@link #injected});
     * {@link RunPhase#REVERTED} starts the judgement after the revert ({@link #reverted}); any other end forgets the
     * run ({@link #forget}).
     */
    public void status(RunStatus status, Instant now) {
        switch (status.phase()) {
            case INJECTED -> injected(status.runId(), now);
            case REVERTED -> reverted(status.runId(), status.at(), now);
            case ABORTED, REFUSED, FAILED -> forget(status.runId());
        }
    }

    /** The fault is in place (shown to people; the rules apply from the run's start either way). */
    public void injected(UUID runId, Instant now) {
        WatchedRun run = runs.get(runId);
        if (run != null && run.injectedAt == null) {
            run.injectedAt = now;
        }
    }

    /** The run is over: stop watching it, and ignore its start should it be read again. */
    public void forget(UUID runId) {
        end(runId);
        early.remove(runId);
        pastDeadline.remove(runId);
        revertsAhead.remove(runId);
        unwatch(runId);
    }

    /**
     * The run completed: its fault was reverted at {@code revertedAt}, with no abort. A run without steady-state
     * conditions is forgotten. One with them is judged again: its autoAbort conditions stop (no abort for it any more),
     * and its steady-state conditions are judged afresh on samples timed at or after the revert only, by the same
     * rules as before injection (silence counts from the revert, or from {@code now} when the revert is read later,
     * as after a restart). Its one verdict, {@link SteadyStateStage#AFTER_REVERT after the revert}, goes to
     * {@link #verdicts()}, and the run is forgotten. A run whose verdict before injection never came is judged after
     * its revert all the same. A revert read before the run's start is remembered for {@link #EARLY_HOLD_MILLIS}; a
     * revert read when its judgement would no longer be due (see {@link #afterRevertDue}) forgets the run.
     */
    public void reverted(UUID runId, Instant revertedAt, Instant now) {
        if (ended.contains(runId)) {
            return;
        }
        long revertedAtMillis = revertedAt.toEpochMilli();
        long nowMillis = now.toEpochMilli();
        WatchedRun run = runs.get(runId);
        RunStarted start = pastDeadline.remove(runId);
        if (run != null) {
            if (run.afterRevert) {
                return; // the same status read twice
            }
            if (run.steadyState.isEmpty()) {
                forget(runId);
                return;
            }
            unwatchConditions(run);
            startAfterRevert(run, revertedAtMillis, nowMillis);
        } else if (start != null) {
            startAfterRevert(new WatchedRun(runId, start.experiment(), start.deadline(), start.spec().steadyState()),
                    revertedAtMillis, nowMillis);
        } else {
            if (revertsAhead.size() >= EARLY_RUNS) {
                revertsAhead.remove(revertsAhead.keySet().iterator().next());
            }
            revertsAhead.put(runId, new RevertAhead(revertedAtMillis, nowMillis));
        }
    }

    /**
     * Watches {@code run}'s steady-state conditions after its revert, unless it has none or the judgement is no longer
     * due (then it is forgotten); whether it is watched.
     */
    private boolean startAfterRevert(WatchedRun run, long revertedAtMillis, long nowMillis) {
        if (run.steadyState.isEmpty() || nowMillis > afterRevertDue(run.steadyState, revertedAtMillis)) {
            forget(run.runId);
            return false;
        }
        long from = Math.max(revertedAtMillis, nowMillis);
        run.afterRevert = true;
        run.verdictPending = true;
        run.forgetAt = afterRevertDue(run.steadyState, from);
        run.steadyState.forEach(c -> watch(run, c, from, revertedAtMillis, true));
        runs.put(run.runId, run);
        return true;
    }

    /**
     * Until when a judgement after a revert is due when its silence counts from {@code fromMillis}: past the longest of
     * the conditions' windows plus allowed silence, silence has decided it, so this is a backstop, with a margin.
     */
    private long afterRevertDue(List<Condition> steadyState, long fromMillis) {
        long longest = 0;
        for (Condition c : steadyState) {
            longest = Math.max(longest, c.window().toMillis() + allowedSilence(c));
        }
        return fromMillis + longest + AFTER_REVERT_MARGIN_MILLIS;
    }

    private void end(UUID runId) {
        if (ended.size() >= ENDED_RUNS) { // ids of ended runs only guard against rereading their start: bounded
            ended.clear();
        }
        ended.add(runId);
    }

    /** Forgets the runs judged after their revert (not while a sample or the sweep iterates their conditions). */
    private void forgetJudged() {
        if (!judged.isEmpty()) {
            judged.forEach(this::forget);
            judged.clear();
        }
    }

    /** Whether the run is watched. */
    public boolean watches(UUID runId) {
        return runs.containsKey(runId);
    }

    /**
     * Judges one sample: see {@link #offer(UUID, String, double, long, Histogram, long)}.
     *
     * @throws SampleRejected when it is timed beyond the tolerances
     */
    public List<RunAborted> offer(MetricSample sample, long nowMillis) {
        return offer(sample.runId(), sample.name(), sample.value(), sample.at().toEpochMilli(), sample.histogram(),
                nowMillis);
    }

    /**
     * The ingest: judges one observation of {@code metric} against the conditions listening to it (its run's, or every
     * watched run's when {@code runId} is null: a global series) and returns the aborts it decides. The value must be
     * finite.
     *
     * @param runId the run it concerns; null for a global series
     * @param atMillis its event time, epoch milliseconds
     * @param histogram the histogram it carries, or null
     * @param nowMillis the clock, epoch milliseconds
     * @throws SampleRejected when it is timed beyond the tolerances
     */
    public List<RunAborted> offer(UUID runId, String metric, double value, long atMillis, Histogram histogram,
            long nowMillis) {
        checkTime(atMillis, nowMillis);
        List<Watch> watches;
        if (runId != null) {
            WatchedRun run = runs.get(runId);
            if (run == null) {
                hold(runId, metric, value, atMillis, histogram, nowMillis);
                return List.of();
            }
            watches = run.byMetric.get(metric);
        } else {
            watches = byMetric.get(metric);
        }
        if (watches == null) {
            return List.of();
        }
        Buckets buckets = histogram == null ? null : Buckets.of(histogram);
        List<RunAborted> aborts = List.of();
        long offer = ++offers;
        for (int i = 0, n = watches.size(); i < n; i++) {
            Watch w = watches.get(i);
            RunAborted abort = w.offer(offer, atMillis, value, buckets, nowMillis);
            if (abort != null) {
                if (aborts.isEmpty()) {
                    aborts = new ArrayList<>(1);
                }
                aborts.add(abort);
            }
        }
        forgetJudged();
        return aborts;
    }

    /** Holds a sample of a run not known yet (not of one that ended), dropping what waited too long. */
    private void hold(UUID runId, String metric, double value, long atMillis, Histogram histogram, long nowMillis) {
        for (Iterator<Early> it = early.values().iterator(); it.hasNext();) {
            if (it.next().firstHeldAt >= nowMillis - EARLY_HOLD_MILLIS) {
                break;
            }
            it.remove();
        }
        if (ended.contains(runId)) {
            return;
        }
        Early e = early.get(runId);
        if (e == null) {
            if (early.size() >= EARLY_RUNS) {
                return;
            }
            e = new Early(nowMillis);
            early.put(runId, e);
        }
        if (e.samples.size() == EARLY_PER_RUN) {
            e.samples.removeFirst();
        }
        e.samples.addLast(new Held(metric, value, atMillis, histogram));
    }

    private void checkTime(long atMillis, long nowMillis) {
        if (atMillis > nowMillis + futureMillis) {
            throw new SampleRejected("sample timed " + (atMillis - nowMillis) + " ms ahead of the guardian's clock; "
                    + "tolerated: " + futureMillis + " ms");
        }
        if (atMillis < nowMillis - lateMillis) {
            throw new SampleRejected("sample timed " + (nowMillis - atMillis) + " ms behind the guardian's clock; "
                    + "tolerated: " + lateMillis + " ms");
        }
    }

    /** The distinct PromQL queries the watched runs' conditions and the global guards name. */
    public Set<String> queries() {
        return Set.copyOf(byQuery.keySet());
    }

    /**
     * The ingest for a PromQL query's answer at {@code atMillis}: offered to every condition naming that query (the
     * watched runs' and the global guards'), and returns the aborts it decides. When the answer holds several series,
     * each condition takes the one that breaches it if any (fail safe): the highest for {@code >} and {@code >=}, the
     * lowest for {@code <} and {@code <=}, for {@code ==} and {@code !=} the first that holds, else the first.
     *
     * @param values the answer's finite values, at least one
     * @throws SampleRejected when it is timed beyond the tolerances
     */
    public List<RunAborted> offerQuery(String query, double[] values, long atMillis, long nowMillis) {
        if (values.length == 0) {
            throw new IllegalArgumentException("an answer without a value is no data: use noDataBecause");
        }
        checkTime(atMillis, nowMillis);
        List<Watch> watches = byQuery.get(query);
        if (watches == null) {
            return List.of();
        }
        silenceReasons.remove(query);
        var aborts = new ArrayList<RunAborted>(0);
        for (Watch w : List.copyOf(watches)) {
            RunAborted abort = w.offer(-1, atMillis, pick(w.condition, values), null, nowMillis);
            if (abort != null) {
                aborts.add(abort);
            }
        }
        forgetJudged();
        return aborts;
    }

    /**
     * Records why {@code query} has no answer right now (for example {@code Prometheus at ... is unreachable}), to be
     * named by a no-data abort of a condition on it; its next answer clears it. It is not itself a sample: silence is
     * judged as for any metric.
     */
    public void noDataBecause(String query, String reason) {
        if (byQuery.containsKey(query)) {
            silenceReasons.put(query, reason);
        }
    }

    /** The value of a several-series answer that {@code condition} judges: the one that breaches it, if any. */
    static double pick(Condition condition, double[] values) {
        double picked = values[0];
        for (double v : values) {
            switch (condition.op()) {
                case GT, GE -> picked = Math.max(picked, v);
                case LT, LE -> picked = Math.min(picked, v);
                case EQ, NE -> {
                    if (condition.holdsFor(v)) {
                        return v;
                    }
                }
            }
        }
        return picked;
    }

    /**
     * Aborts for runs with a condition whose metric has been silent longer than it allows (unless the condition says
     * to ignore no data), and verdicts that the steady state did not hold for runs whose steady-state metric has; and
     * forgets runs a minute past their deadline whose end was never heard of (runs judged after their revert: past
     * {@link #afterRevertDue}).
     */
    public List<RunAborted> silentRuns(Instant now) {
        long nowMillis = now.toEpochMilli();
        runs.values().stream().filter(r -> nowMillis > r.forgetAt).map(r -> r.runId).toList().forEach(this::unwatch);
        pastDeadline.values().removeIf(
                s -> nowMillis > afterRevertDue(s.spec().steadyState(), s.deadline().toEpochMilli()));
        revertsAhead.values().removeIf(r -> r.readAtMillis < nowMillis - EARLY_HOLD_MILLIS);
        var aborts = new ArrayList<RunAborted>();
        for (WatchedRun run : runs.values()) {
            if (run.verdictPending) {
                for (Watch w : run.watches) {
                    long silent = nowMillis - w.lastEventAt;
                    if (w.steady && !w.decided && silent > w.allowedSilenceMillis) {
                        run.verdictPending = false;
                        verdicts.add(run.afterRevert
                                ? new SteadyStateVerdict(run.runId, run.experiment, false, now, source,
                                        "steady state did not return after the revert: " + silence(w, silent),
                                        w.condition, null, SteadyStateStage.AFTER_REVERT)
                                : new SteadyStateVerdict(run.runId, run.experiment, false, now, source,
                                        "steady state not shown: " + silence(w, silent), w.condition, null));
                        if (run.afterRevert) {
                            judged.add(run.runId);
                        }
                        break;
                    }
                }
            }
            if (run.aborted) {
                continue;
            }
            for (Watch w : run.watches) {
                if (w.steady) {
                    continue;
                }
                long silent = nowMillis - w.lastEventAt;
                if (w.condition.breachesOnNoData() && silent > w.allowedSilenceMillis) {
                    run.aborted = true;
                    aborts.add(new RunAborted(run.runId.toString(), source, now, new AbortReason(AbortKind.NO_DATA,
                            silence(w, silent) + "; no data is not healthy", w.condition, null, w.window.size(),
                            Instant.ofEpochMilli(w.lastEventAt + w.allowedSilenceMillis), now, null)));
                    break;
                }
            }
        }
        forgetJudged();
        return aborts;
    }

    /** Why a condition's metric counts as silent: for how long, what it allows, and why its query has no answer. */
    private String silence(Watch w, long silentMillis) {
        Condition c = w.condition;
        String why = c.query() == null ? null : silenceReasons.get(c.query());
        return "no sample of " + (c.query() == null ? c.metric() : "query " + c.query()) + " for " + silentMillis
                + " ms (allowed " + DurationText.format(Duration.ofMillis(w.allowedSilenceMillis)) + ")"
                + (why == null ? "" : ": " + why);
    }

    /** The steady-state verdicts decided since the last call, oldest first. */
    public List<SteadyStateVerdict> verdicts() {
        if (verdicts.isEmpty()) {
            return List.of();
        }
        var out = List.copyOf(verdicts);
        verdicts.clear();
        return out;
    }

    /** What is being watched, for people. */
    public List<WatchedRunView> describe() {
        var out = new ArrayList<WatchedRunView>();
        for (WatchedRun run : runs.values()) {
            out.add(view(run));
        }
        return out;
    }

    /** One watched run as {@link #describe()} shows it; empty when this book does not watch it. */
    public Optional<WatchedRunView> describe(UUID runId) {
        return Optional.ofNullable(runs.get(runId)).map(RuleBook::view);
    }

    private static WatchedRunView view(WatchedRun run) {
        var conditions = run.watches.stream().map(w -> {
            double value = w.window.value();
            return new WatchedRunView.ConditionView(w.condition.describe(), w.window.size(),
                    Double.isNaN(value) ? null : value, w.breachSince == Long.MIN_VALUE ? null
                            : Instant.ofEpochMilli(w.breachSince));
        }).toList();
        return new WatchedRunView(run.runId.toString(), run.experiment, run.injectedAt != null, run.aborted,
                conditions);
    }

    /** How many runs are watched. */
    public int size() {
        return runs.size();
    }

    /** The runs watched, by id. */
    public Set<UUID> runIds() {
        return Set.copyOf(runs.keySet());
    }

    private long allowedSilence(Condition c) {
        if (c.noDataAfter() != null) {
            return c.noDataAfter().toMillis();
        }
        return Math.max(c.window().toMillis(), noDataAfterMillis);
    }

    private void index(Watch watch) {
        Condition c = watch.condition;
        if (c.query() == null) {
            byMetric.computeIfAbsent(c.metric(), m -> new ArrayList<>()).add(watch);
        } else {
            byQuery.computeIfAbsent(c.query(), q -> new ArrayList<>()).add(watch);
        }
    }

    private void unwatch(UUID runId) {
        WatchedRun run = runs.remove(runId);
        if (run != null) {
            unwatchConditions(run);
        }
    }

    /** Takes every condition of {@code run} out of the indexes and the run. */
    private void unwatchConditions(WatchedRun run) {
        for (Watch w : run.watches) {
            Condition c = w.condition;
            Map<String, List<Watch>> index = c.query() == null ? byMetric : byQuery;
            String key = c.query() == null ? c.metric() : c.query();
            List<Watch> watches = index.get(key);
            watches.remove(w);
            if (watches.isEmpty()) {
                index.remove(key);
                if (index == byQuery) {
                    silenceReasons.remove(key);
                }
            }
        }
        run.watches.clear();
        run.byMetric.clear();
        run.rings.clear();
    }

    private record RingKey(String metric, long windowMillis) {
    }

    private static final class WatchedRun {
        final UUID runId;
        final String experiment;
        final List<Condition> steadyState;
        final List<Watch> watches = new ArrayList<>();
        final Map<String, List<Watch>> byMetric = new HashMap<>();
        /** The rings its abort conditions share, by metric and window. */
        final Map<RingKey, SampleRing> rings = new HashMap<>();
        Instant injectedAt;
        boolean aborted;
        /** It has steady-state conditions and no verdict yet (in the current stage). */
        boolean verdictPending;
        /** It was reverted: only its steady-state conditions are watched, for the verdict after the revert. */
        boolean afterRevert;
        /** When the sweep forgets it if its end was never heard of (epoch milliseconds). */
        long forgetAt;

        WatchedRun(UUID runId, String experiment, Instant deadline, List<Condition> steadyState) {
            this.runId = runId;
            this.experiment = experiment;
            this.steadyState = steadyState;
            this.forgetAt = deadline.equals(Instant.MAX) ? Long.MAX_VALUE
                    : deadline.toEpochMilli() + FORGET_AFTER_DEADLINE_MILLIS;
        }
    }

    private final class Watch {
        final WatchedRun run;
        final Condition condition;
        final SampleWindow window;
        final int minSamples;
        final long holdForMillis;
        final long allowedSilenceMillis;
        /** A steady-state condition: judged once, for the verdict, never an abort. */
        final boolean steady;
        long lastEventAt;
        long breachSince = Long.MIN_VALUE;
        long firstAt = Long.MAX_VALUE;
        /** Samples timed before this (the revert, for a judgement after it) are not counted. */
        long notBefore = Long.MIN_VALUE;
        boolean decided;

        Watch(WatchedRun run, Condition condition, SampleRing ring, long watchedAtMillis, long allowedSilenceMillis,
                boolean steady) {
            this.run = run;
            this.steady = steady;
            this.condition = condition;
            this.window = new SampleWindow(condition, ring);
            this.minSamples = condition.minSamplesOrOne();
            this.holdForMillis = condition.holdForOrZero().toMillis();
            this.allowedSilenceMillis = allowedSilenceMillis;
            this.lastEventAt = watchedAtMillis;
        }

        /**
         * Takes one sample ({@code offer}: its number, the same for every condition it is offered to; -1 for none);
         * returns the abort when the condition now trips, else null.
         */
        RunAborted offer(long offer, long at, double value, Buckets histogram, long nowMillis) {
            if (steady) {
                judgeSteadyState(at, value, histogram, nowMillis);
                return null;
            }
            if (run.aborted && run.runId != null) {
                return null;
            }
            if (at > lastEventAt) {
                lastEventAt = at;
            }
            if (!window.add(offer, at, value, histogram)) {
                return null; // older than the window: it changes nothing
            }
            if (window.size() < minSamples || !window.holds()) {
                breachSince = Long.MIN_VALUE;
                if (run.runId == null) {
                    run.aborted = false; // a global guard re-arms once it no longer holds
                }
                return null;
            }
            if (run.aborted) {
                return null; // a global guard that tripped and still holds
            }
            if (breachSince == Long.MIN_VALUE) {
                breachSince = at;
            }
            if (window.newest() - breachSince < holdForMillis) {
                return null;
            }
            run.aborted = true;
            double observed = window.value();
            int samples = window.size();
            String message = condition.describe() + " held: observed " + observed + " over " + samples
                    + (samples == 1 ? " sample" : " samples");
            return new RunAborted(run.runId == null ? RunAborted.ALL_RUNS : run.runId.toString(),
                    run.runId == null ? source + " (global guard)" : source, Instant.ofEpochMilli(nowMillis),
                    new AbortReason(AbortKind.AUTO_ABORT, message, condition, Double.isNaN(observed) ? null : observed,
                            samples, Instant.ofEpochMilli(breachSince), Instant.ofEpochMilli(at), null));
        }

        /** A steady-state condition's sample: once its samples span its window, it is judged, and maybe the run. */
        private void judgeSteadyState(long at, double value, Buckets histogram, long nowMillis) {
            if (decided || !run.verdictPending || at < notBefore) {
                return;
            }
            if (at > lastEventAt) {
                lastEventAt = at;
            }
            window.add(at, value, histogram);
            firstAt = Math.min(firstAt, at);
            if (at - firstAt < condition.window().toMillis() || window.size() < minSamples) {
                return;
            }
            decided = true;
            double observed = window.value();
            String seen = " observed " + observed + " over " + window.size() + " samples";
            if (!window.holds()) {
                decide(false, (run.afterRevert ? "steady state did not return after the revert: "
                        : "steady state did not hold: ") + condition.describe() + seen, condition,
                        Double.isNaN(observed) ? null : observed, nowMillis);
                return;
            }
            for (Watch w : run.watches) {
                if (w.steady && !w.decided) {
                    return;
                }
            }
            decide(true, (run.afterRevert ? "steady state held after the revert: " : "steady state held: ")
                    + run.watches.stream().filter(w -> w.steady).map(w -> w.condition.describe())
                            .reduce((a, b) -> a + ", " + b).orElse(""),
                    null, null, nowMillis);
        }

        /** The run's verdict in its current stage; a run judged after its revert is then forgotten. */
        private void decide(boolean held, String message, Condition failed, Double observed, long nowMillis) {
            run.verdictPending = false;
            verdicts.add(new SteadyStateVerdict(run.runId, run.experiment, held, Instant.ofEpochMilli(nowMillis),
                    source, message, failed, observed,
                    run.afterRevert ? SteadyStateStage.AFTER_REVERT : SteadyStateStage.BEFORE_INJECTION));
            if (run.afterRevert) {
                judged.add(run.runId);
            }
        }
    }
}
