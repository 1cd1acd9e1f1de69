package io.tumult.executor.attack.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.tumult.executor.attack.Attack;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.kubernetes.NodePods;
import io.tumult.schemas.v1.ContainerKill;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.Target;

/**
 * {@code container-kill}: SIGKILL to the main process of a container (or of every container) of each picked pod, by
 * the node agent on the pod's node, found through the host's {@code /proc} ({@link NodePods}). The kubelet restarts
 * the container, as after a crash: one-shot, nothing to revert. PID 1 of the host and the executor's own family are
 * never signalled, whatever the lookup says.
 */
@Singleton
public class ContainerKillAttack implements Attack<ContainerKill> {

    private final NodePods pods;

    @Inject
    public ContainerKillAttack(NodePods pods) {
        this.pods = pods;
    }

    @Override
    public Class<ContainerKill> specType() {
        return ContainerKill.class;
    }

    @Override
    public List<ResolvedTarget> resolve(Target target) {
        return resolve(new UUID(0, 0), target);
    }

    @Override
    public List<ResolvedTarget> resolve(UUID runId, Target target) {
        if (!(target instanceof PodTarget pod)) {
            throw new AttackException(Reason.UNSUPPORTED_KIND, ContainerKill.KIND + " acts on pod targets, not "
                    + target.kind());
        }
        return pods.resolve(ContainerKill.KIND, runId, pod);
    }

    @Override
    public int candidates(UUID runId, Target target, List<ResolvedTarget> resolved) {
        return pods.candidates(runId, resolved);
    }

    @Override
    public boolean actsHere(ResolvedTarget target) {
        return pods.actsHere(target);
    }

    @Override
    public boolean needsHostGuard() {
        return false; // nothing stays in place to revert
    }

    @Override
    public Injection plan(UUID runId, ContainerKill spec, ResolvedTarget target) {
        return new Injection(ContainerKill.KIND, target, Map.of("pod", target.name(), "container",
                spec.container() == null ? "*" : spec.container()), List.of(List.of("true")));
    }

    @Override
    public void apply(ContainerKill spec, Injection injection) {
        Map<String, Long> mains = pods.containers(injection.target(), spec.container());
        var refused = new ArrayList<String>();
        mains.forEach((container, pid) -> {
            String why = Processes.neverSignalled(pid);
            if (why != null) {
                refused.add("container " + container + " (process " + pid + "): " + why);
            }
        });
        if (!refused.isEmpty()) {
            throw new AttackException(Reason.PERMISSION_DENIED, "container-kill refuses pod "
                    + injection.target().name() + ": " + String.join("; ", refused));
        }
        var failed = new ArrayList<String>();
        mains.forEach((container, pid) -> {
            // a container already gone (restarting) counts as killed
            if (ProcessHandle.of(pid).map(p -> !p.destroyForcibly() && p.isAlive()).orElse(false)) {
                failed.add(container + " (process " + pid + ")");
            }
        });
        if (!failed.isEmpty()) {
            throw new AttackException(Reason.INTERNAL, "container-kill could not signal " + String.join(", ", failed)
                    + " of pod " + injection.target().name());
        }
    }

    @Override
    public void recover(Injection injection) {
        // one-shot: the kubelet restarts the container
    }
}
