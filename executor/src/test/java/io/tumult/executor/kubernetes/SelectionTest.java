package io.tumult.executor.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.schemas.v1.SelectionMode;

/** How many of a known set of candidates each selection mode picks, and that a run id always picks the same ones. */
class SelectionTest {

    private static final List<String> TEN = IntStream.rangeClosed(1, 10).mapToObj(i -> "shop/cart-" + i).toList();

    @ParameterizedTest(name = "{0} {1} of 10 picks {2}")
    @CsvSource(nullValues = "-", value = {
            "ONE,     -,   1",
            "ALL,     -,   10",
            "FIXED,   1,   1",
            "FIXED,   7,   7",
            "FIXED,   10,  10",
            "PERCENT, 50,  5",
            "PERCENT, 35,  3",
            "PERCENT, 100, 10",
            "PERCENT, 5,   1" })
    void shouldPickTheModesCountOfDistinctCandidates(SelectionMode mode, Integer value, int expected) {
        // When
        List<String> picked = Selection.pick(TEN, mode, value, UUID.randomUUID(), "pod");

        // Then
        assertThat(picked).hasSize(expected).doesNotHaveDuplicates().isSubsetOf(TEN);
    }

    @Test
    void shouldPickBetweenOneAndTheMaxPercentAtRandomTheSameForOneRunId() {
        // Given: 40% of 10 is at most 4
        List<UUID> runIds = IntStream.range(0, 200).mapToObj(i -> new UUID(i, 31L * i + 7)).toList();

        // When
        Map<UUID, List<String>> picks = runIds.stream().collect(Collectors.toMap(id -> id,
                id -> Selection.pick(TEN, SelectionMode.RANDOM_MAX_PERCENT, 40, id, "pod")));

        // Then
        picks.forEach((runId, picked) -> {
            assertThat(picked).as("run %s", runId).hasSizeBetween(1, 4).doesNotHaveDuplicates().isSubsetOf(TEN);
            assertThat(Selection.pick(TEN, SelectionMode.RANDOM_MAX_PERCENT, 40, runId, "pod"))
                    .as("run %s again", runId).isEqualTo(picked);
        });
        assertThat(picks.values().stream().map(List::size).collect(Collectors.toSet()))
                .as("counts drawn over 200 run ids").containsExactlyInAnyOrder(1, 2, 3, 4);
    }

    @Test
    void shouldPickAtLeastOneWhenTheMaxPercentRoundsDownToNone() {
        // When
        List<String> picked = Selection.pick(TEN, SelectionMode.RANDOM_MAX_PERCENT, 5, UUID.randomUUID(), "pod");

        // Then
        assertThat(picked).hasSize(1).isSubsetOf(TEN);
    }

    @Test
    void shouldRefuseAFixedCountBeyondTheCandidatesAndAnEmptySet() {
        // When
        var tooFew = catchThrowableOfType(AttackException.class,
                () -> Selection.pick(TEN, SelectionMode.FIXED, 11, UUID.randomUUID(), "pod"));
        var none = catchThrowableOfType(AttackException.class,
                () -> Selection.pick(List.of(), SelectionMode.ALL, null, UUID.randomUUID(), "pod"));

        // Then
        assertThat(tooFew.reason()).isEqualTo(Reason.TARGET_NOT_FOUND);
        assertThat(tooFew).hasMessageContaining("mode fixed asks for 11 but only 10 pod(s) match");
        assertThat(none.reason()).isEqualTo(Reason.TARGET_NOT_FOUND);
        assertThat(none).hasMessageContaining("no pod matches");
    }
}
