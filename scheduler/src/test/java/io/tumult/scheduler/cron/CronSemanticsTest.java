package io.tumult.scheduler.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.spi.OperableTrigger;

import io.tumult.schemas.json.Violation;
import io.tumult.schemas.v1.Blackout;
import io.tumult.schemas.v1.Concurrency;
import io.tumult.schemas.v1.Schedule;

/** Fire times of the real Quartz cron trigger the scheduler stores, in fixed zones around DST changes. */
class CronSemanticsTest {

    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void shouldFireADailyTimeInTheRepeatedHourOnceWhenClocksFallBack() {
        // Given 01:30 every day in New York; on 2026-11-01 01:00-02:00 happens twice (EDT, then EST)
        Instant from = at(NEW_YORK, 2026, 10, 31, 12, 0);

        // When
        List<ZonedDateTime> fires = fires("30 1 * * *", NEW_YORK, from, 3);

        // Then: one fire that night, in the second (standard-time) pass of the hour
        assertThat(fires).extracting(ZonedDateTime::toOffsetDateTime).extracting(Object::toString)
                .containsExactly("2026-11-01T01:30-05:00", "2026-11-02T01:30-05:00", "2026-11-03T01:30-05:00");
    }

    @Test
    void shouldNotRepeatWallClockTimesOfTheRepeatedHourForAFrequentSchedule() {
        // Given every 30 minutes in New York, across the fall-back night
        Instant from = at(NEW_YORK, 2026, 11, 1, 0, 0);

        // When
        List<ZonedDateTime> fires = fires("*/30 * * * *", NEW_YORK, from, 6);

        // Then: each wall-clock time fires once; the first (daylight-time) pass of 01:xx is not fired
        assertThat(fires).extracting(f -> f.toLocalTime().toString())
                .containsExactly("00:30", "01:00", "01:30", "02:00", "02:30", "03:00");
        assertThat(fires).extracting(ZonedDateTime::toLocalDateTime).doesNotHaveDuplicates();
    }

    @Test
    void shouldSkipATimeThatDoesNotExistWhenClocksSpringForward() {
        // Given 02:30 every day in Berlin; on 2026-03-29 the clock jumps from 02:00 to 03:00
        Instant from = at(BERLIN, 2026, 3, 28, 12, 0);

        // When
        List<ZonedDateTime> fires = fires("30 2 * * *", BERLIN, from, 2);

        // Then: that day has no 02:30 and no fire (not moved to 03:30); the next day fires as usual
        assertThat(fires).extracting(f -> f.toLocalDateTime().toString())
                .containsExactly("2026-03-30T02:30", "2026-03-31T02:30");
    }

    @Test
    void shouldFireASecondsScheduleOnEveryExistingSecondAcrossSpringForward() {
        // Given every 20 minutes, with a seconds field, in Berlin on the spring-forward night
        Instant from = at(BERLIN, 2026, 3, 29, 1, 30);

        // When
        List<ZonedDateTime> fires = fires("0 */20 * * * ?", BERLIN, from, 4);

        // Then: 01:40, then straight to 03:00; elapsed time between them is 20 minutes
        assertThat(fires).extracting(f -> f.toLocalTime().toString()).containsExactly("01:40", "03:00", "03:20", "03:40");
        assertThat(Duration.between(fires.get(0), fires.get(1))).isEqualTo(Duration.ofMinutes(20));
    }

    @Test
    void shouldDrawTheSameJitteredMomentOnEveryReplicaAndADifferentOneEachDay() {
        // Given once a weekday at 10:00 with a 6 h jitter
        Instant monday = at(BERLIN, 2026, 11, 23, 10, 0);
        Instant tuesday = monday.plus(Duration.ofDays(1));
        Duration jitter = Duration.ofHours(6);

        // When
        Instant a = CronExpressions.jittered("weekday-kill", monday, jitter);
        Instant b = CronExpressions.jittered("weekday-kill", monday, jitter);
        Instant c = CronExpressions.jittered("weekday-kill", tuesday, jitter);

        // Then
        assertThat(a).isEqualTo(b).isBetween(monday, monday.plus(jitter));
        assertThat(c).isBetween(tuesday, tuesday.plus(jitter));
        assertThat(Duration.between(monday, a)).isNotEqualTo(Duration.between(tuesday, c));
    }

    @Test
    void shouldNameEachImpossibleOrMalformedScheduleField() {
        // Given
        var never = new Schedule("0 0 30 2 *", "UTC", Concurrency.FORBID);
        var badZone = new Schedule("0 10 * * 1-5", "Mars/Olympus", Concurrency.FORBID);
        var overlapping = new Schedule("0 * * * *", "UTC", Concurrency.FORBID, null, null, Duration.ofHours(2), null,
                null);
        var badBlackout = new Schedule("0 10 * * 1-5", "UTC", Concurrency.FORBID, null, null, null, null,
                List.of(new Blackout("every friday", Duration.ofHours(1))));
        Instant now = Instant.parse("2026-12-02T06:00:00Z");

        // When / Then
        assertThat(CronExpressions.violations(never, "$.spec.schedule", now)).extracting(Violation::path)
                .containsExactly("$.spec.schedule.cron");
        assertThat(CronExpressions.violations(badZone, "$.spec.schedule", now)).extracting(Violation::path)
                .containsExactly("$.spec.schedule.timezone");
        assertThat(CronExpressions.violations(overlapping, "$.spec.schedule", now)).extracting(Violation::path)
                .containsExactly("$.spec.schedule.jitter");
        assertThat(CronExpressions.violations(badBlackout, "$.spec.schedule", now)).extracting(Violation::path)
                .containsExactly("$.spec.schedule.blackouts[0].cron");
    }

