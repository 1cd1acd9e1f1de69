package io.tumult.schemas.messaging;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.Topics;

/**
 * Channel settings that follow from the event a channel carries, derived instead of repeated in every service's
 * {@code application.properties}: the topic and CloudEvents type (from {@link EventType}), the serializers (string
 * keys, JSON bodies as bytes), and for inputs the failure strategy of the event's {@link Inbound.Policy} with the
 * dead-letter topic.
 * <p>
 * A service declares each channel it uses with its {@code connector}, and keeps there what is its own (consumer group,
 * offset reset, {@code acks}, {@code cloud-events-source}); a channel named in {@link #CHANNELS} then gets the rest
 * from here. Only declared channels get settings: SmallRye Reactive Messaging creates a channel for every name it
 * finds under {@code mp.messaging}. The values sit at ordinal {@value #ORDINAL}, below {@code application.properties}
 * (250), so a service can still override any of them. Registered for SmallRye Config through
 * {@code META-INF/services/io.smallrye.config.ConfigSourceFactory}.
 */
public final class ChannelDefaults implements ConfigSourceFactory {

    /** The channel names every service uses, and the event each carries. */
    public static final Map<String, EventType<?>> CHANNELS = Map.of(
            "run-start", EventType.RUN_STARTED,
            "abort", EventType.RUN_ABORTED,
            "run-status", EventType.RUN_STATUS,
            "heartbeat", EventType.GUARDIAN_HEARTBEAT,
            "run-verdict", EventType.STEADY_STATE_VERDICT,
            "dry-run-request", EventType.DRY_RUN_REQUESTED,
            "dry-run-result", EventType.DRY_RUN_RESULT);

    static final int ORDINAL = 200;

    private static final Pattern DECLARED = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.connector");
    private static final String STRINGS = "org.apache.kafka.common.serialization.String";
    private static final String BYTES = "org.apache.kafka.common.serialization.ByteArray";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        var derived = new TreeMap<String, String>();
        for (Iterator<String> names = context.iterateNames(); names.hasNext();) {
            Matcher declared = DECLARED.matcher(names.next());
            if (declared.matches() && CHANNELS.containsKey(declared.group(2))) {
                derived.putAll(settings(declared.group(1).equals("incoming"), declared.group(2)));
            }
        }
        return List.of(new Derived(Map.copyOf(derived)));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    /** The derived settings of channel {@code channel}, one of {@link #CHANNELS}, as full property names. */
    public static Map<String, String> settings(boolean incoming, String channel) {
        EventType<?> type = CHANNELS.get(channel);
        if (type == null) {
            throw new IllegalArgumentException("not a Tumult channel: " + channel + "; known: " + CHANNELS.keySet());
        }
        String prefix = "mp.messaging." + (incoming ? "incoming." : "outgoing.") + channel + ".";
        var s = new TreeMap<String, String>();
        s.put(prefix + "topic", type.topic());
        if (incoming) {
            s.put(prefix + "key.deserializer", STRINGS + "Deserializer");
            s.put(prefix + "value.deserializer", BYTES + "Deserializer");
            if (Inbound.policyOf(type) == Inbound.Policy.IGNORE) {
                s.put(prefix + "failure-strategy", "ignore");
            } else {
                s.put(prefix + "failure-strategy", "dead-letter-queue");
                s.put(prefix + "dead-letter-queue.topic", Topics.DEAD_LETTER);
                s.put(prefix + "dead-letter-queue.key.serializer", STRINGS + "Serializer");
                s.put(prefix + "dead-letter-queue.value.serializer", BYTES + "Serializer");
            }
        } else {
            s.put(prefix + "key.serializer", STRINGS + "Serializer");
            s.put(prefix + "value.serializer", BYTES + "Serializer");
            s.put(prefix + "cloud-events-mode", "binary");
            s.put(prefix + "cloud-events-type", type.ceType());
            s.put(prefix + "cloud-events-data-content-type", "application/json");
        }
        return s;
    }

    private record Derived(Map<String, String> properties) implements ConfigSource {

        @Override
        public Map<String, String> getProperties() {
            return properties;
        }

        @Override
        public Set<String> getPropertyNames() {
            return properties.keySet();
        }

        @Override
        public String getValue(String propertyName) {
            return properties.get(propertyName);
        }

        @Override
        public String getName() {
            return "tumult channel defaults (" + ChannelDefaults.class.getName() + ")";
        }

        @Override
        public int getOrdinal() {
            return ORDINAL;
        }
    }
}
