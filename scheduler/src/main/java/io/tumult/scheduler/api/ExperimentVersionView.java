package io.tumult.scheduler.api;

import java.time.Instant;
import java.util.List;

import io.tumult.schemas.v1.Experiment;

/**
 * One version of an experiment.
 *
 * @param version 1 for the first, one more for each change
 * @param change CREATED, REPLACED or DELETED
 * @param changedBy who: {@code user:<name>}
 * @param changedAt when
 * @param changedPaths the JSON paths that differ from the previous version ({@code $} for a first version)
 * @param document the experiment as of this version; absent for a deletion, and in lists
 */
public record ExperimentVersionView(int version, String change, String changedBy, Instant changedAt,
        List<String> changedPaths, Experiment document) {
}
