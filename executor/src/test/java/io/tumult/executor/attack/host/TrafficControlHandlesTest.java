package io.tumult.executor.attack.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

/** Qdisc handles as the attacks derive them and as {@code tc qdisc show} prints them (no leading zeros). */
class TrafficControlHandlesTest {

    @Test
    void shouldDeriveAHandleAsTcPrintsItAndNeverZero() {
        assertThat(TrafficControlLeftovers.handleFor(UUID.fromString("01506a4b-0000-4000-8000-000000000000")))
                .isEqualTo("150");
        assertThat(TrafficControlLeftovers.handleFor(UUID.fromString("abcd6a4b-0000-4000-8000-000000000000")))
                .isEqualTo("abcd");
        assertThat(TrafficControlLeftovers.handleFor(UUID.fromString("00006a4b-0000-4000-8000-000000000000")))
                .isEqualTo("7475");
    }

    @Test
    void shouldReadARecordedHandleWithLeadingZerosAsTcPrintsIt() {
        // a journal written before handles dropped their leading zeros
        assertThat(TrafficControlLeftovers.asPrinted("0150")).isEqualTo("150:");
        assertThat(TrafficControlLeftovers.asPrinted("0150:")).isEqualTo("150:");
        assertThat(TrafficControlLeftovers.asPrinted("abcd")).isEqualTo("abcd:");
    }
}
