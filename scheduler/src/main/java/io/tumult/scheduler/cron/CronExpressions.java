package io.tumult.scheduler.cron;

import java.time.DateTimeException;
import java.time.ZoneId;

import com.cronutils.mapper.CronMapper;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;

/**
 * Reads an experiment's schedule: Unix cron (5 fields) is mapped to Quartz, which the scheduler runs; Quartz cron
 * with seconds (6 or 7 fields) is taken as it is.
 */
public final class CronExpressions {

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

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
}
