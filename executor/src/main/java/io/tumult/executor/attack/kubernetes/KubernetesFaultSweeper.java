package io.tumult.executor.attack.kubernetes;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tumult.executor.attack.Attack;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackRegistry;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.LeftoverSweeper;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.executor.kubernetes.KubeCalls;
import io.tumult.executor.kubernetes.KubernetesConfig;
import io.tumult.executor.kubernetes.KubernetesTargets;
import io.tumult.executor.run.RunEngine;

/**
 * Restores API-level faults from the record on the objects themselves ({@link FaultRecord}), for when the journal
 * cannot: an executor whose pod (and journal) is gone. It lists every object labelled {@code tumult.io/fault} and
 * restores, through its attack's {@code recover}, each one whose run is not active here and that either this
 * executor recorded or whose deadline has passed. At start-up (as a {@link LeftoverSweeper}, before any run is
 * taken) and then every {@code expired-fault-sweep-interval} on the cluster executor, so a fault's hard deadline holds
 * when the executor that made it never comes back. Pods are restored before NetworkPolicies, so a partition's policy
 * is deleted once its pods are released.
 */
@ApplicationScoped
public class KubernetesFaultSweeper implements LeftoverSweeper {

    private static final Logger LOG = Logger.getLogger(KubernetesFaultSweeper.class);

    private final KubernetesClient kube;
    private final boolean enabled;
    private final AttackRegistry attacks;
    private final String executorId;
    private final InstantSource clock;
    private final KubernetesConfig.Role role;
    private final java.time.Duration interval;
    private final Instance<RunEngine> engine;
    private ScheduledExecutorService timer;

    @Inject
    KubernetesFaultSweeper(KubernetesClient kube, AttackRegistry attacks, ExecutorConfig executor,
            KubernetesConfig config, InstantSource clock, Instance<RunEngine> engine, KubernetesTargets targets) {
        this.kube = kube;
        this.enabled = targets.enabled();
        this.attacks = attacks;
        this.executorId = executor.id();
        this.clock = clock;
        this.role = config.role();
        this.interval = config.expiredFaultSweepInterval();
        this.engine = engine;
    }

    /** A sweeper for tests, without the periodic sweep. */
    public KubernetesFaultSweeper(KubernetesClient kube, AttackRegistry attacks, String executorId,
            InstantSource clock) {
        this.kube = kube;
        this.enabled = true;
        this.attacks = attacks;
        this.executorId = executorId;
        this.clock = clock;
        this.role = KubernetesConfig.Role.CLUSTER;
        this.interval = null;
        this.engine = null;
    }

    @Override
    public List<Swept> sweep(Predicate<UUID> active) {
        if (!role.cluster() || !enabled) {
            return List.of();
        }
        var swept = new ArrayList<Swept>();
        var failures = new ArrayList<String>();
        for (HasMetadata object : faulted()) {
            Optional<UUID> run = FaultRecord.runOf(object);
            if (run.isEmpty() || active.test(run.get())) {
                continue;
            }
            boolean mine = FaultRecord.executorOf(object).filter(executorId::equals).isPresent();
            boolean expired = FaultRecord.deadlineOf(object).map(d -> !clock.instant().isBefore(d)).orElse(true);
            if (!mine && !expired) {
                continue; // another executor's run, still within its deadline: its own executor reverts it
            }
            String what = object.getKind().toLowerCase() + " " + KubernetesTargets.key(object);
            try {
                restore(object, run.get());
                swept.add(new Swept(run, object.getMetadata().getLabels().get(FaultRecord.FAULT) + " on " + what));
            } catch (AttackException e) {
                failures.add(what + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new AttackException(AttackException.Reason.INTERNAL, "could not restore " + failures);
        }
        return swept;
    }

    private List<HasMetadata> faulted() {
        var objects = new ArrayList<HasMetadata>();
        objects.addAll(KubeCalls.call("list faulted deployments", () -> kube.apps().deployments().inAnyNamespace()
                .withLabel(FaultRecord.FAULT).list().getItems()));
        objects.addAll(KubeCalls.call("list faulted statefulsets", () -> kube.apps().statefulSets().inAnyNamespace()
                .withLabel(FaultRecord.FAULT).list().getItems()));
        objects.addAll(KubeCalls.call("list faulted nodes", () -> kube.nodes().withLabel(FaultRecord.FAULT).list()
                .getItems()));
        objects.addAll(KubeCalls.call("list faulted pods", () -> kube.pods().inAnyNamespace()
                .withLabel(FaultRecord.FAULT).list().getItems()));
        objects.addAll(KubeCalls.call("list faulted networkpolicies", () -> kube.network().v1().networkPolicies()
                .inAnyNamespace().withLabel(FaultRecord.FAULT).list().getItems()));
        return objects;
    }

    private void restore(HasMetadata object, UUID runId) {
        String ns = object.getMetadata().getNamespace();
        String name = object.getMetadata().getName();
        if (object instanceof io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy) {
            KubeCalls.run("delete networkpolicy " + ns + "/" + name, () -> kube.network().v1().networkPolicies()
                    .inNamespace(ns).withName(name).delete());
            return;
        }
        String kind = object.getMetadata().getLabels().get(FaultRecord.FAULT);
        Attack<?> attack = attacks.attackForKind(kind).orElseThrow(() -> new AttackException(
                AttackException.Reason.UNSUPPORTED_KIND, "no attack " + kind + " to restore " + name));
        var handle = new HashMap<String, String>();
        if (ns != null) {
            handle.put(KubernetesAttack.NAMESPACE, ns);
        }
        handle.put(KubernetesAttack.NAME, name);
        handle.put(KubernetesAttack.RUN_ID, runId.toString());
        handle.put(ScaleDownAttack.RESOURCE, object.getKind().toLowerCase());
        var target = new ResolvedTarget(object.getKind().toLowerCase(), KubernetesTargets.key(object));
        attack.recover(new Injection(kind, target, handle, List.of(List.of("true"))));
    }

    void startPeriodicSweep(@Observes StartupEvent event) {
        if (!role.cluster() || !enabled || interval == null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tumult-expired-fault-sweep");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::sweepExpired, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void sweepExpired() {
        try {
            var active = engine.get().activeRuns();
            for (Swept swept : sweep(active::contains)) {
                LOG.warnf("restored %s: its run %s passed its deadline with no executor reverting it", swept.what(),
                        swept.runId().map(UUID::toString).orElse("unknown"));
            }
        } catch (RuntimeException e) {
            LOG.errorf("expired-fault sweep failed; retrying in %s: %s", interval, e.getMessage());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
