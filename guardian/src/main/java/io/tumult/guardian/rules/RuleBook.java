package io.tumult.guardian.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.MetricSample;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStarted;

/**
 * The runs the guardian watches and their autoAbort conditions, evaluated on every arriving sample. Each run is
 * aborted at most once. Samples that arrive before their run's start is known are not kept: the rules apply from
 * the moment the guardian learns of the run.
 */
public final class RuleBook {

    private final String source;
    private final Duration noDataAfter;
    private final Map<UUID, WatchedRun> runs = new HashMap<>();
    /** Keyed by {@link Condition#series()}: a pushed metric's name, or {@code promql:<query>}. */
    private final Map<String, List<Watch>> byMetric = new HashMap<>();
    /** Why a series has no data, as its source said (Prometheus down...); cleared by its next sample. */
    private final Map<String, String> silenceReasons = new HashMap<>();

    public RuleBook(String guardianId, Duration noDataAfter) {
        this.source = "guardian/" + guardianId;
        this.noDataAfter = noDataAfter;
    }

    /** Starts watching a run's autoAbort conditions; a run with none, or already known, is ignored. */
    public synchronized void watch(RunStarted start, Instant now) {
        if (start.spec().autoAbort().isEmpty() || runs.containsKey(start.runId())) {
            return;
        }
        var run = new WatchedRun(start.runId(), start.experiment(), start.deadline());
        for (Condition c : start.spec().autoAbort()) {
            var watch = new Watch(run, c);
            watch.lastSampleAt = now; // the no-data clock starts with the run
            run.watches.add(watch);
            byMetric.computeIfAbsent(c.series(), m -> new ArrayList<>()).add(watch);
        }
        runs.put(start.runId(), run);
    }

    /** The fault is in place (shown to people; the rules apply from the run's start either way). */
    public synchronized void injected(UUID runId, Instant now) {
        WatchedRun run = runs.get(runId);
        if (run != null && run.injectedAt == null) {
            run.injectedAt = now;
        }
    }

    /** The run is over: stop watching it. */
    public synchronized void forget(UUID runId) {
        WatchedRun run = runs.remove(runId);
        if (run != null) {
            for (Watch w : run.watches) {
                List<Watch> watches = byMetric.get(w.condition.series());
                watches.remove(w);
                if (watches.isEmpty()) {
                    byMetric.remove(w.condition.series());
                    silenceReasons.remove(w.condition.series());
                }
            }
        }
    }

    /**
     * Evaluates every condition listening to this sample's metric (its run's, or every run's for a global series)
     * and returns the aborts this sample decides.
     */
    public synchronized List<RunAborted> onSample(MetricSample sample, Instant now) {
        List<Watch> watches = byMetric.get(sample.name());
        if (watches == null) {
            return List.of();
        }
        silenceReasons.remove(sample.name());
        List<RunAborted> aborts = List.of();
        long at = sample.at().toEpochMilli();
        for (Watch w : watches) {
            if (w.run.aborted || (sample.runId() != null && !sample.runId().equals(w.run.runId))) {
                continue;
            }
            w.lastSampleAt = now;
            if (!w.window.add(at, sample.value())) {
                continue;
            }
            double value = w.window.aggregate(w.condition.aggregate());
            if (w.condition.holdsFor(value)) {
                w.run.aborted = true;
                int samples = w.window.size();
                String message = w.condition.describe() + " held: observed " + value + " over " + samples
                        + (samples == 1 ? " sample" : " samples");
                if (aborts.isEmpty()) {
                    aborts = new ArrayList<>(1);
                }
                aborts.add(new RunAborted(w.run.runId.toString(), source, now,
                        new AbortReason(AbortKind.AUTO_ABORT, message, w.condition, value)));
            }
        }
        return aborts;
    }

    /**
     * Aborts for runs whose conditions' metrics have been silent too long. The clock starts when the run is
     * watched, not when its fault is reported in place: the two arrive on different topics, in either order.
     */
    public synchronized List<RunAborted> silentRuns(Instant now) {
        var aborts = new ArrayList<RunAborted>();
        // a run whose end we never heard of is forgotten a minute after its hard deadline
        runs.values().stream().filter(r -> now.isAfter(r.deadline.plusSeconds(60))).map(r -> r.runId).toList()
                .forEach(this::forget);
        for (WatchedRun run : runs.values()) {
            if (run.aborted) {
                continue;
            }
            for (Watch w : run.watches) {
                Duration allowed = w.condition.window().compareTo(noDataAfter) > 0 ? w.condition.window() : noDataAfter;
                Duration silent = Duration.between(w.lastSampleAt, now);
                if (silent.compareTo(allowed) > 0) {
                    run.aborted = true;
                    String why = silenceReasons.get(w.condition.series());
                    String of = w.condition.query() == null ? w.condition.metric()
                            : "query " + w.condition.query();
                    aborts.add(new RunAborted(run.runId.toString(), source, now, new AbortReason(AbortKind.NO_DATA,
                            "no sample of " + of + " for " + silent.toMillis() + " ms"
                                    + (why == null ? "" : " (" + why + ")") + "; no data is not healthy",
                            w.condition, null)));
                    break;
                }
            }
        }
        return aborts;
    }

    /**
     * Records why {@code series} has no data right now (for example {@code Prometheus at ... is unreachable}), to be
     * named by a no-data abort; its next sample clears it. Does not itself count as a sample.
     */
    public synchronized void noDataBecause(String series, String reason) {
        if (byMetric.containsKey(series)) {
            silenceReasons.put(series, reason);
        }
    }

    /** What is being watched, for people. */
    public synchronized List<Map<String, Object>> describe() {
        var out = new ArrayList<Map<String, Object>>();
        for (WatchedRun run : runs.values()) {
            var conditions = run.watches.stream().map(w -> {
                var m = new HashMap<String, Object>();
                m.put("condition", w.condition.describe());
                m.put("samples", w.window.size());
                double value = w.window.aggregate(w.condition.aggregate());
                m.put("value", Double.isNaN(value) ? null : value);
                return m;
            }).toList();
            var m = new HashMap<String, Object>();
            m.put("runId", run.runId.toString());
            m.put("experiment", run.experiment);
            m.put("injected", run.injectedAt != null);
            m.put("aborted", run.aborted);
            m.put("conditions", conditions);
            out.add(m);
        }
        return out;
    }

    /** How many runs are watched, for the heartbeat. */
    public synchronized int size() {
        return runs.size();
    }

    private static final class WatchedRun {
        final UUID runId;
        final String experiment;
        final Instant deadline;
        final List<Watch> watches = new ArrayList<>();
        Instant injectedAt;
        boolean aborted;

        WatchedRun(UUID runId, String experiment, Instant deadline) {
            this.runId = runId;
            this.experiment = experiment;
            this.deadline = deadline;
        }
    }

    private static final class Watch {
        final WatchedRun run;
        final Condition condition;
        final SlidingWindow window;
        Instant lastSampleAt;

        Watch(WatchedRun run, Condition condition) {
            this.run = run;
            this.condition = condition;
            this.window = new SlidingWindow(condition.window().toMillis());
        }
    }
}
