package io.tumult.executor.run;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.tumult.executor.attack.Attack;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackRegistry;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.LeftoverSweeper;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.AttackSpec;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunClaimed;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.StatusReason;

/**
 * Carries out runs and keeps the safety invariants: refuse before acting when anything is off ({@link Admission}),
 * inject once per run id, revert at the hard deadline or at the first abort (whichever comes first, exactly once:
 * {@link Run}), remember aborts that arrive before their start. The facade the messaging edge calls. See DESIGN.md
 * beside the attack package.
 */
@ApplicationScoped
public class RunEngine {

    private static final Logger LOG = Logger.getLogger(RunEngine.class);

    private final AttackRegistry attacks;
    private final ExecutorConfig config;
    private final RunStatusSink sink;
    private final InstantSource clock;
    private final Journal journal;
    private final Guards guards;
    private final List<LeftoverSweeper> sweepers;
    private final Reverter reverter;
    /** Completes once start-up recovery is done: no run-start is taken before. */
    private final CompletableFuture<Void> recovered = new CompletableFuture<>();
    private final Admission admission;
    private final Deadlines deadlines;

    /** Injections and reverts; a revert never queues behind another run's slow injection. */
    private final ExecutorService work = Executors.newCachedThreadPool(Deadlines.named("tumult-attack-"));
    private final RunAborted shutdownAbort;
    private final AtomicLong unreverted = new AtomicLong();
    private volatile StartGate gate = StartGate.OPEN;
    private volatile NodeAgentCheck nodeAgents = NodeAgentCheck.NONE;

    @Inject
    RunEngine(AttackRegistry attacks, ExecutorConfig config, RunStatusSink sink, InstantSource clock,
            Journal journal, Guards guards, Instance<LeftoverSweeper> sweepers) {
        this(attacks, config, sink, clock, journal, guards, sweepers.stream().toList());
    }

    /** An engine on the system clock, without journal, guards or sweepers, recovered at once, for tests. */
    RunEngine(AttackRegistry attacks, ExecutorConfig config, RunStatusSink sink) {
        this(attacks, config, sink, InstantSource.system(), Journal.none(), Guards.none(), List.of());
        recovered.complete(null);
    }

    /** An engine that takes no run before {@link #recover()} has completed. */
    RunEngine(AttackRegistry attacks, ExecutorConfig config, RunStatusSink sink, InstantSource clock,
            Journal journal, Guards guards, List<LeftoverSweeper> sweepers) {
        this.attacks = attacks;
        this.config = config;
        this.sink = sink;
        this.clock = clock;
        this.journal = journal;
        this.guards = guards;
        this.sweepers = List.copyOf(sweepers);
        this.admission = new Admission(config.rememberedRuns(), clock);
        this.deadlines = new Deadlines(clock);
        this.reverter = new Reverter(clock, config.revertGrace(), config.commandTimeout());
        this.shutdownAbort = new RunAborted(RunAborted.ALL_RUNS, config.id(), clock.instant(),
                new AbortReason(AbortKind.MANUAL, "executor shutting down", null, null));
    }

    /**
     * The fail-safe switches (halt-all until released, dead-man switch, runs with a status elsewhere); CDI passes
     * {@code failsafe.FailSafe}. Without it (engines built by hand) every start passes.
     */
    @Inject
    public void guardStarts(StartGate gate) {
        this.gate = gate;
        admission.gate(gate);
    }

    /** A cluster executor's check that the node agents can carry out their part; CDI passes {@code NodeAgents}. */
    @Inject
    public void checkNodeAgents(NodeAgentCheck check) {
        this.nodeAgents = check;
    }

    /**
     * Handles a run-start; completes when the run is injected (or refused, or failed) and that is published. Waits
     * for start-up recovery (nothing is injected before what a previous executor left is reverted) and for the start
     * gate (it has replayed the abort topic: a halt-all or early abort is known first).
     */
    public CompletionStage<Void> start(RunStarted start) {
        return recovered.thenCompose(r -> gate.ready()).thenCompose(ready -> admit(start));
    }

