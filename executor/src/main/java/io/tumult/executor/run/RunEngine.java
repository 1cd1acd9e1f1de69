package io.tumult.executor.run;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.tumult.executor.attack.Attack;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackRegistry;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.AttackSpec;
import io.tumult.schemas.v1.BlastRadius;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;

/**
 * Carries out runs and keeps the safety invariants: refuse before acting when anything is off, inject once per run
 * id, revert at the hard deadline or at the first abort (whichever comes first, exactly once), remember aborts that
 * arrive before their start. See DESIGN.md beside the attack package.
 */
@ApplicationScoped
public class RunEngine {

    private static final Logger LOG = Logger.getLogger(RunEngine.class);
    private static final int REVERT_ATTEMPTS = 3;

    private final AttackRegistry attacks;
    private final ExecutorConfig config;
    private final RunStatusSink sink;
    private final Clock clock = Clock.systemUTC();

    private final Map<UUID, ActiveRun> active = new ConcurrentHashMap<>();
    private final Set<UUID> seen;
    private final Map<UUID, RunAborted> abortedBeforeStart;
    private volatile Instant haltedAt = Instant.MIN;
    /** Set when shutdown begins: from then on no run is started, so nothing is injected that nobody would revert. */
    private boolean closing;

    /** Injections and reverts; a revert never queues behind another run's slow injection. */
    private final ExecutorService work = Executors.newCachedThreadPool(named("tumult-attack-"));
    private final RunAborted shutdownAbort;
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(named("tumult-deadline-"));

    RunEngine(AttackRegistry attacks, ExecutorConfig config, RunStatusSink sink) {
        this.attacks = attacks;
        this.config = config;
        this.sink = sink;
        this.seen = Collections.synchronizedSet(Collections.newSetFromMap(lru(config.rememberedRuns())));
        this.abortedBeforeStart = Collections.synchronizedMap(lru(config.rememberedRuns()));
        this.shutdownAbort = new RunAborted(RunAborted.ALL_RUNS, config.id(), Instant.now(),
                new AbortReason(AbortKind.MANUAL, "executor shutting down", null, null));
    }

    /** Handles a run-start; completes when the run is injected (or refused, or failed) and that is published. */
    public CompletionStage<Void> start(RunStarted start) {
        ActiveRun run;
        String refusal;
        // one lock for registering runs and for remembering early aborts: an abort either is seen by this check,
        // or finds the run registered
        synchronized (this) {
            if (!seen.add(start.runId())) {
                LOG.debugf("runId=%s duplicate run-start ignored", start.runId());
                return CompletableFuture.completedFuture(null);
            }
            refusal = closing ? "executor shutting down" : refusalFor(start);
            run = refusal == null ? new ActiveRun(start) : null;
            if (run != null) {
                active.put(start.runId(), run);
            }
        }
        if (run == null) {
            return publish(start, RunPhase.REFUSED, refusal, List.of(), null);
        }
        return CompletableFuture.supplyAsync(() -> carryOut(run), work).thenCompose(stage -> stage);
    }

    /** Handles an abort; completes when the affected runs are reverted and that is published. */
    public CompletionStage<Void> abort(RunAborted abort) {
        List<ActiveRun> affected;
        synchronized (this) {
            if (abort.haltsAll()) {
                haltedAt = abort.issuedAt().isAfter(haltedAt) ? abort.issuedAt() : haltedAt;
                affected = List.copyOf(active.values());
            } else {
                UUID runId = UUID.fromString(abort.runId());
                ActiveRun run = active.get(runId);
                if (run == null) {
                    abortedBeforeStart.put(runId, abort); // a late start will be refused
                    return CompletableFuture.completedFuture(null);
                }
                affected = List.of(run);
            }
        }
        // reverts run processes: off the caller's (the consumer's event loop) thread
        return CompletableFuture.allOf(affected.stream()
                .map(run -> CompletableFuture.supplyAsync(() -> end(run, RunPhase.ABORTED, abort), work)
                        .thenCompose(stage -> stage))
                .toArray(CompletableFuture[]::new));
    }

    /** The runs with faults in place or being injected right now. */
    public Set<UUID> activeRuns() {
        return Set.copyOf(active.keySet());
    }

