package io.tumult.guardian.messaging;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
 * The hot-path decoder of metric samples, in three tiers that each check what {@code metric-sample.schema.json}
 * requires (required fields, types, the name and run-id patterns, an RFC 3339 UTC time, labels as strings, the
 * histogram's shape, a finite value) without building a tree:
 * <ol>
 * <li>a byte scanner for the flat form every producer writes ({@code name}, {@code value}, {@code at},
 * {@code runId}; ASCII strings without escapes);</li>
 * <li>one pass of Jackson's streaming parser for anything else (labels, histograms, unknown fields, escapes);</li>
 * <li>{@link TumultJson#decode} for whatever those two do not accept, so a bad record fails with exactly the schema's
 * errors ({@link InvalidDocumentException}) and nothing the schema allows is refused.</li>
 * </ol>
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
        return json == null ? slow(null) : decode(json, 0, json.length);
    }

    /**
     * Decodes one record's value as the consumer hands it over (a view of the fetched bytes, read without copying
     * them and without moving its position).
     *
     * @throws InvalidDocumentException naming every bad field, as the schema does
     */
    Decoded decode(ByteBuffer json) {
        if (json == null) {
            return slow(null);
        }
        if (json.hasArray()) {
            int from = json.arrayOffset() + json.position();
            return decode(json.array(), from, from + json.remaining());
        }
        byte[] copy = FetchedBytes.copy(json);
        return decode(copy, 0, copy.length);
    }

    /** Decodes the bytes {@code json[from, to)}. */
    private Decoded decode(byte[] json, int from, int to) {
        try {
            if (flat(json, from, to) || scan(json, from, to) || fast(json, from, to)) {
                return out;
            }
        } catch (IOException | RuntimeException e) {
            // not well-formed or not what the fast path takes: the schema's decoder says exactly what is wrong
        }
        return slow(from == 0 && to == json.length ? json : Arrays.copyOfRange(json, from, to));
    }

    private Decoded slow(byte[] json) {
        slowPath++;
        MetricSample sample = TumultJson.decode(EventType.METRIC_SAMPLE, json);
        decoded(sample.name(), sample.value(), sample.at().toEpochMilli(), sample.runId(), sample.histogram());
        return out;
    }

    /** Records that took the schema's path (invalid, or written in a form the fast path leaves to it). */
    long slowPath() {
        return slowPath;
    }

    private static final byte[] NAME = { 'n', 'a', 'm', 'e' };
    private static final byte[] VALUE = { 'v', 'a', 'l', 'u', 'e' };
    private static final byte[] AT = { 'a', 't' };
    private static final byte[] RUN_ID = { 'r', 'u', 'n', 'I', 'd' };
    private static final double[] POWERS_OF_TEN = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

    private final String[] names = new String[256];
    private final byte[][] nameBytes = new byte[256][];
    /** The scanner's position, and the end of the bytes it scans. */
    private int pos;
    private int end;
    /** The last date (yyyymmdd) the scanner read, valid, and its epoch day. */
    private int lastDate = -1;
    private long lastEpochDay;

    private static final byte[] OPEN_NAME = ascii("{\"name\":\"");
    private static final byte[] NAME_VALUE = ascii("\",\"value\":");
    private static final byte[] VALUE_AT = ascii(",\"at\":\"");
    private static final byte[] AT_RUN_ID = ascii("\",\"runId\":\"");
    private static final byte[] CLOSE = ascii("\"}");

    /**
     * Tier 1's shortcut: whether b[from, to) is exactly the layout producers write,
     * {@code {"name":"…","value":…,"at":"…"[,"runId":"…"]}} without spaces, and decoded into {@link #out}. It checks
     * the same values with the same methods as {@link #scan}, only not the keys one by one; anything else is left to
     * {@link #scan}.
     */
    private boolean flat(byte[] b, int from, int to) {
        end = to;
        if (!literal(b, from, to, OPEN_NAME)) {
            return false;
        }
        int start = from + OPEN_NAME.length;
        int close = quote(b, start, to);
        String name;
        if (close < 0 || (name = metricName(b, start, close)) == null || !literal(b, close, to, NAME_VALUE)) {
            return false;
        }
        pos = close + NAME_VALUE.length;
        double value = number(b);
        if (!Double.isFinite(value) || !literal(b, pos, to, VALUE_AT)) {
            return false;
        }
        start = pos + VALUE_AT.length;
        close = quote(b, start, to);
        long at;
        if (close < 0 || (at = utcMillis(b, start, close)) == Long.MIN_VALUE) {
            return false;
        }
        UUID runId = null;
        if (close + CLOSE.length != to) {
            if (!literal(b, close, to, AT_RUN_ID)) {
                return false;
            }
            start = close + AT_RUN_ID.length;
            close = start + 36;
            if (close + CLOSE.length != to || (runId = uuid(b, start, close)) == null) {
                return false;
            }
        }
        return literal(b, close, to, CLOSE) && decoded(name, value, at, runId, null);
    }

    /** A sample's fields, decoded by any tier: into {@link #out}; true. */
    private boolean decoded(String name, double value, long at, UUID runId, Histogram histogram) {
        out.name = name;
        out.value = value;
        out.atMillis = at;
        out.runId = runId;
        out.histogram = histogram;
        return true;
    }

    /** Whether b[at, to) begins with {@code literal}. */
    private static boolean literal(byte[] b, int at, int to, byte[] literal) {
        if (at + literal.length > to) {
            return false;
        }
        for (int i = 0; i < literal.length; i++) {
            if (b[at + i] != literal[i]) {
                return false;
            }
        }
        return true;
    }

    /** The index of the first quote in b[from, to), or -1. */
    private static int quote(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '"') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Tier 1: whether the byte scanner decoded a valid flat sample into {@link #out}. */
    private boolean scan(byte[] b, int from, int to) {
        String name = null;
        double value = Double.NaN;
        long at = Long.MIN_VALUE;
        UUID runId = null;
        pos = from;
        end = to;
        if (!expect(b, '{')) {
            return false;
        }
        while (true) {
            skipSpace(b);
            if (pos >= end || b[pos] != '"') {
                return false;
            }
            int keyStart = ++pos;
            int keyEnd = stringEnd(b);
            if (keyEnd < 0 || !expect(b, ':')) {
                return false;
            }
            skipSpace(b);
            if (is(b, keyStart, keyEnd, NAME) && name == null) {
                int start = pos + 1;
                int close = quoted(b);
                if (close < 0 || (name = metricName(b, start, close)) == null) {
                    return false;
                }
            } else if (is(b, keyStart, keyEnd, VALUE) && value != value) {
                value = number(b);
                if (!Double.isFinite(value)) {
                    return false;
                }
            } else if (is(b, keyStart, keyEnd, AT) && at == Long.MIN_VALUE) {
                int start = pos + 1;
                int close = quoted(b);
                if (close < 0 || (at = utcMillis(b, start, close)) == Long.MIN_VALUE) {
                    return false;
                }
            } else if (is(b, keyStart, keyEnd, RUN_ID) && runId == null) {
                int start = pos + 1;
                int close = quoted(b);
                if (close < 0 || (runId = uuid(b, start, close)) == null) {
                    return false;
                }
            } else {
                return false; // another field, or one given twice: the streaming tier decides
            }
            skipSpace(b);
            if (pos >= end) {
                return false;
            }
            byte next = b[pos++];
            if (next == '}') {
                break;
            }
            if (next != ',') {
                return false;
            }
        }
        skipSpace(b);
        return pos == end && name != null && value == value && at != Long.MIN_VALUE && decoded(name, value, at, runId, null);
    }

    private boolean expect(byte[] b, char c) {
        skipSpace(b);
        if (pos < end && b[pos] == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void skipSpace(byte[] b) {
        while (pos < end && (b[pos] == ' ' || b[pos] == '\n' || b[pos] == '\r' || b[pos] == '\t')) {
            pos++;
        }
    }

    /** With {@link #pos} just after an opening quote: the index of the closing one (pos moves past it), or -1. */
    private int stringEnd(byte[] b) {
        for (int i = pos; i < end; i++) {
            byte c = b[i];
            if (c == '"') {
                pos = i + 1;
                return i;
            }
            if (c == '\\' || c < 0x20) { // an escape, a control or a non-ASCII byte: not for this tier
                return -1;
            }
        }
        return -1;
    }

    /** A quoted ASCII string without escapes at {@link #pos}: the index of its closing quote, or -1. */
    private int quoted(byte[] b) {
        if (pos >= end || b[pos] != '"') {
            return -1;
        }
        pos++;
        return stringEnd(b);
    }

    private static boolean is(byte[] b, int start, int end, byte[] key) {
        return end - start == key.length && Arrays.equals(b, start, end, key, 0, key.length);
    }

    /** The metric name in b[start, end), from a small cache of names seen, or null when it breaks the pattern. */
    private String metricName(byte[] b, int start, int end) {
        int hash = 0;
        for (int i = start; i < end; i++) {
            byte c = b[i];
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
            if (!letter && (i == start || c < '0' || c > '9')) {
                return null;
            }
            hash = 31 * hash + c;
        }
        if (end == start) {
            return null;
        }
        int slot = (hash ^ (hash >>> 8)) & 0xff;
        byte[] cached = nameBytes[slot];
        if (cached != null && Arrays.equals(cached, 0, cached.length, b, start, end)) {
            return names[slot];
        }
        String name = new String(b, start, end - start, StandardCharsets.ISO_8859_1);
        nameBytes[slot] = Arrays.copyOfRange(b, start, end);
        names[slot] = name;
        return name;
    }

    /** A JSON number at {@link #pos}; NaN when there is none. Exact: short decimals by Clinger's fast path. */
    private double number(byte[] b) {
        int start = pos;
        int i = pos;
        boolean negative = i < end && b[i] == '-';
        if (negative) {
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int intStart = i;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            mantissa = mantissa * 10 + (b[i++] - '0');
            digits++;
        }
        if (i == intStart || (b[intStart] == '0' && i - intStart > 1)) {
            return Double.NaN;
        }
        int fraction = 0;
        if (i < end && b[i] == '.') {
            int fracStart = ++i;
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                mantissa = mantissa * 10 + (b[i++] - '0');
                digits++;
            }
            fraction = i - fracStart;
            if (fraction == 0) {
                return Double.NaN;
            }
        }
        boolean exponent = i < end && (b[i] == 'e' || b[i] == 'E');
        if (exponent) {
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int expStart = i;
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
            if (i == expStart) {
                return Double.NaN;
            }
        }
        pos = i;
        if (!exponent && digits <= 15 && fraction < POWERS_OF_TEN.length) {
            double v = mantissa / POWERS_OF_TEN[fraction];
            return negative ? -v : v;
        }
        return Double.parseDouble(new String(b, start, i - start, StandardCharsets.ISO_8859_1));
    }

    /** A UUID in its 8-4-4-4-12 hex form in b[start, end), or null. */
    private static UUID uuid(byte[] b, int start, int end) {
        if (end - start != 36 || b[start + 8] != '-' || b[start + 13] != '-' || b[start + 18] != '-'
                || b[start + 23] != '-') {
            return null;
        }
        long high = hex(b, start, start + 8);
        long mid = hex(b, start + 9, start + 13);
        long midLow = hex(b, start + 14, start + 18);
        long lowHigh = hex(b, start + 19, start + 23);
        long low = hex(b, start + 24, start + 36);
        if ((high | mid | midLow | lowHigh | low) < 0) {
            return null;
        }
        return new UUID(high << 32 | mid << 16 | midLow, lowHigh << 48 | low);
    }

    /** The hex digits b[from, to) (at most 15) as a number, or -1 if one is not a hex digit. */
    private static long hex(byte[] b, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = HEX[b[i] & 0xff];
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    /** Each byte's value as a hex digit, or -1. */
    private static final byte[] HEX = new byte[256];

    static {
        Arrays.fill(HEX, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            HEX[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            HEX[c] = (byte) (c - 'a' + 10);
            HEX[c - 'a' + 'A'] = (byte) (c - 'a' + 10);
        }
    }

    /** Whether the streaming tier decoded a valid sample into {@link #out}. */
    private boolean fast(byte[] json, int from, int to) throws IOException {
        String name = null;
        double value = Double.NaN;
        boolean hasValue = false;
        long at = Long.MIN_VALUE;
        UUID runId = null;
        Histogram histogram = null;
        try (JsonParser p = JSON.createParser(json, from, to - from)) {
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
        return decoded(name, value, at, runId, histogram);
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

    /**
     * {@link #utcMillis(String)} on the ASCII bytes b[start, end), without making a string of them; the epoch day of
     * the last date seen is remembered (samples arrive in bursts of one day).
     */
    private long utcMillis(byte[] b, int start, int end) {
        int n = end - start;
        if (n < 20 || b[start + 4] != '-' || b[start + 7] != '-' || b[start + 10] != 'T' || b[start + 13] != ':'
                || b[start + 16] != ':' || b[end - 1] != 'Z') {
            return Long.MIN_VALUE;
        }
        int year = digits(b, start, 4);
        int month = digits(b, start + 5, 2);
        int day = digits(b, start + 8, 2);
        int hour = digits(b, start + 11, 2);
        int minute = digits(b, start + 14, 2);
        int second = digits(b, start + 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59) {
            return Long.MIN_VALUE;
        }
        int millis = 0;
        if (n > 20) {
            if (b[start + 19] != '.' || n == 21 || n > 30) {
                return Long.MIN_VALUE;
            }
            int fraction = digits(b, start + 20, Math.min(3, n - 21));
            if (fraction < 0 || (n - 21 > 3 && digits(b, start + 23, n - 24) < 0)) {
                return Long.MIN_VALUE;
            }
            for (int i = n - 21; i < 3; i++) {
                fraction *= 10;
            }
            millis = fraction;
        }
        int date = (year * 100 + month) * 100 + day;
        if (date != lastDate) {
            if (day > daysIn(year, month)) {
                return Long.MIN_VALUE;
            }
            lastEpochDay = epochDay(year, month, day);
            lastDate = date;
        }
        return ((lastEpochDay * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + millis;
    }

    private static int digits(byte[] b, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
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
