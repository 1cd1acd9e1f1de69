package io.tumult.schemas.v1;

/**
 * The most a run may touch. A run whose resolved targets exceed either cap is refused before any action.
 *
 * @param maxTargets most targets a run may act on; null means no cap of its own
 * @param maxPercentage most targets as a percentage of the matching ones; null means no cap of its own
 */
public record BlastRadius(Integer maxTargets, Integer maxPercentage) {
}