    private CompletionStage<Void> admit(RunStarted start) {
        AttackRegistry.Part part = attacks.partOf(start.spec().attack(), start.spec().target());
        if (part == AttackRegistry.Part.ELSEWHERE) {
            LOG.debugf("runId=%s %s on a %s target is the other executor role's part: left to it", start.runId(),
                    start.spec().attack().kind(), start.spec().target().kind());
            return CompletableFuture.completedFuture(null);
        }
        if (part == AttackRegistry.Part.AGENTS) {
            return pickForAgents(start);
        }
        Admission.Decision decision = admission.admit(start);
        if (decision instanceof Admission.Duplicate) {
            LOG.debugf("runId=%s duplicate run-start ignored", start.runId());
            return CompletableFuture.completedFuture(null);
        }
        if (decision instanceof Admission.Refused refused) {
            return publish(start, RunPhase.REFUSED, refused.refusal().getMessage(), List.of(), null,
                    reasonOf(refused.refusal()));
        }
        Run run = ((Admission.Admitted) decision).run();
        if (part == AttackRegistry.Part.NOWHERE) {
            AttackException nowhere = AttackRegistry.nowhere(start.spec().attack(), start.spec().target());
            return refuse(run, nowhere.getMessage(), reasonOf(nowhere));
        }
        return gate.claim(start.runId()).handle((won, failure) -> {
            run.claimedNanos = System.nanoTime();
            if (failure != null) { // fail safe: a run this instance cannot be sure it owns is not injected
                return refuse(run, "could not confirm this executor's claim on the run: " + messageOf(failure),
                        StatusReason.INTERNAL);
            }
            if (!won) {
                LOG.infof("runId=%s claimed first by another executor instance: left to it", start.runId());
                run.endWithoutFault();
                return finish(run, CompletableFuture.<Void> completedFuture(null));
            }
            if (!start.spec().steadyState().isEmpty()) {
                return afterSteadyState(run);
            }
            return carryOutAsync(run);
        }).thenCompose(stage -> stage);
    }

    /**
     * The node agents' part of a run (an in-pod fault), as a cluster executor: it picks the pods once for every agent
     * and claims the run with that pick (the first claim's pick is the one the agents act on), or refuses the run
     * (nothing is touched: the agents end their shares). A start redelivered once the run has a status is left alone.
     */
    private CompletionStage<Void> pickForAgents(RunStarted start) {
        if (gate.seenElsewhere(start.runId())) {
            LOG.debugf("runId=%s already has a status: its pick is out", start.runId());
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.supplyAsync(() -> {
            RunClaimed.Pick pick = nodeAgents.pick(start.runId(), start.spec());
            if (pick != null) {
                Admission.checkBlastRadius(start.spec().blastRadius(),
                        pick.pods().stream().map(p -> new ResolvedTarget(PodTarget.KIND, p.pod(), p.node())).toList(),
                        pick.candidates());
            }
            return pick;
        }, work).handle((pick, failure) -> {
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                AttackException refusal = cause instanceof AttackException e ? e
                        : new AttackException(AttackException.Reason.INTERNAL, cause.toString());
                return publish(start, RunPhase.REFUSED, refusal.getMessage(), List.of(), null, reasonOf(refusal));
            }
            if (pick == null) {
                return CompletableFuture.<Void> completedFuture(null);
            }
            return gate.claim(start.runId(), pick).handle((won, claimFailure) -> {
                if (claimFailure != null) { // fail safe: agents without a sure pick must not act
                    return publish(start, RunPhase.REFUSED, "could not confirm the claim carrying the pick of "
                            + pick.pods().size() + " pod(s): " + messageOf(claimFailure), List.of(), null,
                            StatusReason.INTERNAL);
                }
                LOG.debugf("runId=%s %s in %d pod(s) is the node agents' part: %s", start.runId(),
                        start.spec().attack().kind(), pick.pods().size(), won ? "picked for them"
                                : "another cluster executor's pick came first");
                return CompletableFuture.<Void> completedFuture(null);
            }).thenCompose(stage -> stage);
        }).thenCompose(stage -> stage);
    }

    /** A run with steady-state conditions goes in only after a guardian's verdict that they held; else it is vetoed. */
    private CompletionStage<Void> afterSteadyState(Run run) {
        RunStarted start = run.start;
        return gate.steadyState(start).handle((verdict, failure) -> {
            if (failure != null || !verdict.held()) {
                String why = failure != null ? messageOf(failure) : verdict.source() + ": " + verdict.message();
                LOG.infof("runId=%s vetoed before injection: %s", start.runId(), why);
                return refuse(run, "vetoed before injection: " + why, StatusReason.STEADY_STATE);
            }
            LOG.infof("runId=%s %s", start.runId(), verdict.message());
            AttackException closed = gate.refusal(); // the wait may have been long: a halt or a tripped switch since
            if (closed != null) {
                return refuse(run, closed.getMessage(), reasonOf(closed));
            }
            return carryOutAsync(run);
        }).thenCompose(stage -> stage);
    }

