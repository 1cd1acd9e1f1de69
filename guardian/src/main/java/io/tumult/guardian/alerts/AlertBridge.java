package io.tumult.guardian.alerts;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.tumult.guardian.alerts.AlertsConfig.Unmapped;
import io.tumult.guardian.runs.LiveRun;
import io.tumult.guardian.runs.LiveRuns;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.RunAborted;

/**
 * Turns received alerts into aborts. A firing alert's labels say what it aborts: {@code tumult_run_id} that run,
 * {@code tumult_experiment} that experiment's live runs, {@code tumult_namespace} the live runs whose target is in
 * that namespace, {@code tumult_halt: all} every run (halt-all); several labels add up. An alert without any follows
 * {@link AlertsConfig#unmapped()}. A resolved alert does nothing, and each alert identity aborts once.
 * <p>
 * The live runs come from {@link LiveRuns}: every run in progress, whichever replica evaluates it, so an alert for an
 * experiment or a namespace aborts every matching run. Until that view is complete (at start-up), a batch that needs
 * it is refused with {@link RunsNotYetKnown}, before any alert of it is remembered: its sender retries.
 */
@ApplicationScoped
public class AlertBridge {

    public static final String RUN_ID = "tumult_run_id";
    public static final String EXPERIMENT = "tumult_experiment";
    public static final String NAMESPACE = "tumult_namespace";
    public static final String HALT = "tumult_halt";

    private static final Logger LOG = Logger.getLogger(AlertBridge.class);

    private final LiveRuns live;
    private final Unmapped unmapped;
    private final Clock clock = Clock.systemUTC();
    /** Alert identities that have aborted, oldest first, bounded. */
    private final Map<String, Boolean> handled;

    AlertBridge(LiveRuns live, AlertsConfig config) {
        this.live = live;
        this.unmapped = config.unmapped();
        int remembered = config.rememberedAlerts();
        this.handled = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > remembered;
            }
        };
    }

    /** What a batch of alerts from one sender decides. */
    public record Decision(List<RunAborted> aborts, int firing, int resolved, int duplicates, List<String> unmapped) {
    }

    /** The live runs are not all known yet: the batch is refused whole, to be sent again. */
    public static final class RunsNotYetKnown extends RuntimeException {
        RunsNotYetKnown() {
            super("the guardian is still reading the runs in progress from Kafka; send the alerts again shortly");
        }
    }

    /**
     * Decides the aborts for {@code alerts} from {@code sender}.
     *
     * @throws RunsNotYetKnown when an alert must be matched against the live runs and they are not all known yet
     */
    public Decision decide(String sender, List<Alert> alerts) {
        Instant now = clock.instant();
        if (!live.complete() && alerts.stream().anyMatch(a -> a.firing() && needsLiveRuns(a))) {
            throw new RunsNotYetKnown();
        }
        var aborts = new LinkedHashMap<String, RunAborted>(); // one abort per run per batch: the first alert's
        var unmappedNames = new ArrayList<String>();
        int firing = 0;
        int resolved = 0;
        int duplicates = 0;
        for (Alert alert : alerts) {
            if (!alert.firing()) {
                resolved++;
                // an identity without start time (Grafana's Kafka records: incident/labels) would stay "seen" for
                // good; the group's resolution ends the episode, so that its next firing aborts again
                String episodes = sender + "|" + alert.identity() + "/";
                synchronized (handled) {
                    handled.keySet().removeIf(k -> k.startsWith(episodes));
                }
                continue;
            }
            firing++;
            synchronized (handled) {
                if (handled.putIfAbsent(sender + "|" + alert.identity(), Boolean.TRUE) != null) {
                    duplicates++;
                    continue;
                }
            }
            Set<String> runs = targets(alert, now);
            if (runs == null) {
                unmappedNames.add(alert.name());
                LOG.warnf("alert %s from %s carries no tumult_* label; unmapped=none: nothing aborted", alert.name(),
                        sender);
                continue;
            }
            var reason = new AbortReason(AbortKind.ALERT, "alert " + alert.name() + " from " + sender + " fired"
                    + (alert.startsAt() == null ? "" : " at " + alert.startsAt()) + " (" + mapping(alert) + ")", null,
                    null);
            for (String run : runs) {
                aborts.putIfAbsent(run, new RunAborted(run, "alerts/" + sender, now, reason));
            }
        }
        return new Decision(List.copyOf(aborts.values()), firing, resolved, duplicates, unmappedNames);
    }

    /** Whether an alert's targets are found among the live runs (by experiment, namespace, or as unmapped). */
    private boolean needsLiveRuns(Alert alert) {
        Map<String, String> labels = alert.labels();
        if ("all".equalsIgnoreCase(labels.get(HALT))) {
            return false;
        }
        if (labels.containsKey(EXPERIMENT) || labels.containsKey(NAMESPACE)) {
            return true;
        }
        return !labels.containsKey(RUN_ID) && unmapped == Unmapped.ABORT_LIVE_RUNS;
    }

    /** The run ids an alert aborts ({@code *} for halt-all), or null when it is unmapped and that means nothing. */
    private Set<String> targets(Alert alert, Instant now) {
        Map<String, String> labels = alert.labels();
        var runs = new LinkedHashSet<String>();
        boolean mapped = false;
        if ("all".equalsIgnoreCase(labels.get(HALT))) {
            return Set.of(RunAborted.ALL_RUNS);
        }
        if (labels.containsKey(RUN_ID)) {
            mapped = true;
            runs.add(UUID.fromString(labels.get(RUN_ID)).toString());
        }
        if (labels.containsKey(EXPERIMENT) || labels.containsKey(NAMESPACE)) {
            mapped = true;
            for (LiveRun run : live.live(now)) {
                if (run.experiment().equals(labels.get(EXPERIMENT))
                        || run.namespace() != null && run.namespace().equals(labels.get(NAMESPACE))) {
                    runs.add(run.runId().toString());
                }
            }
        }
        if (mapped) {
            return runs;
        }
        return switch (unmapped) {
            case ABORT_LIVE_RUNS -> {
                live.live(now).forEach(run -> runs.add(run.runId().toString()));
                yield runs;
            }
            case HALT_ALL -> Set.of(RunAborted.ALL_RUNS);
            case NONE -> null;
        };
    }

    private String mapping(Alert alert) {
        var parts = new ArrayList<String>();
        for (String label : List.of(HALT, RUN_ID, EXPERIMENT, NAMESPACE)) {
            if (alert.labels().containsKey(label)) {
                parts.add(label + "=" + alert.labels().get(label));
            }
        }
        return parts.isEmpty() ? "no tumult_* label: unmapped=" + unmapped.name().toLowerCase().replace('_', '-')
                : String.join(", ", parts);
    }

    /** Whether a {@code tumult_run_id} label holds a run id; payload readers refuse one that does not. */
    static boolean isUuid(String text) {
        try {
            UUID.fromString(text);
            return text.length() == 36;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
