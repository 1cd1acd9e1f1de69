package io.tumult.scheduler.hooks;

import java.util.Map;

/**
 * A deploy a CD system reported, as experiments' {@code onDeploy} triggers match it.
 *
 * @param source which hook: generic, github or argocd
 * @param deliveryId the delivery's id, unique per source (idempotency key, X-GitHub-Delivery, Argo CD app@revision@time)
 * @param service the deployed service or application
 * @param environment where it was deployed; may be null
 * @param labels what else the deploy carries
 * @param signedId what names the delivery inside what its signature covers, where its delivery id is not covered
 *        (GitHub's status id, the generic hook's signature over timestamp and body), else null: a signed delivery sent
 *        again under a new delivery id is the same delivery
 */
public record Deploy(String source, String deliveryId, String service, String environment, Map<String, String> labels,
        String signedId) {

    public Deploy {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** Who triggered a run this deploy starts, as the run records it. */
    public String triggeredBy() {
        return "hook:" + source + "/" + deliveryId;
    }
}
