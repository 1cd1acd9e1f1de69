package io.tumult.scheduler.cron;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;

import org.quartz.CronExpression;

import com.cronutils.mapper.CronMapper;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import io.tumult.schemas.json.Violation;
import io.tumult.schemas.v1.Blackout;
import io.tumult.schemas.v1.Schedule;

/**
 * Reads an experiment's schedule: Unix cron (5 fields) is mapped to Quartz, which the scheduler runs; Quartz cron
 * with seconds (6 or 7 fields) is taken as it is. Fire times are Quartz's, in the schedule's zone (see the module
 * README for what that means across DST changes).
 */
public final class CronExpressions {

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));
    /** How far ahead a schedule must fire at least once, or it is impossible (e.g. 30 February). */
    private static final Duration HORIZON = Duration.ofDays(5 * 366);

    private CronExpressions() {
    }

    /** The Quartz form of {@code cron}; throws IllegalArgumentException saying what is wrong. */
    public static String toQuartz(String cron) {
        String trimmed = cron.trim();
        int fields = trimmed.split("\\s+").length;
        try {
            if (fields == 5) {
                return CronMapper.fromUnixToQuartz().map(UNIX.parse(trimmed).validate()).asString();
            }
            if (fields == 6 || fields == 7) {
                return QUARTZ.parse(trimmed).validate().asString();
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid cron expression: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("a cron expression has 5 fields (Unix) or 6 to 7 (Quartz, with seconds); got "
                + fields);
    }

    /** The zone; throws IllegalArgumentException naming it when unknown. */
    public static ZoneId zone(String timezone) {
        try {
            return ZoneId.of(timezone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone '" + timezone + "'", e);
        }
    }

    /** Quartz's expression for {@code cron} read in {@code zone}. */
    public static CronExpression quartz(String cron, ZoneId zone) {
        try {
            var expression = new CronExpression(toQuartz(cron));
            expression.setTimeZone(TimeZone.getTimeZone(zone));
            return expression;
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a valid cron expression: " + e.getMessage(), e);
        }
    }

    /** The next {@code count} fire times strictly after {@code after}; fewer when the schedule ends. */
    public static List<Instant> nextFires(String cron, ZoneId zone, Instant after, int count) {
        CronExpression expression = quartz(cron, zone);
        var fires = new ArrayList<Instant>();
        Date at = Date.from(after);
        while (fires.size() < count && (at = expression.getNextValidTimeAfter(at)) != null
                && at.toInstant().isBefore(after.plus(HORIZON))) {
            fires.add(at.toInstant());
        }
        return fires;
    }

    /** The last fire time at or before {@code at}, if any within a year. */
    public static Optional<Instant> lastFireAtOrBefore(String cron, ZoneId zone, Instant at) {
        var executions = ExecutionTime.forCron(QUARTZ.parse(toQuartz(cron)));
        // executions are whole seconds: the last one strictly before the next second is at or before `at`
        ZonedDateTime next = at.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1).atZone(zone);
        return executions.lastExecution(next).map(ZonedDateTime::toInstant)
                .filter(t -> t.isAfter(at.minus(Duration.ofDays(366))));
    }

    /**
     * The moment a jittered fire starts its run: within {@code jitter} after {@code fireTime}, drawn from the
     * experiment's name and the fire time, so every replica draws the same moment and every day a different one.
     */
    public static Instant jittered(String name, Instant fireTime, Duration jitter) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((name + "@" + fireTime).getBytes(StandardCharsets.UTF_8));
            long bits = 0;
            for (int i = 0; i < 8; i++) {
                bits = (bits << 8) | (hash[i] & 0xff);
            }
            return fireTime.plusMillis(Math.floorMod(bits, jitter.toMillis()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    /**
     * What is wrong with a schedule, each naming its field under {@code path} (e.g. {@code $.spec.schedule}): a cron
     * that does not parse or never fires, an unknown zone, a jitter that reaches the next fire time, a blackout that
     * does not parse.
     */
    public static List<Violation> violations(Schedule schedule, String path, Instant now) {
        var violations = new ArrayList<Violation>();
        ZoneId zone = null;
        try {
            zone = zone(schedule.timezone());
        } catch (IllegalArgumentException e) {
            violations.add(new Violation(path + ".timezone", e.getMessage()));
        }
        List<Instant> fires = List.of();
        try {
            toQuartz(schedule.cron());
            if (zone != null) {
                fires = nextFires(schedule.cron(), zone, now, 50);
                if (fires.isEmpty()) {
                    violations.add(new Violation(path + ".cron", "the schedule never fires (within the next five years)"));
                }
            }
        } catch (IllegalArgumentException e) {
            violations.add(new Violation(path + ".cron", e.getMessage()));
        }
        if (schedule.jitter() != null && fires.size() > 1) {
            Duration gap = null;
            for (int i = 1; i < fires.size(); i++) {
                Duration d = Duration.between(fires.get(i - 1), fires.get(i));
                gap = gap == null || d.compareTo(gap) < 0 ? d : gap;
            }
            if (schedule.jitter().compareTo(gap) >= 0) {
                violations.add(new Violation(path + ".jitter", "a jitter of " + schedule.jitter()
                        + " reaches the next fire time; the schedule fires as often as every " + gap));
            }
        }
        for (int i = 0; i < schedule.blackouts().size(); i++) {
            Blackout blackout = schedule.blackouts().get(i);
            try {
                toQuartz(blackout.cron());
            } catch (IllegalArgumentException e) {
                violations.add(new Violation(path + ".blackouts[" + i + "].cron", e.getMessage()));
            }
        }
        return violations;
    }
}
