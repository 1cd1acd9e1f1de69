package io.tumult.executor.attack.kubernetes;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * What an API-level fault records on the object it changes, in the same write as the change: a label naming the
 * attack kind (so leftovers are found with one labelled list call) and annotations with the run id, the run's hard
 * deadline, the executor, and every original value the revert puts back ({@code tumult.io/original-replicas}, ...).
 * A restarted executor, or any other one once the deadline has passed, restores the object from these alone.
 */
public final class FaultRecord {

    /** Label on every object a fault changed (or created); its value is the attack kind. */
    public static final String FAULT = "tumult.io/fault";
    public static final String RUN_ID = "tumult.io/run-id";
    public static final String DEADLINE = "tumult.io/deadline";
    public static final String EXECUTOR = "tumult.io/executor";
    /** Prefix of the annotations holding original values. */
    public static final String ORIGINAL = "tumult.io/original-";

    private FaultRecord() {
    }

    /** Marks {@code meta} as changed by {@code kind} for {@code runId}, keeping {@code originals}. */
    static void mark(ObjectMeta meta, String kind, UUID runId, Instant deadline, String executor,
            Map<String, String> originals) {
        var labels = meta.getLabels() == null ? new HashMap<String, String>() : new HashMap<>(meta.getLabels());
        labels.put(FAULT, kind);
        meta.setLabels(labels);
        var annotations = meta.getAnnotations() == null ? new HashMap<String, String>()
                : new HashMap<>(meta.getAnnotations());
        annotations.put(RUN_ID, runId.toString());
        if (deadline != null && !deadline.equals(Instant.MAX)) {
            annotations.put(DEADLINE, deadline.toString());
        }
        annotations.put(EXECUTOR, executor);
        originals.forEach((k, v) -> annotations.put(ORIGINAL + k, v));
        meta.setAnnotations(annotations);
    }

    /** Removes every mark of a fault from {@code meta}. */
    static void clear(ObjectMeta meta) {
        if (meta.getLabels() != null) {
            var labels = new HashMap<>(meta.getLabels());
            labels.remove(FAULT);
            meta.setLabels(labels);
        }
        if (meta.getAnnotations() != null) {
            var annotations = new HashMap<>(meta.getAnnotations());
            annotations.keySet().removeIf(k -> k.equals(RUN_ID) || k.equals(DEADLINE) || k.equals(EXECUTOR)
                    || k.startsWith(ORIGINAL));
            meta.setAnnotations(annotations);
        }
    }

    /** The run whose fault {@code object} carries, if any. */
    public static Optional<UUID> runOf(HasMetadata object) {
        var annotations = object.getMetadata().getAnnotations();
        String run = annotations == null ? null : annotations.get(RUN_ID);
        try {
            return Optional.ofNullable(run).map(UUID::fromString);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The recorded deadline of {@code object}'s fault, if any. */
    public static Optional<Instant> deadlineOf(HasMetadata object) {
        var annotations = object.getMetadata().getAnnotations();
        try {
            return Optional.ofNullable(annotations == null ? null : annotations.get(DEADLINE)).map(Instant::parse);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The executor that recorded {@code object}'s fault, if any. */
    public static Optional<String> executorOf(HasMetadata object) {
        var annotations = object.getMetadata().getAnnotations();
        return Optional.ofNullable(annotations == null ? null : annotations.get(EXECUTOR));
    }

    /** The original value recorded under {@code key}, if any. */
    static Optional<String> original(HasMetadata object, String key) {
        var annotations = object.getMetadata().getAnnotations();
        return Optional.ofNullable(annotations == null ? null : annotations.get(ORIGINAL + key));
    }
}
