package io.tumult.executor.kubernetes;

import java.util.function.Supplier;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;

/**
 * Turns a Kubernetes API error into an {@link AttackException} that names the object and the call: 401/403 refuse
 * (the executor's ServiceAccount lacks the verb), 404 refuses (the object does not exist), 409, 5xx and timeouts
 * fail. Nothing else in the executor catches fabric8's exceptions.
 */
public final class KubeCalls {

    private KubeCalls() {
    }

    /** Runs {@code call}, which does {@code what} (for example "patch deployment shop/cart"). */
    public static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientTimeoutException e) {
            throw new AttackException(Reason.INTERNAL, what + ": the API server did not answer in time", e);
        } catch (KubernetesClientException e) {
            throw failure(what, e);
        }
    }

    /** Runs {@code call} for its effect. */
    public static void run(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return null;
        });
    }

    /** The refusal or failure {@code e} means for {@code what}. */
    public static AttackException failure(String what, KubernetesClientException e) {
        int code = e.getCode();
        String detail = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage();
        return switch (code) {
            case 401, 403 -> new AttackException(Reason.PERMISSION_DENIED, what + ": forbidden (HTTP " + code
                    + "): the executor's ServiceAccount lacks this verb; " + detail, e);
            case 404 -> new AttackException(Reason.TARGET_NOT_FOUND, what + ": not found (HTTP 404)", e);
            case 409 -> new AttackException(Reason.INTERNAL, what + ": conflict (HTTP 409): " + detail, e);
            // no HTTP status: fabric8 reports a request timeout as -1, a connection failure as 0
            case -1, 0 -> new AttackException(Reason.INTERNAL, what + ": no answer from the API server: "
                    + (e.getCause() != null ? e.getCause().toString() : e.getMessage()), e);
            default -> new AttackException(Reason.INTERNAL, what + ": HTTP " + code + ": " + detail, e);
        };
    }
}