    @Test
    void shouldHoldABlackoutWindowOpenFromItsCronForItsDuration() {
        // Given a window opening at 12:00 Berlin time on weekdays for 1 h
        String cron = "0 12 * * 1-5";
        Instant opens = at(BERLIN, 2026, 11, 23, 12, 0);

        // When / Then
        assertThat(Blackouts.open(cron, Duration.ofHours(1), BERLIN, opens.minusMillis(1))).isEmpty();
        assertThat(Blackouts.open(cron, Duration.ofHours(1), BERLIN, opens)).contains(opens);
        assertThat(Blackouts.open(cron, Duration.ofHours(1), BERLIN, opens.plus(Duration.ofMinutes(59))))
                .contains(opens);
        assertThat(Blackouts.open(cron, Duration.ofHours(1), BERLIN, opens.plus(Duration.ofHours(1)))).isEmpty();
    }

    @Test
    void shouldFireEachCronTimeItsLeadAheadAndMapEveryTriggerTimeBackToItsCronTime() {
        // Given every 30 minutes in New York, across the fall-back night, fired 500 ms ahead
        Instant from = at(NEW_YORK, 2026, 11, 1, 0, 0);
        Duration lead = Duration.ofMillis(500);
        Trigger trigger = TriggerBuilder.newTrigger().startAt(Date.from(from))
                .withSchedule(ExperimentSchedules.fireSchedule("*/30 * * * *", NEW_YORK.getId(), lead)).build();

        // When
        var triggerTimes = new ArrayList<Instant>();
        Date at = Date.from(from);
        for (int i = 0; i < 6; i++) {
            at = trigger.getFireTimeAfter(at);
            triggerTimes.add(at.toInstant());
        }

        // Then: the plain cron's times, each 500 ms early, and each maps back to its cron time
        List<ZonedDateTime> cronTimes = fires("*/30 * * * *", NEW_YORK, from, 6);
        assertThat(triggerTimes).containsExactlyElementsOf(
                cronTimes.stream().map(t -> t.toInstant().minus(lead)).toList());
        assertThat(triggerTimes).extracting(t -> LeadingCronTrigger.cronTimeOf(Date.from(t)).toInstant())
                .containsExactlyElementsOf(cronTimes.stream().map(ZonedDateTime::toInstant).toList());
    }

    @Test
    void shouldFirstFireAScheduleAtItsFirstTimeASecondOrMoreAfterItIsStoredNeverSooner() {
        // Given every second, fired 500 ms ahead, stored within a second and on a second
        Duration lead = Duration.ofMillis(500);
        Instant within = Instant.parse("2026-12-04T10:00:00.300Z");
        Instant on = Instant.parse("2026-12-04T10:00:02Z");

        // When
        Date fromWithin = firstFireTime(ExperimentSchedules.firstFireFrom(within), lead);
        Date fromOn = firstFireTime(ExperimentSchedules.firstFireFrom(on), lead);

        // Then: the times 10:00:02 and 10:00:03, each 500 ms early (started at the time stored, a cron trigger
        // would take 10:00:00, already past, and 10:00:02, within the lead: both fired late)
        assertThat(fromWithin.toInstant()).isEqualTo(Instant.parse("2026-12-04T10:00:01.500Z"));
        assertThat(fromOn.toInstant()).isEqualTo(Instant.parse("2026-12-04T10:00:02.500Z"));
    }

    @Test
    void shouldRefuseAFireLeadOfASecondOrMore() {
        assertThatThrownBy(() -> ExperimentSchedules.fireSchedule("* * * * * ?", "UTC", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("under 1s");
    }

    private static Date firstFireTime(Date start, Duration lead) {
        var trigger = (OperableTrigger) TriggerBuilder.newTrigger().startAt(start)
                .withSchedule(ExperimentSchedules.fireSchedule("* * * * * ?", "UTC", lead)).build();
        Date first = trigger.computeFirstFireTime(null);
        assertThat(trigger.getNextFireTime()).isEqualTo(first);
        return first;
    }

    private static List<ZonedDateTime> fires(String cron, ZoneId zone, Instant from, int count) {
        Trigger trigger = TriggerBuilder.newTrigger().startAt(Date.from(from))
                .withSchedule(ExperimentSchedules.cronSchedule(cron, zone.getId())).build();
        var fires = new ArrayList<ZonedDateTime>();
        Date at = Date.from(from);
        for (int i = 0; i < count; i++) {
            at = trigger.getFireTimeAfter(at);
            fires.add(at.toInstant().atZone(zone));
        }
        return fires;
    }

    private static Instant at(ZoneId zone, int year, int month, int day, int hour, int minute) {
        return LocalDateTime.of(year, month, day, hour, minute).atZone(zone).toInstant();
    }
}
