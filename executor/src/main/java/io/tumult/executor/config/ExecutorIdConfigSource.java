package io.tumult.executor.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Supplies the default {@code tumult.executor.id}, {@code <hostname>-<pid>}, below every other source (ordinal 50),
 * so {@code application.properties}, system properties and the environment all override it. A computed default
 * cannot be expressed with {@code @WithDefault}. It only labels statuses: the abort topic is read without a consumer
 * group (see {@code failsafe/DESIGN.md}), so a PID that is 1 in every container harms nothing.
 */
public class ExecutorIdConfigSource implements ConfigSource {

    static final String KEY = "tumult.executor.id";

    private final String id = hostname() + "-" + ProcessHandle.current().pid();

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(KEY);
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of(KEY, id);
    }

    @Override
    public String getValue(String propertyName) {
        return KEY.equals(propertyName) ? id : null;
    }

    @Override
    public String getName() {
        return "tumult-executor-id";
    }

    @Override
    public int getOrdinal() {
        return 50;
    }

    private static String hostname() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.strip();
        }
        try {
            // no DNS lookup (InetAddress.getLocalHost can stall start-up)
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            return "executor";
        }
    }
}
