package io.tumult.scheduler.experiment;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

/** The JSON paths at which two documents differ, deepest first found, in document order. */
final class JsonDiff {

    private JsonDiff() {
    }

    /** Paths like {@code $.spec.duration} or {@code $.spec.autoAbort[0].threshold}; {@code $} when either is null. */
    static List<String> paths(JsonNode before, JsonNode after) {
        var out = new ArrayList<String>();
        diff("$", before, after, out);
        return out;
    }

    private static void diff(String path, JsonNode a, JsonNode b, List<String> out) {
        if (a == null || b == null || a.isMissingNode() || b.isMissingNode()) {
            if (!(isAbsent(a) && isAbsent(b))) {
                out.add(path);
            }
            return;
        }
        if (a.isObject() && b.isObject()) {
            var names = new TreeSet<String>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (Iterator<String> it = names.iterator(); it.hasNext();) {
                String name = it.next();
                diff(path + "." + name, a.get(name), b.get(name), out);
            }
        } else if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                diff(path + "[" + i + "]", a.get(i), b.get(i), out);
            }
        } else if (!a.equals(b)) {
            out.add(path);
        }
    }

    private static boolean isAbsent(JsonNode n) {
        return n == null || n.isMissingNode();
    }
}
