package io.tumult.executor.attack.kubernetes;

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

    /** Takes every request the server recorded since the last call, in order, as RBAC calls. */
    public static List<ApiCall> drain(KubernetesMockServer server) {
        return drainRequests(server).stream().map(r -> parse(r.split(" ", 2)[0], r.split(" ", 2)[1])).toList();
    }

    /** Takes every request the server recorded since the last call, in order, as {@code METHOD path?query}. */
    public static List<String> drainRequests(KubernetesMockServer server) {
        var requests = new ArrayList<String>();
        try {
            RecordedRequest request;
            while ((request = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
                requests.add(request.getMethod() + " " + request.getPath());
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
