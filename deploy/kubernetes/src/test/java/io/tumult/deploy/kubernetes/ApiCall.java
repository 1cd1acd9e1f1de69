package io.tumult.deploy.kubernetes;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One call to the Kubernetes API, in RBAC's terms: the verb, the API group ({@code ""} for the core group), the
 * resource, its subresource (or null) and the namespace (null for a cluster-scoped resource, or for a namespaced
 * resource listed or watched across all namespaces).
 */
public record ApiCall(String verb, String apiGroup, String resource, String subresource, String namespace) {

    /** RBAC's name for what is checked: {@code pods/eviction}, or {@code pods} without a subresource. */
    public String resourceName() {
        return subresource == null ? resource : resource + "/" + subresource;
    }

    @Override
    public String toString() {
        return verb + " " + (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resourceName()
                + (namespace == null ? " (cluster-wide)" : " in " + namespace);
    }

    /**
     * The call an HTTP request to the API server makes, as fabric8's mock server records it
     * ({@code RecordedRequest.getMethod()} and {@code getPath()}, query included), e.g. {@code POST
     * /api/v1/namespaces/shop/pods/cart-1/eviction} is {@code create core/pods/eviction in shop}.
     */
    public static ApiCall fromRequest(String method, String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        List<String> segments = Arrays.stream(uri.getPath().split("/")).filter(s -> !s.isEmpty()).toList();
        String group;
        List<String> rest;
        if (segments.size() >= 2 && segments.get(0).equals("api")) {
            group = "";
            rest = segments.subList(2, segments.size());
        } else if (segments.size() >= 3 && segments.get(0).equals("apis")) {
            group = segments.get(1);
            rest = segments.subList(3, segments.size());
        } else {
            throw new IllegalArgumentException("not a Kubernetes API resource path: " + pathAndQuery);
        }
        String namespace = null;
        if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
            namespace = rest.get(1);
            rest = rest.subList(2, rest.size());
        }
        if (rest.isEmpty() || rest.size() > 3) {
            throw new IllegalArgumentException("not a Kubernetes API resource path: " + pathAndQuery);
        }
        String resource = rest.get(0);
        boolean named = rest.size() >= 2;
        String subresource = rest.size() == 3 ? rest.get(2) : null;
        boolean watch = uri.getQuery() != null && Arrays.asList(uri.getQuery().split("&")).contains("watch=true");
        String verb = switch (method.toUpperCase(Locale.ROOT)) {
            case "GET" -> watch ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new IllegalArgumentException("no RBAC verb for HTTP " + method + " " + pathAndQuery);
        };
        return new ApiCall(verb, group, resource, subresource, namespace);
    }
}
