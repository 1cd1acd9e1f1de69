package io.tumult.executor.attack.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * The Kubernetes API calls a mock server received, as RBAC names them (verb, API group, resource, subresource), so a
 * test can assert exactly which calls an attack makes and an RBAC test can compare them with a Role's rules.
 */
public final class ApiCalls {

    /**
     * One API call.
     *
     * @param verb get, list, watch, create, update, patch or delete
     * @param group the API group, "" for the core group
     * @param resource the resource, plural (pods, deployments, nodes)
     * @param subresource the subresource (eviction, scale, status), or ""
     */
    public record ApiCall(String verb, String group, String resource, String subresource) {

        @Override
        public String toString() {
            return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource
                    + (subresource.isEmpty() ? "" : "/" + subresource);
        }
    }

    private ApiCalls() {
    }

    /**
     * Where every drained request is written, with the ServiceAccount whose code made it: deploy/kubernetes' RbacTest
     * reads it (a full build runs this module's tests first) and checks that the RBAC grants exactly these calls.
     */
    public static final Path OBSERVED = Path.of("target", "observed-api-requests.tsv");

    static {
        // this test JVM's requests only, not an earlier run's; once per JVM, however many class loaders load this class
        long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        try {
            if (Files.exists(OBSERVED) && Files.getLastModifiedTime(OBSERVED).toMillis() < jvmStart) {
                Files.delete(OBSERVED);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cluster executor's ServiceAccount, whose code makes the calls drained without naming one. */
    public static final String CLUSTER_EXECUTOR = "tumult-executor";

    /** The node agent's ServiceAccount. */
    public static final String NODE_AGENT = "tumult-node-agent";

    /** Drops every request recorded so far: a test's own (setting up objects, reading them back), not the code's. */
    public static void discard(KubernetesMockServer server) {
        takeAll(server);
    }

    /** Takes every request the cluster executor's code made since the last call, in order, as RBAC calls. */
    public static List<ApiCall> drain(KubernetesMockServer server) {
        return drain(server, CLUSTER_EXECUTOR);
    }

    /** Takes every request {@code serviceAccount}'s code made since the last call, in order, as RBAC calls. */
    public static List<ApiCall> drain(KubernetesMockServer server, String serviceAccount) {
        return drainRequests(server, serviceAccount).stream().map(r -> parse(r.split(" ", 2)[0], r.split(" ", 2)[1]))
                .toList();
    }

    /** Takes every request the server recorded since the last call, in order, as {@code METHOD path?query}. */
    public static List<String> drainRequests(KubernetesMockServer server) {
        return drainRequests(server, CLUSTER_EXECUTOR);
    }

    /** {@link #drainRequests(KubernetesMockServer)}, made by {@code serviceAccount}'s code, recorded as such. */
    public static synchronized List<String> drainRequests(KubernetesMockServer server, String serviceAccount) {
        var requests = takeAll(server).stream().map(r -> r.getMethod() + " " + r.getPath()).toList();
        record(serviceAccount, requests);
        return requests;
    }

    /**
     * Takes every request the cluster executor's code made since the last call, in order, with its body, for a test
     * that asserts what a call sent (a DELETE's grace period, a PATCH's fields).
     */
    public static synchronized List<RecordedRequest> drainRecorded(KubernetesMockServer server) {
        var requests = takeAll(server);
        record(CLUSTER_EXECUTOR, requests.stream().map(r -> r.getMethod() + " " + r.getPath()).toList());
        return requests;
    }

    private static void record(String serviceAccount, List<String> requests) {
        var lines = new StringBuilder();
        requests.forEach(r -> lines.append(serviceAccount).append('\t').append(r.replaceFirst(" ", "\t")).append('\n'));
        try {
            Files.createDirectories(OBSERVED.getParent());
            Files.writeString(OBSERVED, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<RecordedRequest> takeAll(KubernetesMockServer server) {
        var requests = new ArrayList<RecordedRequest>();
        try {
            RecordedRequest request;
            while ((request = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
                requests.add(request);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return requests;
    }

    /** {@code GET /apis/apps/v1/namespaces/shop/deployments/cart} as an RBAC call. */
    static ApiCall parse(String method, String pathAndQuery) {
        String path = pathAndQuery.split("\\?", 2)[0];
        boolean watch = pathAndQuery.contains("watch=true");
        String[] p = path.replaceFirst("^/", "").split("/");
        int i;
        String group;
        if (p[0].equals("api")) { // /api/v1/...
            group = "";
            i = 2;
        } else { // /apis/<group>/<version>/...
            group = p[1];
            i = 3;
        }
        if (i < p.length && p[i].equals("namespaces") && i + 2 < p.length) {
            i += 2; // namespaced: skip namespaces/<ns>
        }
        String resource = i < p.length ? p[i] : "";
        boolean named = i + 1 < p.length;
        String subresource = i + 2 < p.length ? p[i + 2] : "";
        String verb = switch (method) {
            case "GET" -> watch ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> method.toLowerCase();
        };
        return new ApiCall(verb, group, resource, subresource);
    }
}