    /** Carries out an admitted run on the attack threads (it runs processes): off the caller's thread. */
    private CompletionStage<Void> carryOutAsync(Run run) {
        return CompletableFuture.supplyAsync(() -> carryOut(run), work).thenCompose(stage -> stage);
    }

    /** Ends an admitted run before anything was touched, reported REFUSED. */
    private CompletionStage<Void> refuse(Run run, String message, StatusReason reason) {
        run.endWithoutFault();
        return finish(run, publish(run.start, RunPhase.REFUSED, message, List.of(), null, reason));
    }

    /** A stage's failure, unwrapped from the CompletionException it travels in. */
    private static String messageOf(Throwable failure) {
        return (failure.getCause() != null ? failure.getCause() : failure).getMessage();
    }

    /** Handles an abort; completes when the affected runs are reverted and that is published. */
    public CompletionStage<Void> abort(RunAborted abort) {
        return endAll(admission.abort(abort), abort);
    }

    /**
     * Reverts every active run, reported ABORTED for {@code why}, without remembering a halt (starts issued before it
     * are not refused for it): a fail-safe switch's revert, which refuses new starts through its {@link StartGate}.
     */
    public CompletionStage<Void> abortActive(RunAborted why) {
        return endAll(admission.running(), why);
    }

    private CompletionStage<Void> endAll(List<Run> affected, RunAborted abort) {
        // reverts run processes: off the caller's (the consumer's) thread
        return CompletableFuture.allOf(affected.stream()
                .map(run -> CompletableFuture.supplyAsync(() -> end(run, RunPhase.ABORTED, abort), work)
                        .thenCompose(stage -> stage))
                .toArray(CompletableFuture[]::new));
    }

    /** The runs with faults in place or being injected right now. */
    public Set<UUID> activeRuns() {
        return admission.activeRuns();
    }

    private CompletionStage<Void> carryOut(Run run) {
        RunStarted start = run.start;
        AttackSpec spec = start.spec().attack();
        try {
            run.attack = attacks.attackFor(spec);
            run.targets = run.attack.resolve(start.runId(), start.spec().target());
            Admission.checkBlastRadius(start.spec().blastRadius(), run.targets,
                    run.attack.candidates(start.runId(), start.spec().target(), run.targets));
        } catch (AttackException e) {
            return refuse(run, e.getMessage(), reasonOf(e));
        }
        List<ResolvedTarget> here = run.targets.stream().filter(run.attack::actsHere).toList();
        if (here.isEmpty()) { // a node agent with none of the run's pods on its node: the other agents act
            LOG.infof("runId=%s none of its %d target(s) is on this node: left to their nodes' agents",
                    start.runId(), run.targets.size());
            run.endWithoutFault();
            return finish(run, CompletableFuture.completedFuture(null));
        }
        run.targets = here;
        RunAborted early = run.endIfAbortedBeforeInjection();
        if (early != null) { // abort wins: nothing was injected yet
            return finish(run, publish(start, RunPhase.REFUSED, "aborted by " + early.source()
                    + " before injection: " + early.reason().message(), List.of(), null,
                    StatusReason.ABORTED_BEFORE_START));
        }
        long prepared = System.nanoTime();
        long journaling = 0;
        long guarding = 0;
        long applying = 0;
        try {
            for (ResolvedTarget target : run.targets) {
                Injection injection = run.attack.plan(start.runId(), start.deadline(), spec, target);
                run.injections.add(injection); // before applying: a failed apply is reverted like the others
                JournalEntry entry = entryFor(run, injection);
                long t = System.nanoTime();
                journal.record(entry); // durable before anything is touched: a restart finds and reverts it
                journaling += System.nanoTime() - t;
                t = System.nanoTime();
                if (run.attack.needsHostGuard()) {
                    run.guards.put(injection, guards.arm(entry)); // outside the JVM: reverts if this process dies
                }
                guarding += System.nanoTime() - t;
                t = System.nanoTime();
                run.attack.apply(spec, injection);
                applying += System.nanoTime() - t;
            }
        } catch (RuntimeException e) {
            String reverted = revertAll(run);
            run.endWithoutFault();
            return finish(run, publish(start, RunPhase.FAILED, "injection failed: " + e.getMessage() + reverted,
                    run.targetNames(), null, !reverted.isEmpty() ? StatusReason.REVERT_FAILED
                            : e instanceof AttackException attackFailure ? reasonOf(attackFailure)
                                    : StatusReason.INTERNAL));
        }

        if (LOG.isDebugEnabled()) { // the start path's split, for tuning (FaultLatencyBenchTest's -DexecutorJvmArgs)
            long claimed = run.claimedNanos != 0 ? run.claimedNanos : run.admittedNanos;
            LOG.debugf("runId=%s in place %.1f ms after admission: claim %.1f, resolve %.1f, journal %.1f, guard %.1f,"
                    + " apply %.1f", start.runId(), (System.nanoTime() - run.admittedNanos) / 1e6,
                    (claimed - run.admittedNanos) / 1e6, (prepared - claimed) / 1e6, journaling / 1e6, guarding / 1e6,
                    applying / 1e6);
        }
        Run.Activation activation = run.activate(() -> publishInjected(run));
        if (activation.pendingAbort() != null) {
            // abort wins: the revert waits neither for the broker's answer on 'injected' nor on its success
            CompletableFuture<Void> ended = end(run, RunPhase.ABORTED, activation.pendingAbort()).toCompletableFuture();
            return CompletableFuture.allOf(activation.injected().toCompletableFuture(), ended);
        }
        run.deadlineTimer(deadlines.at(start.deadline(), () -> work.execute(() -> end(run, RunPhase.REVERTED, null))));
        return activation.injected();
    }