    private String refusalFor(RunStarted start) {
        RunAborted early = abortedBeforeStart.get(start.runId());
        if (early != null) {
            return "aborted by " + early.source() + " before it started: " + early.reason().message();
        }
        if (!start.issuedAt().isAfter(haltedAt)) {
            return "all runs were halted at " + haltedAt + ", after this run was issued";
        }
        if (!clock.instant().isBefore(start.deadline())) {
            return "stale start: its deadline " + start.deadline() + " has passed";
        }
        return null;
    }

    private CompletionStage<Void> carryOut(ActiveRun run) {
        RunStarted start = run.start;
        AttackSpec spec = start.spec().attack();
        try {
            run.attack = attacks.attackFor(spec);
            run.targets = run.attack.resolve(start.spec().target());
            checkBlastRadius(start.spec().blastRadius(), run.targets,
                    run.attack.candidates(start.spec().target(), run.targets));
        } catch (AttackException e) {
            synchronized (run) {
                run.state = State.ENDED;
            }
            return finish(run, publish(start, RunPhase.REFUSED, e.getMessage(), List.of(), null));
        }
        synchronized (run) {
            if (run.pendingAbort != null) { // abort wins: nothing was injected yet
                run.state = State.ENDED;
                return finish(run, publish(start, RunPhase.REFUSED, "aborted by " + run.pendingAbort.source()
                        + " before injection: " + run.pendingAbort.reason().message(), List.of(), null));
            }
        }
        try {
            for (ResolvedTarget target : run.targets) {
                Injection injection = run.attack.plan(start.runId(), spec, target);
                run.injections.add(injection); // before applying: a failed apply is reverted like the others
                run.attack.apply(spec, injection);
            }
        } catch (RuntimeException e) {
            String reverted = revertAll(run);
            synchronized (run) {
                run.state = State.ENDED;
            }
            return finish(run, publish(start, RunPhase.FAILED, "injection failed: " + e.getMessage() + reverted,
                    run.targetNames(), null));
        }

        RunAborted pending;
        CompletionStage<Void> injected;
        synchronized (run) {
            pending = run.pendingAbort;
            run.state = State.ACTIVE;
            // sent under the run's lock: another thread's end() sees ACTIVE only once 'injected' is handed to the
            // producer, so the outcome always follows it on the run's partition
            injected = publishInjected(run);
        }
        if (pending != null) {
            // abort wins: the revert waits neither for the broker's answer on 'injected' nor on its success
            CompletableFuture<Void> ended = end(run, RunPhase.ABORTED, pending).toCompletableFuture();
            return CompletableFuture.allOf(injected.toCompletableFuture(), ended);
        }
        long delay = Math.max(0, Duration.between(clock.instant(), start.deadline()).toMillis());
        run.deadline = deadlines.schedule(() -> work.execute(() -> end(run, RunPhase.REVERTED, null)), delay,
                TimeUnit.MILLISECONDS);
        return injected;
    }

    private CompletionStage<Void> publishInjected(ActiveRun run) {
        return publish(run.start, RunPhase.INJECTED, run.start.spec().attack().kind() + " in place on "
                + run.targets.size() + " target(s) until " + run.start.deadline(), run.targetNames(), null);
    }

    /** Reverts and reports a run; only the first caller per run acts, later ones return at once. */
    private CompletionStage<Void> end(ActiveRun run, RunPhase phase, RunAborted abort) {
        synchronized (run) {
            if (run.state == State.INJECTING) {
                if (phase == RunPhase.ABORTED && run.pendingAbort == null) {
                    run.pendingAbort = abort; // the injecting thread reverts as soon as it is done
                }
                return CompletableFuture.completedFuture(null);
            }
            if (run.state == State.ENDED) {
                return CompletableFuture.completedFuture(null);
            }
            run.state = State.ENDED;
        }
        if (run.deadline != null) {
            run.deadline.cancel(false);
        }
        String failure = revertAll(run);
        if (!failure.isEmpty()) {
            return finish(run, publish(run.start, RunPhase.FAILED, "revert failed" + failure, run.targetNames(),
                    abort == null ? null : abort.reason()));
        }
        if (phase == RunPhase.ABORTED) {
            String why = abort == shutdownAbort ? "executor shutting down; reverted"
                    : "reverted after abort from " + abort.source() + ": " + abort.reason().message();
            return finish(run, publish(run.start, RunPhase.ABORTED, why, run.targetNames(), abort.reason()));
        }
        return finish(run, publish(run.start, RunPhase.REVERTED, "deadline reached; reverted", run.targetNames(), null));
    }

