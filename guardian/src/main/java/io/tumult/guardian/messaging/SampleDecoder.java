package io.tumult.guardian.messaging;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.tumult.schemas.json.InvalidDocumentException;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.Histogram;
import io.tumult.schemas.v1.MetricSample;

/**
 * The hot-path decoder of metric samples: one pass of Jackson's streaming parser, no tree, no schema walk, checking
 * what {@code metric-sample.schema.json} requires (required fields, types, the name and run-id patterns, an RFC 3339
 * UTC time, labels as strings, the histogram's shape, a finite value). Anything it does not accept, and any time
 * written in a form it does not parse itself, goes through {@link TumultJson#decode} instead, so a bad record fails
 * with exactly the schema's errors ({@link InvalidDocumentException}) and nothing the schema allows is refused.
 * <p>
 * Decodes into a reused {@link Decoded}: one decoder per consuming thread.
 */
final class SampleDecoder {

    /** A decoded sample; overwritten by the next {@link #decode}. */
    static final class Decoded {
        String name;
        double value;
        long atMillis;
        UUID runId;
        Histogram histogram;
    }

    private static final JsonFactory JSON = new JsonFactory();

    private final Decoded out = new Decoded();
    private long slowPath;

    /**
     * Decodes one record's value.
     *
     * @throws InvalidDocumentException naming every bad field, as the schema does
     */
    Decoded decode(byte[] json) {
        try {
            if (json != null && fast(json)) {
                return out;
            }
        } catch (IOException | RuntimeException e) {
            // not well-formed or not what the fast path takes: the schema's decoder says exactly what is wrong
        }
        slowPath++;
        MetricSample sample = TumultJson.decode(EventType.METRIC_SAMPLE, json);
        out.name = sample.name();
        out.value = sample.value();
        out.atMillis = sample.at().toEpochMilli();
        out.runId = sample.runId();
        out.histogram = sample.histogram();
        return out;
    }

    /** Records that took the schema's path (invalid, or written in a form the fast path leaves to it). */
    long slowPath() {
        return slowPath;
    }

    /** Whether the fast path decoded a valid sample into {@link #out}. */
    private boolean fast(byte[] json) throws IOException {
        String name = null;
        double value = Double.NaN;
        boolean hasValue = false;
        long at = Long.MIN_VALUE;
        UUID runId = null;
        Histogram histogram = null;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "name" -> {
                        if (v != JsonToken.VALUE_STRING || !isMetricName(name = p.getText())) {
                            return false;
                        }
                    }
                    case "value" -> {
                        if (!v.isNumeric()) {
                            return false;
                        }
                        value = p.getDoubleValue();
                        hasValue = true;
                    }
                    case "at" -> {
                        if (v != JsonToken.VALUE_STRING || (at = utcMillis(p.getText())) == Long.MIN_VALUE) {
                            return false;
                        }
                    }
                    case "runId" -> {
                        if (v != JsonToken.VALUE_STRING || (runId = uuid(p.getText())) == null) {
                            return false;
                        }
                    }
                    case "labels" -> {
                        if (!labels(p, v)) {
                            return false;
                        }
                    }
                    case "histogram" -> {
                        if ((histogram = histogram(p, v)) == null) {
                            return false;
                        }
                    }
                    default -> p.skipChildren(); // v1 may gain optional fields
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                return false;
            }
        }
        if (name == null || !hasValue || at == Long.MIN_VALUE || !Double.isFinite(value)) {
            return false;
        }
        out.name = name;
        out.value = value;
        out.atMillis = at;
        out.runId = runId;
        out.histogram = histogram;
        return true;
    }

    private static boolean labels(JsonParser p, JsonToken start) throws IOException {
        if (start != JsonToken.START_OBJECT) {
            return false;
        }
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                return false;
            }
        }
        return t == JsonToken.END_OBJECT;
    }

    private static Histogram histogram(JsonParser p, JsonToken start) throws IOException {
        if (start != JsonToken.START_OBJECT) {
            return null;
        }
        double count = Double.NaN;
        Double sum = null;
        List<Histogram.Bucket> buckets = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "count" -> {
                    if (!v.isNumeric() || !((count = p.getDoubleValue()) >= 0)) {
                        return null;
                    }
                }
                case "sum" -> {
                    if (!v.isNumeric()) {
                        return null;
                    }
                    sum = p.getDoubleValue();
                }
                case "buckets" -> {
                    if (v != JsonToken.START_ARRAY) {
                        return null;
                    }
                    buckets = new ArrayList<>();
                    JsonToken b;
                    while ((b = p.nextToken()) == JsonToken.START_OBJECT) {
                        double le = Double.NaN;
                        double c = Double.NaN;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String bf = p.currentName();
                            JsonToken bv = p.nextToken();
                            if (bf.equals("le") || bf.equals("count")) {
                                if (!bv.isNumeric()) {
                                    return null;
                                }
                                if (bf.equals("le")) {
                                    le = p.getDoubleValue();
                                } else {
                                    c = p.getDoubleValue();
                                }
                            } else {
                                p.skipChildren();
                            }
                        }
                        if (!Double.isFinite(le) || !(c >= 0) || !Double.isFinite(c)) {
                            return null;
                        }
                        buckets.add(new Histogram.Bucket(le, c));
                    }
                    if (b != JsonToken.END_ARRAY || buckets.isEmpty()) {
                        return null;
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT || buckets == null || !Double.isFinite(count)
                || (sum != null && !Double.isFinite(sum))) {
            return null;
        }
        return new Histogram(count, sum, buckets);
    }

    /** {@code ^[a-zA-Z_:][a-zA-Z0-9_:]*$}. */
    static boolean isMetricName(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
            if (!letter && (i == 0 || c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    /** A UUID in its 8-4-4-4-12 hex form (the schema's pattern), or null. */
    static UUID uuid(String s) {
        if (s.length() != 36) {
            return null;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : Character.digit(c, 16) < 0) {
                return null;
            }
        }
        return UUID.fromString(s);
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z} as epoch milliseconds (the form every Tumult producer writes), or
     * {@link Long#MIN_VALUE} for anything else, which then takes the schema's path.
     */
    static long utcMillis(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
            return Long.MIN_VALUE;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour < 0 || hour > 23
                || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return Long.MIN_VALUE;
        }
        int millis = 0;
        if (n > 20) {
            if (s.charAt(19) != '.' || n == 21 || n > 30) {
                return Long.MIN_VALUE;
            }
            int fraction = digits(s, 20, Math.min(3, n - 21));
            if (fraction < 0 || (n - 21 > 3 && digits(s, 23, n - 24) < 0)) {
                return Long.MIN_VALUE;
            }
            for (int i = n - 21; i < 3; i++) {
                fraction *= 10;
            }
            millis = fraction;
        }
        long days = epochDay(year, month, day);
        return ((days * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + millis;
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int daysIn(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    private static long epochDay(int year, int month, int day) {
        return java.time.LocalDate.of(year, month, day).toEpochDay();
    }
}