    private CompletionStage<Void> publishInjected(Run run) {
        return publish(run.start, RunPhase.INJECTED, run.start.spec().attack().kind() + " in place on "
                + run.targets.size() + " target(s) until " + run.start.deadline(), run.targetNames(), null, null);
    }

    /** Reverts and reports a run; only the first caller per run acts, later ones return at once. */
    private CompletionStage<Void> end(Run run, RunPhase phase, RunAborted abort) {
        if (!run.claimEnd(phase == RunPhase.ABORTED ? abort : null)) {
            return CompletableFuture.completedFuture(null);
        }
        String failure = revertAll(run);
        if (!failure.isEmpty()) {
            return finish(run, publish(run.start, RunPhase.FAILED, "revert failed" + failure, run.targetNames(),
                    abort == null ? null : abort.reason(), StatusReason.REVERT_FAILED));
        }
        if (phase == RunPhase.ABORTED) {
            boolean shuttingDown = abort == shutdownAbort;
            String why = shuttingDown ? "executor shutting down; reverted"
                    : "reverted after abort from " + abort.source() + ": " + abort.reason().message();
            return finish(run, publish(run.start, RunPhase.ABORTED, why, run.targetNames(), abort.reason(),
                    shuttingDown ? StatusReason.SHUTTING_DOWN : null));
        }
        return finish(run, publish(run.start, RunPhase.REVERTED, "deadline reached; reverted", run.targetNames(), null,
                null));
    }

    /** The run has ended (its faults are gone): forget it and let shutdown know once its status is out. */
    private CompletionStage<Void> finish(Run run, CompletionStage<Void> published) {
        admission.forget(run);
        return published.whenComplete((ok, failure) -> run.done.complete(null));
    }

    /**
     * Reverts every injection of a run, retrying with back-off until the deadline plus the grace; a reverted one has
     * its guard disarmed and its journal entry removed. Returns "" or a description of what is still in place.
     */
    private String revertAll(Run run) {
        var failures = new ArrayList<String>();
        for (Injection injection : List.copyOf(run.injections)) {
            String failure = reverter.revert(run.start.runId(), run.attack, injection, run.start.deadline());
            if (failure == null) {
                Guards.Guard guard = run.guards.remove(injection);
                if (guard != null) {
                    guard.disarm();
                }
                journal.remove(entryFor(run, injection));
            } else {
                failures.add(stillInPlace(injection, failure));
            }
        }
        return failures.isEmpty() ? "" : "; still in place: " + String.join("; ", failures);
    }

    /** Says what is left, how it failed, and how to remove it by hand; logged as an error, never dropped. */
    private String stillInPlace(Injection injection, String failure) {
        String undo = injection.undo().stream().map(argv -> String.join(" ", argv)).reduce((a, b) -> a + " && " + b)
                .orElse("");
        unreverted.incrementAndGet();
        LOG.errorf("%s on %s still in place after retries (%s); undo by hand: %s", injection.kind(),
                injection.target().describe(), failure, undo);
        return injection.kind() + " on " + injection.target().describe() + " (" + failure + "; undo: " + undo + ")";
    }

    /** How many injections could not be reverted since start (a failed status went out for each run). */
    public long unrevertedInjections() {
        return unreverted.get();
    }

    private JournalEntry entryFor(Run run, Injection injection) {
        return new JournalEntry(run.start.runId(), run.start.experiment(), run.start.deadline(), config.id(),
                injection);
    }

