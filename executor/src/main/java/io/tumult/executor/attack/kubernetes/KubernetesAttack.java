package io.tumult.executor.attack.kubernetes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tumult.executor.attack.Attack;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.kubernetes.CandidateCounts;
import io.tumult.executor.kubernetes.KubeCalls;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.kubernetes.KubernetesTargets;
import io.tumult.schemas.v1.AttackSpec;
import io.tumult.schemas.v1.AttackTargets;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.Target;

/**
 * What every API-level attack shares: it runs on the cluster executor only, resolves through
 * {@link KubernetesTargets} (the blast-radius policy included), needs no host guard (the object carries its revert
 * record, see {@link FaultRecord}), and turns API errors into refusals or failures naming the object
 * ({@link KubeCalls}).
 */
public abstract class KubernetesAttack<S extends AttackSpec> implements Attack<S> {

    /** Handle keys every API-level injection carries. */
    static final String NAMESPACE = "namespace", NAME = "name", RUN_ID = "runId", DEADLINE = "deadline";

    protected final KubernetesClient kube;
    protected final KubernetesTargets targets;
    protected final Role role;
    protected final String executorId;
    private final CandidateCounts candidateCounts = new CandidateCounts();

    protected KubernetesAttack(KubernetesClient kube, KubernetesTargets targets, Role role, String executorId) {
        this.kube = kube;
        this.targets = targets;
        this.role = role;
        this.executorId = executorId;
    }

    /** The attack kind, as in its spec's {@code KIND}. */
    protected abstract String kind();

    @Override
    public boolean needsHostGuard() {
        return false;
    }

    @Override
    public boolean clusterLevel() {
        return true;
    }

    @Override
    public List<ResolvedTarget> resolve(Target target) {
        return resolve(new UUID(0, 0), target);
    }

    @Override
    public List<ResolvedTarget> resolve(UUID runId, Target target) {
        if (!role.cluster()) {
            throw new AttackException(Reason.UNSUPPORTED_KIND, kind() + " is carried out by the cluster executor;"
                    + " this executor runs as a node agent");
        }
        AttackTargets.misfit(specOf(), target).ifPresent(why -> {
            throw new AttackException(Reason.UNSUPPORTED_KIND, why);
        });
        targets.checkEnabled(kind());
        Resolution resolution = resolveTargets(runId, target);
        candidateCounts.record(runId, resolution.candidates());
        return resolution.targets();
    }

    @Override
    public int candidates(UUID runId, Target target, List<ResolvedTarget> resolved) {
        return candidateCounts.of(runId, resolved);
    }

    /** The targets picked and how many candidates there were. */
    protected record Resolution(List<ResolvedTarget> targets, int candidates) {
    }

    /** Resolves a target of a kind this attack acts on (already checked). */
    protected abstract Resolution resolveTargets(UUID runId, Target target);

    /** A spec instance of this kind, only for checking which targets it fits. */
    protected abstract S specOf();

    /** Pods as resolved targets {@code pod/<namespace>/<name>}. */
    protected Resolution pods(UUID runId, Target target) {
        var resolved = targets.pods(runId, (PodTarget) target);
        return new Resolution(resolved.picked().stream().map(p -> new ResolvedTarget("pod", KubernetesTargets.key(p)))
                .toList(), resolved.candidates().size());
    }

    @Override
    public Injection plan(UUID runId, S spec, ResolvedTarget target) {
        return plan(runId, Instant.MAX, spec, target);
    }

    /** The handle's common part: where the object is and which run changes it. */
    protected static Map<String, String> handle(ResolvedTarget target, UUID runId, Instant deadline) {
        var handle = new HashMap<String, String>();
        String name = target.name();
        int slash = name.indexOf('/');
        if (slash >= 0) {
            handle.put(NAMESPACE, name.substring(0, slash));
            handle.put(NAME, name.substring(slash + 1));
        } else {
            handle.put(NAME, name);
        }
        handle.put(RUN_ID, runId.toString());
        if (deadline != null && !deadline.equals(Instant.MAX)) {
            handle.put(DEADLINE, deadline.toString());
        }
        return handle;
    }

    /**
     * Refuses an object that already carries another run's fault: stacking would lose its original values.
     *
     * @throws AttackException PERMISSION_DENIED naming the other run
     */
    protected static void checkNotFaultedByAnother(HasMetadata object, UUID runId, String what) {
        FaultRecord.runOf(object).filter(other -> !other.equals(runId)).ifPresent(other -> {
            throw new AttackException(Reason.PERMISSION_DENIED, what + " already carries the fault of run " + other
                    + " (" + FaultRecord.FAULT + "=" + object.getMetadata().getLabels().get(FaultRecord.FAULT)
                    + "); one fault per object at a time");
        });
    }

    /** Whether {@code object} carries the fault of the injection's run. */
    protected static boolean carriesFaultOf(HasMetadata object, Injection injection) {
        return object != null && FaultRecord.runOf(object).map(UUID::toString)
                .filter(injection.handle().get(RUN_ID)::equals).isPresent();
    }

    protected static UUID runIdOf(Injection injection) {
        return UUID.fromString(injection.handle().get(RUN_ID));
    }

    protected static Instant deadlineOf(Injection injection) {
        String deadline = injection.handle().get(DEADLINE);
        return deadline == null ? Instant.MAX : Instant.parse(deadline);
    }

    /** A pod by its handle; null when it is gone. */
    protected Pod pod(Injection injection) {
        String ns = injection.handle().get(NAMESPACE);
        String name = injection.handle().get(NAME);
        return KubeCalls.call("get pod " + ns + "/" + name, () -> kube.pods().inNamespace(ns).withName(name).get());
    }

    /** {@code kubectl} commands, printed for a person when a revert keeps failing (no guard runs them). */
    protected static List<List<String>> byHand(String... commands) {
        var undo = new ArrayList<List<String>>();
        for (String command : commands) {
            undo.add(List.of(command.split(" ")));
        }
        return undo;
    }
}
