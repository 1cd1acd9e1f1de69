package io.tumult.scheduler.api;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.tumult.scheduler.run.RunEntity;
import io.tumult.scheduler.run.RunEventEntity;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortReason;

/** Recorded runs as REST answers. */
final class RunViews {

    private static final ObjectMapper READER = TumultJson.configure(JsonMapper.builder().build());

    private RunViews() {
    }

    static RunView of(RunEntity run, List<RunEventEntity> steps) {
        return new RunView(run.id, run.experiment, run.trigger.name().toLowerCase(Locale.ROOT),
                run.triggeredBy != null ? run.triggeredBy : run.trigger.name().toLowerCase(Locale.ROOT),
                run.fireTime, run.deadline, run.status, reason(run), run.abortedBy, run.abortRequestedAt, run.updatedAt,
                steps == null ? null
                        : steps.stream().map(e -> new RunView.Step(e.phase, e.at, e.executor, e.message, e.recordedAt))
                                .toList());
    }

    private static RunView.Reason reason(RunEntity run) {
        if (run.abortReason != null) {
            AbortReason abort = abortReason(run.abortReason);
            return new RunView.Reason(run.reasonKind, abort.message(), abort.condition(), abort.observed());
        }
        if (run.reason == null && run.reasonKind == null) {
            return null;
        }
        return new RunView.Reason(run.reasonKind, run.reason, null, null);
    }

    private static AbortReason abortReason(String json) {
        try {
            return READER.readValue(json, AbortReason.class);
        } catch (JsonProcessingException e) { // the column only ever holds an encoded AbortReason
            throw new IllegalStateException("a stored abort reason is not an AbortReason: " + e.getOriginalMessage(), e);
        }
    }
}
