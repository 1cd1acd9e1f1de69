package io.tumult.scheduler.cron;

import java.text.ParseException;
import java.time.Duration;
import java.util.Date;

import org.quartz.CronExpression;
import org.quartz.CronTrigger;
import org.quartz.ScheduleBuilder;
import org.quartz.impl.triggers.CronTriggerImpl;
import org.quartz.spi.MutableTrigger;

/**
 * A cron trigger that fires {@code lead} before each time of its cron, so that a fire's decision and commit are done
 * by the fire time and only the run-start's publish is left for it ({@link FireJob}). Every other rule is the cron
 * trigger's own (time zone, DST, misfires): only the instants move.
 * <p>
 * The lead is under a second. Cron times are whole seconds, so the time a fire is for is its trigger time rounded up
 * to the second ({@link #cronTimeOf}), on every replica and after a recovery, with no lookup.
 * <p>
 * Quartz's JDBC store keeps it through {@link LeadingCronTriggerPersistence}: its cron table has no column for the
 * lead ({@link #hasAdditionalProperties} keeps Quartz's own cron delegate from taking it).
 */
final class LeadingCronTrigger extends CronTriggerImpl {

    private static final long serialVersionUID = 1L;

    private long leadMillis;

    /** The cron fire time a trigger time of this trigger is for. */
    static Date cronTimeOf(Date triggerTime) {
        long ms = triggerTime.getTime();
        return new Date(Math.floorDiv(ms + 999L, 1000L) * 1000L);
    }

    /** A schedule of {@code cron} (in its time zone), firing {@code lead} early; misfires are fired late, not dropped. */
    static ScheduleBuilder<CronTrigger> schedule(CronExpression cron, Duration lead) {
        if (lead.isNegative() || lead.compareTo(Duration.ofSeconds(1)) >= 0) {
            throw new IllegalArgumentException("a fire lead must be at least 0 and under 1s, not " + lead);
        }
        return new ScheduleBuilder<>() {
            @Override
            protected MutableTrigger build() {
                var trigger = new LeadingCronTrigger();
                trigger.setCronExpression((CronExpression) cron.clone());
                trigger.setTimeZone(cron.getTimeZone());
                trigger.setMisfireInstruction(MISFIRE_INSTRUCTION_IGNORE_MISFIRE_POLICY);
                trigger.leadMillis = lead.toMillis();
                return trigger;
            }
        };
    }

    Duration lead() {
        return Duration.ofMillis(leadMillis);
    }

    @Override
    public Date getFireTimeAfter(Date afterTime) {
        Date after = afterTime == null ? new Date() : afterTime;
        Date cronTime = super.getFireTimeAfter(new Date(after.getTime() + leadMillis));
        return cronTime == null ? null : new Date(cronTime.getTime() - leadMillis);
    }

    @Override
    public boolean hasAdditionalProperties() {
        return true;
    }

    @Override
    public ScheduleBuilder<CronTrigger> getScheduleBuilder() {
        try {
            var cron = new CronExpression(getCronExpression());
            cron.setTimeZone(getTimeZone());
            return schedule(cron, lead());
        } catch (ParseException e) {
            throw new IllegalStateException("stored cron " + getCronExpression() + ": " + e.getMessage(), e);
        }
    }
}
