package io.tumult.scheduler.run;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.RunStatus;

/** Records what executors report about runs, once per step, and reads runs back with their history. */
@ApplicationScoped
public class RunHistory {

    private static final Logger LOG = Logger.getLogger(RunHistory.class);

    private static final com.fasterxml.jackson.databind.ObjectMapper READER = new com.fasterxml.jackson.databind.ObjectMapper();

    private final Clock clock = Clock.systemUTC();

    /** Records a step; a duplicate is ignored, a final status is never left again. */
    public Uni<Void> record(RunStatus status) {
        String phase = status.phase().name().toLowerCase(java.util.Locale.ROOT);
        return Panache.withTransaction(() -> RunEntity.<RunEntity> findById(status.runId()).chain(run -> {
            if (run == null) {
                LOG.warnf("runId=%s status %s for a run this scheduler did not start: ignored", status.runId(), phase);
                return Uni.createFrom().voidItem();
            }
            return RunEventEntity.count("runId = ?1 and phase = ?2", status.runId(), phase).chain(seen -> {
                if (seen > 0) {
                    return Uni.createFrom().voidItem();
                }
                var event = new RunEventEntity();
                event.runId = status.runId();
                event.phase = phase;
                event.at = status.at();
                event.executor = status.executor();
                event.message = status.message();
                event.detail = status.abortReason() == null ? null : json(status.abortReason());
                event.recordedAt = clock.instant();
                if (!run.status.terminal()) {
                    run.status = RunStatusValue.of(status.phase());
                    if (status.abortReason() != null) {
                        run.reason = json(status.abortReason());
                    } else if (status.phase().terminal()) {
                        run.reason = status.message();
                    }
                    run.updatedAt = event.recordedAt;
                }
                return event.persist().replaceWithVoid();
            });
        }));
    }

    /** A run with its history, oldest step first. */
    public Uni<Map<String, Object>> find(UUID runId) {
        return Panache.withSession(() -> RunEntity.<RunEntity> findById(runId).chain(run -> run == null
                ? Uni.createFrom().<Map<String, Object>> nullItem()
                : RunEventEntity.<RunEventEntity> list("runId = ?1 order by at, id", runId)
                        .map(events -> view(run, events))));
    }

    /** The runs of one experiment, newest first, without their history. */
    public Uni<List<Map<String, Object>>> ofExperiment(String name) {
        return Panache.withSession(() -> RunEntity.<RunEntity> list("experiment = ?1 order by fireTime desc", name)
                .map(runs -> runs.stream().map(run -> view(run, null)).toList()));
    }

    private static Map<String, Object> view(RunEntity run, List<RunEventEntity> events) {
        var m = new LinkedHashMap<String, Object>();
        m.put("runId", run.id.toString());
        m.put("experiment", run.experiment);
        m.put("trigger", run.trigger.name().toLowerCase(java.util.Locale.ROOT));
        m.put("fireTime", run.fireTime.toString());
        m.put("deadline", run.deadline.toString());
        m.put("status", run.status.name());
        m.put("reason", reason(run.reason));
        if (events != null) {
            m.put("history", events.stream().map(e -> {
                var step = new LinkedHashMap<String, Object>();
                step.put("phase", e.phase);
                step.put("at", e.at.toString());
                step.put("executor", e.executor);
                step.put("message", e.message);
                step.put("recordedAt", e.recordedAt.toString());
                return step;
            }).toList());
        }
        return m;
    }

    /** A JSON reason is returned as JSON, a sentence as text. */
    private static Object reason(String reason) {
        if (reason == null || !reason.startsWith("{")) {
            return reason;
        }
        try {
            return READER.readTree(reason);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return reason;
        }
    }

    private static String json(Object value) {
        return new String(TumultJson.encode(value), StandardCharsets.UTF_8);
    }
}
