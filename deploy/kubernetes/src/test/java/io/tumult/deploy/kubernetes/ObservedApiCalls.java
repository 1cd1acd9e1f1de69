package io.tumult.deploy.kubernetes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The API calls each ServiceAccount's code makes: the seam between the executor's tests, which see the calls on
 * fabric8's mock server, and {@link RbacTest}. Two sources: {@code api-calls.tsv}, the list the RBAC is written from
 * (kept by hand), and the requests the executor's mock-server tests recorded, with the ServiceAccount whose code made
 * each ({@code executor/target/observed-api-requests.tsv}, written by its {@code ApiCalls}; a full build runs those
 * tests first).
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

    /** Where the executor's tests write the requests they saw, from this module's directory. */
    static final Path RECORDED = Path.of("..", "..", "executor", "target", "observed-api-requests.tsv");

    /** The requests the executor's tests recorded, per ServiceAccount; empty when they have not run. */
    static Map<String, List<ApiCall>> recordedByExecutorTests() {
        var calls = new LinkedHashMap<String, List<ApiCall>>();
        if (!Files.exists(RECORDED)) {
            return calls;
        }
        try {
            for (String line : Files.readAllLines(RECORDED)) {
                String[] f = line.split("\t", 3);
                if (f.length == 3) {
                    calls.computeIfAbsent(f[0], sa -> new ArrayList<>()).add(ApiCall.fromRequest(f[1], f[2]));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return calls;
    }

    private static String dash(String field) {
        return field.equals("-") ? null : field;
    }
}
