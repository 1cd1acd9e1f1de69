package io.tumult.scheduler.cron;

import java.text.ParseException;
import java.time.Duration;
import java.util.TimeZone;

import org.quartz.CronExpression;
import org.quartz.impl.jdbcjobstore.SimplePropertiesTriggerPersistenceDelegateSupport;
import org.quartz.impl.jdbcjobstore.SimplePropertiesTriggerProperties;
import org.quartz.spi.OperableTrigger;

/**
 * How Quartz's JDBC store keeps a {@link LeadingCronTrigger}: in its simple-properties table (cron, time zone, lead).
 * Registered through {@code org.quartz.jobStore.driverDelegateInitString} in application.properties. (Quartz's
 * fallback for trigger types it has no delegate for, a serialized blob, cannot be read back by Quartz 2.5.2.)
 */
public final class LeadingCronTriggerPersistence extends SimplePropertiesTriggerPersistenceDelegateSupport {

    /** The trigger type recorded in {@code QRTZ_TRIGGERS.TRIGGER_TYPE}. */
    static final String TYPE = "LEADCRON";

    public LeadingCronTriggerPersistence() {
    }

    @Override
    public String getHandledTriggerTypeDiscriminator() {
        return TYPE;
    }

    @Override
    public boolean canHandleTriggerType(OperableTrigger trigger) {
        return trigger instanceof LeadingCronTrigger;
    }

    @Override
    protected SimplePropertiesTriggerProperties getTriggerProperties(OperableTrigger trigger) {
        var leading = (LeadingCronTrigger) trigger;
        var properties = new SimplePropertiesTriggerProperties();
        properties.setString1(leading.getCronExpression());
        properties.setString2(leading.getTimeZone().getID());
        properties.setLong1(leading.lead().toMillis());
        return properties;
    }

    @Override
    protected TriggerPropertyBundle getTriggerPropertyBundle(SimplePropertiesTriggerProperties properties) {
        try {
            var cron = new CronExpression(properties.getString1());
            cron.setTimeZone(TimeZone.getTimeZone(properties.getString2()));
            return new TriggerPropertyBundle(LeadingCronTrigger.schedule(cron, Duration.ofMillis(properties.getLong1())),
                    null, null);
        } catch (ParseException e) {
            throw new IllegalStateException("stored cron " + properties.getString1() + ": " + e.getMessage(), e);
        }
    }
}
