package io.tumult.executor.kubernetes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.schemas.v1.SelectionMode;

/**
 * Picks targets among candidates by mode. The pick is random but seeded by the run id, and candidates come sorted by
 * name: every executor that resolves the same run over the same candidates picks the same targets (node agents rely
 * on it; a dry run of the same run id shows what the run will hit).
 */
public final class Selection {

    private Selection() {
    }

    /**
     * How many of {@code candidates} the mode takes.
     *
     * @throws AttackException TARGET_NOT_FOUND when there is no candidate, or fewer than a fixed count
     */
    static int count(SelectionMode mode, Integer value, int candidates, Random random, String what) {
        if (candidates == 0) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "no " + what + " matches");
        }
        return switch (mode) {
            case ONE -> 1;
            case ALL -> candidates;
            case FIXED -> {
                if (value > candidates) {
                    throw new AttackException(Reason.TARGET_NOT_FOUND, "mode fixed asks for " + value + " but only "
                            + candidates + " " + what + "(s) match");
                }
                yield value;
            }
            case PERCENT -> Math.max(1, candidates * value / 100);
            case RANDOM_MAX_PERCENT -> 1 + random.nextInt(Math.max(1, candidates * value / 100));
        };
    }

    /**
     * The targets a run picks among {@code sortedCandidates} (sorted by a stable name).
     *
     * @throws AttackException TARGET_NOT_FOUND when there is nothing to pick
     */
    public static <T> List<T> pick(List<T> sortedCandidates, SelectionMode mode, Integer value, UUID runId,
            String what) {
        Random random = new Random(runId.getMostSignificantBits() * 31 + runId.getLeastSignificantBits());
        int count = count(mode, value, sortedCandidates.size(), random, what);
        var shuffled = new ArrayList<>(sortedCandidates);
        Collections.shuffle(shuffled, random);
        return List.copyOf(shuffled.subList(0, count));
    }
}
