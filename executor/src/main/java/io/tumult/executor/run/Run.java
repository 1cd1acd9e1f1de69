package io.tumult.executor.run;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;

import io.tumult.executor.attack.Attack;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.schemas.v1.AttackSpec;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStarted;

/**
 * One admitted run and the small state machine that keeps its statuses in order: INJECTING, then ACTIVE, then ENDED,
 * never back. Only the first end (deadline, abort, shutdown) acts; an abort that lands while injecting is parked and
 * acted on by the injecting thread the moment injection completes. Every transition happens under this object's lock.
 */
final class Run {

    private enum State {
        INJECTING,
        ACTIVE,
        ENDED
    }

    final RunStarted start;
    /** Planned injections, added before each is applied: a failed apply is reverted like the others. */
    final List<Injection> injections = Collections.synchronizedList(new ArrayList<>());
    /** The guard armed for each injection, until it is disarmed after the injection's revert. */
    final Map<Injection, Guards.Guard> guards = new ConcurrentHashMap<>();
    volatile Attack<AttackSpec> attack;
    volatile List<ResolvedTarget> targets = List.of();
    /** When the run was admitted, and when its claim was confirmed ({@link System#nanoTime}): the start path's split. */
    final long admittedNanos = System.nanoTime();
    volatile long claimedNanos;
    private State state = State.INJECTING;
    private RunAborted pendingAbort;
    private ScheduledFuture<?> deadline;
    /** Completes once the run has ended and its terminal status was published (or failed to be). */
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Run(RunStarted start) {
        this.start = start;
    }

    /** What {@link #activate} found: the abort parked during injection (or null) and the 'injected' stage. */
    record Activation(RunAborted pendingAbort, CompletionStage<Void> injected) {
    }

    /** Ends a run that injected nothing (refused or failed before any fault stayed in place). */
    synchronized void endWithoutFault() {
        state = State.ENDED;
    }

    /**
     * Ends the run before injection if an abort was parked; returns that abort, or null (the run stays INJECTING).
     */
    synchronized RunAborted endIfAbortedBeforeInjection() {
        if (pendingAbort != null) {
            state = State.ENDED;
        }
        return pendingAbort;
    }

    /**
     * INJECTING to ACTIVE. {@code publishInjected} is called under the run's lock: another thread's {@link #claimEnd}
     * sees ACTIVE only once 'injected' is handed to the sink, so the outcome always follows it on the run's partition.
     */
    synchronized Activation activate(Supplier<CompletionStage<Void>> publishInjected) {
        state = State.ACTIVE;
        return new Activation(pendingAbort, publishInjected.get());
    }

    /**
     * Claims the run's end: true for the one caller that must revert and report; false when the run already ended,
     * or is still injecting (an {@code abort} is then parked for the injecting thread; a deadline cannot come first).
     */
    synchronized boolean claimEnd(RunAborted abort) {
        if (state == State.INJECTING) {
            if (abort != null && pendingAbort == null) {
                pendingAbort = abort;
            }
            return false;
        }
        if (state == State.ENDED) {
            return false;
        }
        state = State.ENDED;
        if (deadline != null) {
            deadline.cancel(false);
        }
        return true;
    }

    /** Keeps the deadline timer so an earlier end cancels it. */
    synchronized void deadlineTimer(ScheduledFuture<?> timer) {
        if (state == State.ENDED) {
            timer.cancel(false);
        } else {
            deadline = timer;
        }
    }

    List<String> targetNames() {
        return targets.stream().map(ResolvedTarget::describe).toList();
    }
}
