package io.tumult.schemas.v1;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes selectors in their text form, parsed once so that a selector that does not parse is refused when the
 * experiment is submitted (400), never when it fires. Label selectors take the full grammar of {@code kubectl -l}:
 * {@code key}, {@code !key}, {@code key=value}, {@code key==value}, {@code key!=value}, {@code key in (a,b)},
 * {@code key notin (a,b)}, joined by commas, all of which must hold. Field selectors take {@code field=value},
 * {@code field==value} and {@code field!=value} on the pod fields Tumult selects by.
 */
public final class Selectors {

    /** Pod fields a field selector may name. */
    public static final Set<String> POD_FIELDS = Set.of("status.phase", "spec.nodeName", "metadata.name",
            "metadata.namespace");

    private static final String NAME = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
    private static final Pattern KEY = Pattern.compile("(" + "[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/" + ")?" + NAME);
    private static final Pattern VALUE = Pattern.compile("(" + NAME + ")?");
    private static final Pattern SET = Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\(([^)]*)\\)$");
    private static final Pattern EQUALITY = Pattern.compile("^([^!=\\s]+)\\s*(==|=|!=)\\s*(\\S*)$");

    /** How a requirement compares a label's value. */
    public enum Operator {
        EXISTS,
        DOES_NOT_EXIST,
        IN,
        NOT_IN
    }

    /**
     * One requirement of a label selector. Equality forms are stored as IN/NOT_IN with one value.
     *
     * @param key the label key
     * @param operator how the key's value is compared
     * @param values the values for IN and NOT_IN; empty otherwise
     */
    public record Requirement(String key, Operator operator, List<String> values) {

        public Requirement {
            values = List.copyOf(values);
        }

        /** Whether {@code labels} satisfy this requirement (as the API server decides it). */
        public boolean matches(Map<String, String> labels) {
            String value = labels == null ? null : labels.get(key);
            return switch (operator) {
                case EXISTS -> value != null;
                case DOES_NOT_EXIST -> value == null;
                case IN -> value != null && values.contains(value);
                case NOT_IN -> value == null || !values.contains(value);
            };
        }
    }

    /**
     * One requirement of a field selector.
     *
     * @param field the field's path, one of {@link #POD_FIELDS}
     * @param equal true for {@code =}/{@code ==}, false for {@code !=}
     * @param value the value compared
     */
    public record FieldRequirement(String field, boolean equal, String value) {

        /** Whether a field whose value is {@code actual} satisfies this requirement. */
        public boolean matches(String actual) {
            return equal == value.equals(actual == null ? "" : actual);
        }
    }

    private Selectors() {
    }

    /**
     * Parses a label selector.
     *
     * @throws IllegalArgumentException naming the part that does not parse
     */
    public static List<Requirement> parseLabels(String selector) {
        var requirements = new ArrayList<Requirement>();
        for (String part : splitTopLevel(selector)) {
            String p = part.strip();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("label selector '" + selector + "' has an empty requirement");
            }
            Matcher set = SET.matcher(p);
            Matcher eq = EQUALITY.matcher(p);
            if (set.matches()) {
                var values = new ArrayList<String>();
                for (String v : set.group(3).split(",", -1)) {
                    values.add(value(selector, v.strip()));
                }
                if (set.group(3).isBlank()) {
                    throw new IllegalArgumentException("label selector '" + selector + "': '" + p
                            + "' needs at least one value in its parentheses");
                }
                requirements.add(new Requirement(key(selector, set.group(1)),
                        set.group(2).equals("in") ? Operator.IN : Operator.NOT_IN, values));
            } else if (eq.matches()) {
                requirements.add(new Requirement(key(selector, eq.group(1)),
                        eq.group(2).equals("!=") ? Operator.NOT_IN : Operator.IN,
                        List.of(value(selector, eq.group(3)))));
            } else if (p.startsWith("!")) {
                requirements.add(new Requirement(key(selector, p.substring(1).strip()), Operator.DOES_NOT_EXIST,
                        List.of()));
            } else {
                requirements.add(new Requirement(key(selector, p), Operator.EXISTS, List.of()));
            }
        }
        return List.copyOf(requirements);
    }

    /**
     * Parses a field selector on pods.
     *
     * @throws IllegalArgumentException naming the part that does not parse or the field that is not supported
     */
    public static List<FieldRequirement> parseFields(String selector) {
        var requirements = new ArrayList<FieldRequirement>();
        for (String part : selector.split(",", -1)) {
            Matcher eq = EQUALITY.matcher(part.strip());
            if (!eq.matches()) {
                throw new IllegalArgumentException("field selector '" + selector + "': '" + part.strip()
                        + "' is not field=value or field!=value");
            }
            if (!POD_FIELDS.contains(eq.group(1))) {
                throw new IllegalArgumentException("field selector '" + selector + "': field '" + eq.group(1)
                        + "' is not one of " + POD_FIELDS.stream().sorted().toList());
            }
            requirements.add(new FieldRequirement(eq.group(1), !eq.group(2).equals("!="), eq.group(3)));
        }
        return List.copyOf(requirements);
    }

    /** Whether {@code labels} satisfy every requirement. */
    public static boolean matches(List<Requirement> requirements, Map<String, String> labels) {
        return requirements.stream().allMatch(r -> r.matches(labels));
    }

    private static List<String> splitTopLevel(String selector) {
        var parts = new ArrayList<String>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth < 0) {
                    throw new IllegalArgumentException("label selector '" + selector + "' has an unmatched ')'");
                }
            } else if (c == ',' && depth == 0) {
                parts.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("label selector '" + selector + "' has an unclosed '('");
        }
        parts.add(selector.substring(start));
        return parts;
    }

    private static String key(String selector, String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("label selector '" + selector + "': '" + key
                    + "' is not a label key");
        }
        return key;
    }

    private static String value(String selector, String value) {
        if (!VALUE.matcher(value).matches()) {
            throw new IllegalArgumentException("label selector '" + selector + "': '" + value
                    + "' is not a label value");
        }
        return value;
    }
}
