package io.tumult.schemas.v1;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * An executor's answer to a {@link DryRunRequested}: the targets the experiment would hit now, or why a run would be
 * refused. Nothing was touched. Published on {@link Topics#DRY_RUN_RESULTS} keyed by the request id.
 *
 * @param requestId the request answered
 * @param executor the answering executor's id
 * @param answeredAt when it answered
 * @param refused whether a run would be refused now
 * @param targets the targets a run would act on ({@code kind/name}); empty when refused
 * @param candidates how many targets matched before the selection mode picked, when known
 * @param reason why a run would be refused; null when not
 * @param message for people: what would be hit, or why not
 */
public record DryRunResult(UUID requestId, String executor, Instant answeredAt, boolean refused, List<String> targets,
        Integer candidates, StatusReason reason, String message) {

    public DryRunResult {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(answeredAt, "answeredAt");
        Objects.requireNonNull(message, "message");
        targets = targets == null ? List.of() : List.copyOf(targets);
    }
}