    private CompletionStage<Void> publish(RunStarted start, RunPhase phase, String message, List<String> targets,
            AbortReason abortReason, StatusReason reason) {
        LOG.infof("runId=%s experiment=%s phase=%s %s", start.runId(), start.experiment(), phase, message);
        return sink.publish(new RunStatus(start.runId(), start.experiment(), phase, clock.instant(), config.id(),
                message, targets, abortReason, reason));
    }

    static StatusReason reasonOf(AttackException e) {
        return StatusReason.valueOf(e.reason().name());
    }

    /** Whether start-up recovery has completed (run-starts wait for it): for the readiness check. */
    public boolean recovered() {
        return recovered.isDone();
    }

    /** Starts start-up recovery when the application starts; run-starts wait for it. */
    void recoverOnStart(@Observes StartupEvent event) {
        recover();
    }

    /**
     * Start-up recovery: reverts every journaled injection (no run is active yet, so none explains them) and every
     * tagged leftover the sweepers find, and reports each such run {@code failed} (reverted after an executor
     * restart, or still in place). Run-starts are taken only once this completes; it completes even when a revert
     * failed (that run is reported), so one stuck fault does not stop the executor.
     */
    CompletionStage<Void> recover() {
        CompletableFuture.runAsync(this::recoverNow, work).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.errorf(failure, "start-up recovery failed; taking runs all the same");
            }
            recovered.complete(null);
        });
        return recovered;
    }

    private void recoverNow() {
        var byRun = new LinkedHashMap<UUID, List<JournalEntry>>();
        journal.entries().forEach(e -> byRun.computeIfAbsent(e.runId(), id -> new ArrayList<>()).add(e));
        for (var run : byRun.entrySet()) {
            admission.markSeen(run.getKey()); // a redelivered start of a run that died here must not inject again
            var failures = new ArrayList<String>();
            for (JournalEntry entry : run.getValue()) {
                Attack<?> attack = attacks.attackForKind(entry.injection().kind()).orElse(null);
                String failure = reverter.revert(entry.runId(), attack, entry.injection(), entry.deadline());
                if (failure == null) {
                    journal.remove(entry);
                } else {
                    failures.add(stillInPlace(entry.injection(), failure));
                }
            }
            JournalEntry first = run.getValue().get(0);
            List<String> targets = run.getValue().stream().map(e -> e.injection().target().describe()).toList();
            String what = first.injection().kind() + " on " + String.join(", ", targets);
            report(run.getKey(), first.experiment(), targets, failures.isEmpty()
                    ? "executor " + first.executor() + " stopped with " + what + " in place; reverted after an"
                            + " executor restart"
                    : "executor " + first.executor() + " stopped with " + what + " in place; revert after an"
                            + " executor restart failed; still in place: " + String.join("; ", failures),
                    failures.isEmpty() ? StatusReason.EXECUTOR_RESTART : StatusReason.REVERT_FAILED);
        }
        for (LeftoverSweeper sweeper : sweepers) {
            List<LeftoverSweeper.Swept> swept;
            try {
                swept = sweeper.sweep(admission::isActive);
            } catch (RuntimeException e) {
                LOG.errorf("start-up sweep by %s failed; what it looked for may still be in place: %s",
                        sweeper.getClass().getSimpleName(), e.getMessage());
                continue;
            }
            for (LeftoverSweeper.Swept leftover : swept) {
                LOG.warnf("removed leftover %s (run %s) after an executor restart", leftover.what(),
                        leftover.runId().map(UUID::toString).orElse("unknown"));
                leftover.runId().filter(id -> !byRun.containsKey(id)).ifPresent(id -> {
                    admission.markSeen(id);
                    report(id, "unknown", List.of(), "found " + leftover.what() + " left by an executor that"
                            + " stopped; removed after an executor restart", StatusReason.EXECUTOR_RESTART);
                });
            }
        }
    }

    /** Publishes a recovered run's end; a failure to publish is logged, the revert stands. */
    private void report(UUID runId, String experiment, List<String> targets, String message, StatusReason reason) {
        LOG.infof("runId=%s experiment=%s phase=%s %s", runId, experiment, RunPhase.FAILED, message);
        sink.publish(new RunStatus(runId, experiment, RunPhase.FAILED, clock.instant(), config.id(), message, targets,
                null, reason)).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        LOG.errorf("runId=%s recovered-run status not published: %s", runId, failure.toString());
                    }
                });
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
        List<Run> running = admission.close();
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
        deadlines.shutdown();
        work.shutdown();
    }
}