    /** The run has ended (its faults are gone): forget it and let shutdown know once its status is out. */
    private CompletionStage<Void> finish(ActiveRun run, CompletionStage<Void> published) {
        active.remove(run.start.runId());
        return published.whenComplete((ok, failure) -> run.done.complete(null));
    }

    /** Reverts every injection of a run, retrying; returns "" or a description of what could not be reverted. */
    private String revertAll(ActiveRun run) {
        var failures = new ArrayList<String>();
        for (Injection injection : run.injections) {
            RuntimeException last = null;
            for (int attempt = 1; attempt <= REVERT_ATTEMPTS; attempt++) {
                try {
                    run.attack.recover(injection);
                    last = null;
                    break;
                } catch (RuntimeException e) {
                    last = e;
                }
            }
            if (last != null) {
                LOG.errorf("runId=%s target=%s revert failed: %s", run.start.runId(), injection.target().describe(),
                        last.getMessage());
                failures.add(injection.target().describe() + ": " + last.getMessage());
            }
        }
        return failures.isEmpty() ? "" : "; not reverted: " + String.join("; ", failures);
    }

    private static void checkBlastRadius(BlastRadius radius, List<ResolvedTarget> targets, int candidates) {
        if (radius == null) {
            return;
        }
        if (radius.maxTargets() != null && targets.size() > radius.maxTargets()) {
            throw new AttackException(AttackException.Reason.BLAST_RADIUS, "blast radius exceeded: " + targets.size()
                    + " targets, maxTargets " + radius.maxTargets());
        }
        if (radius.maxPercentage() != null && candidates > 0
                && targets.size() * 100.0 / candidates > radius.maxPercentage()) {
            throw new AttackException(AttackException.Reason.BLAST_RADIUS, "blast radius exceeded: " + targets.size()
                    + " of " + candidates + " targets, maxPercentage " + radius.maxPercentage());
        }
    }

    private CompletionStage<Void> publish(RunStarted start, RunPhase phase, String message, List<String> targets,
            AbortReason reason) {
        LOG.infof("runId=%s experiment=%s phase=%s %s", start.runId(), start.experiment(), phase, message);
        return sink.publish(new RunStatus(start.runId(), start.experiment(), phase, clock.instant(), config.id(),
                message, targets, reason));
    }

    /**
     * Fail safe on the way out: no new run starts, every active run is reverted (a run being injected is reverted the
     * moment its injection completes) and reported ABORTED (MANUAL, "executor shutting down") if Kafka still takes
     * it. Runs while the messaging connectors are still open (ShutdownEvent comes before beans are destroyed).
     */
    void revertEverythingOnShutdown(@Observes ShutdownEvent event) {
        shutdown();
    }

    /** See {@link #revertEverythingOnShutdown}; returns once every run ended or the wait timed out. */
    void shutdown() {
        List<ActiveRun> running;
        synchronized (this) {
            closing = true;
            running = List.copyOf(active.values());
        }
        running.forEach(run -> end(run, RunPhase.ABORTED, shutdownAbort));
        var ended = running.stream().map(run -> run.done).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(ended).get(
                    config.shutdownPublishTimeout().plus(config.commandTimeout()).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the faults are reverted before their statuses are published: what usually times out is Kafka
            LOG.warnf("%d run(s) not confirmed ended before shutdown (revert or status publish pending: %s)",
                    running.stream().filter(run -> !run.done.isDone()).count(), e.toString());
        }
        deadlines.shutdownNow();
        work.shutdown();
    }

    private enum State {
        INJECTING,
        ACTIVE,
        ENDED
    }

    private static final class ActiveRun {
        final RunStarted start;
        final List<Injection> injections = Collections.synchronizedList(new ArrayList<>());
        volatile Attack<AttackSpec> attack;
        volatile List<ResolvedTarget> targets = List.of();
        State state = State.INJECTING;
        RunAborted pendingAbort;
        volatile ScheduledFuture<?> deadline;
        /** Completes once the run has ended and its terminal status was published (or failed to be). */
        final CompletableFuture<Void> done = new CompletableFuture<>();

        ActiveRun(RunStarted start) {
            this.start = start;
        }

        List<String> targetNames() {
            return targets.stream().map(ResolvedTarget::describe).toList();
        }
    }

    private static <K, V> Map<K, V> lru(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    private static ThreadFactory named(String prefix) {
        var n = new AtomicInteger();
        return r -> {
            var t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
