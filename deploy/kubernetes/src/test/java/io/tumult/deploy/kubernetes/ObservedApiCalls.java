package io.tumult.deploy.kubernetes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The API calls each ServiceAccount's code makes: the seam between the executor's tests, which see the calls on
 * fabric8's mock server, and {@link RbacTest}. Read from {@code api-calls.tsv} (today the expected list); a recorder
 * that writes the mock server's requests (through {@link ApiCall#fromRequest}) in the same format plugs in here.
 */
final class ObservedApiCalls {

    private static final String FIXTURE = "/io/tumult/deploy/kubernetes/api-calls.tsv";

    private ObservedApiCalls() {
    }

    /** Calls per ServiceAccount name. */
    static Map<String, List<ApiCall>> fromFixture() {
        try (InputStream in = ObservedApiCalls.class.getResourceAsStream(FIXTURE)) {
            if (in == null) {
                throw new IllegalStateException(FIXTURE + " is missing");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, List<ApiCall>> parse(String tsv) {
        var calls = new LinkedHashMap<String, List<ApiCall>>();
        int n = 0;
        for (String line : tsv.split("\n")) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.strip().split("\t");
            if (f.length != 6) {
                throw new IllegalArgumentException("line " + n + ": 6 tab-separated fields expected, got " + f.length
                        + ": " + line);
            }
            calls.computeIfAbsent(f[0], sa -> new ArrayList<>()).add(new ApiCall(f[1], f[2].equals("core") ? "" : f[2],
                    f[3], dash(f[4]), dash(f[5])));
        }
        return calls;
    }

    private static String dash(String field) {
        return field.equals("-") ? null : field;
    }
}
