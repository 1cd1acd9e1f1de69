package io.tumult.schemas.v1;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The wire form of durations in v1 documents: a positive integer and one unit, {@code ms}, {@code s},
 * {@code m} or {@code h} ({@code 250ms}, {@code 30s}, {@code 5m}). Written back in milliseconds or seconds, so
 * a document's durations round-trip when it uses those units.
 */
public final class DurationText {

    /** The pattern the JSON Schemas use as well. */
    public static final Pattern PATTERN = Pattern.compile("^([0-9]*[1-9][0-9]*)(ms|s|m|h)$");

    private DurationText() {
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} naming the text when it does not match. */
    public static Duration parse(String text) {
        var m = PATTERN.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "not a duration: '" + text + "' (expected a positive number and one of ms, s, m, h, e.g. 30s)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** Formats {@code d} as whole seconds when it has no millisecond part, else as milliseconds. */
    public static String format(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
    }
}
