package io.tumult.local.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalLoopTest {

    @Test
    void shouldSummariseARecordedRunOnOneReadableLine() throws Exception {
        String run = """
                {"runId":"r1","experiment":"victim-partition","status":"ABORTED",
                 "reason":{"kind":"auto-abort","message":"avg(loss[1s]) > 0.5 held: observed 0.6 over 6 samples"},
                 "history":[{"phase":"injected","at":"2026-11-23T08:28:00.598Z","executor":"vm-1"},
                            {"phase":"aborted","at":"2026-11-23T08:28:02.590Z","executor":"vm-1"}]}
                """;

        assertThat(LocalLoop.recordedRun(run)).isEqualTo("ABORTED (auto-abort: avg(loss[1s]) > 0.5 held: observed 0.6"
                + " over 6 samples); history: injected at 2026-11-23T08:28:00.598Z by vm-1,"
                + " aborted at 2026-11-23T08:28:02.590Z by vm-1");
    }

    @Test
    void shouldSummariseARunWithoutReasonOrHistory() throws Exception {
        assertThat(LocalLoop.recordedRun("{\"status\":\"PASSED\",\"history\":[]}"))
                .isEqualTo("PASSED; history: none");
    }

    @Test
    void shouldPrintTheSentenceOfARunThatEndedAtItsDeadline() throws Exception {
        // Given the scheduler's answer for a run that ended at its deadline: its reason has a sentence and no kind
        String run = """
                {"runId":"r2","status":"PASSED","reason":{"message":"deadline reached; reverted"},
                 "history":[{"phase":"reverted","at":"2026-11-23T08:29:00Z","executor":"vm-1"}]}
                """;

        // When
        String line = LocalLoop.recordedRun(run);

        // Then
        assertThat(line).isEqualTo("PASSED (deadline reached; reverted); history: reverted at 2026-11-23T08:29:00Z"
                + " by vm-1");
    }

    @Test
    void shouldPrintNoParenthesesForANullReason() throws Exception {
        // Given
        String run = "{\"status\":\"PASSED\",\"reason\":null,\"history\":[]}";

        // When
        String line = LocalLoop.recordedRun(run);

        // Then
        assertThat(line).isEqualTo("PASSED; history: none");
    }
}
