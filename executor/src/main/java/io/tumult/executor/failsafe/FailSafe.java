package io.tumult.executor.failsafe;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.Startup;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.executor.kubernetes.KubernetesConfig;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.kubernetes.SharedPicks;
import io.tumult.executor.run.RunEngine;
import io.tumult.executor.run.StartGate;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.AbortReason;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.HaltReleased;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunClaimed;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.SteadyStateVerdict;

/**
 * The executor's fail-safe switches, in front of every run-start ({@link StartGate}):
 * <ul>
 * <li>the dead-man switch: no guardian heartbeat, or no answer from Kafka, for {@code tumult.executor.dead-man-timeout}
 * reverts every active fault and refuses new starts until both are back; refuses from start-up until the first
 * heartbeat;</li>
 * <li>halt-all: a {@code *} abort reverts every active fault and refuses every new start until a
 * {@link HaltReleased};</li>
 * <li>memory that survives restarts and replicas: aborts (early ones too) and halts rebuilt from the compacted abort
 * topic, and runs with a status on any executor treated as seen.</li>
 * </ul>
 * No run-start is taken before the abort topic and the status look-back are read to their end offsets, and before the
 * first guardian heartbeat or the dead-man timeout since start-up, whichever comes first: a start that arrives while
 * the heartbeat feed is still catching up waits for it instead of being refused. The topics are read without a
 * consumer group by {@link SafetyFeed}. Decisions and the remaining windows: DESIGN.md.
 */
@Startup
@ApplicationScoped
public class FailSafe implements StartGate {

    private static final Logger LOG = Logger.getLogger(FailSafe.class);

    private final RunEngine engine;
    private final String executorId;
    private final InstantSource clock;
    private final DeadManSwitch deadMan;
    private final HaltState halt = new HaltState();
    private final SeenRuns seen;
    private final FirstClaims claims;
    private final SteadyStateVerdicts verdicts;
    private final Duration steadyStateGrace;
    /** A node agent's node (claims and seen runs are per node), or null. */
    private final String node;
    private final SharedPicks picks;
    /** This instance in claims: the executor id and a token of this process's start (every container is PID 1). */
    private final String instance;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** The abort topic and the status look-back are read to their end ({@link #caughtUp}). */
    private volatile boolean replayed;
    private volatile Instant startedAt;
    private final SafetyFeed feed;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        var t = new Thread(r, "tumult-failsafe-tick");
        t.setDaemon(true);
        return t;
    });

    @Inject
    FailSafe(RunEngine engine, FailsafeConfig failsafe, ExecutorConfig executor, KubernetesConfig kubernetes,
            InstantSource clock, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            SharedPicks picks) {
        this(engine, bootstrapServers, executor.id(), failsafe.deadManTimeout(), failsafe.statusLookBack(),
                executor.rememberedRuns(), clock, failsafe.steadyStateGrace(),
                kubernetes.role() == Role.NODE ? kubernetes.nodeName() : Optional.empty(), picks);
    }

    /** For an engine built by hand (tests): call {@link #guard} and then {@link #start}. */
    public FailSafe(RunEngine engine, String bootstrapServers, String executorId, Duration deadManTimeout,
            Duration statusLookBack, int rememberedRuns, InstantSource clock) {
        this(engine, bootstrapServers, executorId, deadManTimeout, statusLookBack, rememberedRuns, clock,
                Duration.ofSeconds(30));
    }

    /** For an engine built by hand (tests), with the steady-state verdict's grace. */
    public FailSafe(RunEngine engine, String bootstrapServers, String executorId, Duration deadManTimeout,
            Duration statusLookBack, int rememberedRuns, InstantSource clock, Duration steadyStateGrace) {
        this(engine, bootstrapServers, executorId, deadManTimeout, statusLookBack, rememberedRuns, clock,
                steadyStateGrace, Optional.empty(), new SharedPicks(Duration.ZERO));
    }

    /**
     * For an engine built by hand (tests); {@code node} is a node agent's node. A node agent carries out its node's
     * share of a run: its claims compete only with claims for the same node, and only its own statuses (its
     * {@code executorId}, stable per node) make a run seen, not those of the agents on other nodes. The claims
     * read feed {@code picks}: the cluster executors' picks of pods that the agents act on.
     */
    public FailSafe(RunEngine engine, String bootstrapServers, String executorId, Duration deadManTimeout,
            Duration statusLookBack, int rememberedRuns, InstantSource clock, Duration steadyStateGrace,
            Optional<String> node, SharedPicks picks) {
        this.node = node.orElse(null);
        this.picks = picks;
        this.engine = engine;
        this.executorId = executorId;
        this.clock = clock;
        this.deadMan = new DeadManSwitch(deadManTimeout);
        this.seen = new SeenRuns(rememberedRuns);
        this.claims = new FirstClaims(rememberedRuns);
        this.verdicts = new SteadyStateVerdicts(rememberedRuns);
        this.steadyStateGrace = steadyStateGrace;
        this.instance = executorId + "/" + UUID.randomUUID();
        this.feed = new SafetyFeed(this, bootstrapServers, executorId, statusLookBack, deadManTimeout, clock);
    }

    /** Starts reading the topics and checking the dead-man switch. */
    @PostConstruct
    public void start() {
        startedAt = clock.instant();
        feed.start();
        long tick = Math.max(20, deadMan.timeout().toMillis() / 20);
        ticker.scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    public void stop() {
        ticker.shutdownNow();
        feed.stop();
    }

    // --- StartGate ---

    @Override
    public CompletionStage<Void> ready() {
        return ready;
    }

    @Override
    public boolean seenElsewhere(UUID runId) {
        return seen.contains(runId);
    }

    @Override
    public AttackException refusal() {
        RunAborted halted = halt.current();
        if (halted != null) {
            return new AttackException(Reason.HALTED, "all runs halted by " + halted.source() + " at "
                    + halted.issuedAt() + " (" + halted.reason().message() + "); no run starts until the halt is"
                    + " released");
        }
        String deadManWhy = deadMan.refusalAt(clock.instant());
        if (deadManWhy != null) {
            return new AttackException(Reason.DEAD_MAN_SWITCH, "dead-man switch: " + deadManWhy + " (timeout "
                    + deadMan.timeout().toMillis() + " ms); no run starts until the guardian's heartbeat and Kafka"
                    + " are back");
        }
        return null;
    }

    @Override
    public CompletionStage<Boolean> claim(UUID runId, RunClaimed.Pick pick) {
        long timeout = deadMan.timeout().toMillis();
        return feed.claim(new RunClaimed(runId, instance, clock.instant(), node, pick))
                .thenApply(read -> instance.equals(claims.of(runId, node)))
                .toCompletableFuture().orTimeout(timeout, TimeUnit.MILLISECONDS)
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(new IllegalStateException(
                        failure instanceof java.util.concurrent.TimeoutException
                                ? "the claim was not written and read back within " + timeout + " ms"
                                : "the claim could not be written: " + failure.getMessage(),
                        failure)));
    }

    @Override
    public CompletionStage<SteadyStateVerdict> steadyState(RunStarted start) {
        Duration longest = start.spec().steadyState().stream().map(Condition::window).max(Duration::compareTo)
                .orElse(Duration.ZERO);
        long timeout = longest.plus(steadyStateGrace).toMillis();
        return verdicts.of(start.runId()).copy().orTimeout(timeout, TimeUnit.MILLISECONDS)
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(
                        failure instanceof java.util.concurrent.TimeoutException
                                ? new IllegalStateException("no guardian's steady-state verdict within " + timeout
                                        + " ms (the longest steady-state window plus "
                                        + steadyStateGrace.toMillis() + " ms)", failure)
                                : failure));
    }

    /** Whether a run-start would be taken now (no halt, dead-man switch not tripped, replay done). */
    public boolean acceptsStarts() {
        return ready.isDone() && refusal() == null;
    }

    /** Whether the switches are still watching: the feed's thread and the dead-man ticks are running. */
    public boolean watching() {
        return feed.isAlive() && !ticker.isShutdown();
    }

    /** Whether the record at {@code offset} of that topic's partition was handled here: for tests. */
    public boolean handled(String topic, int partition, long offset) {
        return feed.handled(topic, partition, offset);
    }

    /** Hands this gate to a hand-built engine (CDI does it through {@link RunEngine#guardStarts}). */
    public FailSafe guard() {
        engine.guardStarts(this);
        return this;
    }

    // --- from the feed ---

    void abort(RunAborted abort) {
        if (abort.haltsAll()) {
            halt.halt(abort); // first: a start admitted after the engine collects the active runs is refused
            LOG.warnf("halt-all by %s: reverting every active run; no run starts until released", abort.source());
        }
        engine.abort(abort);
    }

    void release(HaltReleased release) {
        if (halt.current() != null) {
            LOG.infof("halt-all released by %s: %s", release.source(), release.message());
        }
        halt.release(release);
    }

    void heartbeat() {
        var now = clock.instant();
        deadMan.heartbeat(now);
        if (!ready.isDone()) { // the first beat resets the switch at once: no start waits for the next tick
            checkDeadMan(now);
            openWhenArmed(now);
        }
    }

    void kafkaContact() {
        deadMan.kafka(clock.instant());
    }

    /** Whether any executor's status makes a run seen (not for a node agent: only its own statuses do). */
    boolean everyStatusCounts() {
        return node == null;
    }

    void statusSeen(UUID runId) {
        seen.add(runId);
    }

    /**
     * A status, for a node agent: a run is seen only through its own statuses. Another agent's failed or refused share
     * ends the run here too (aborted if in place, refused if not yet injected): the scheduler and the guardian take
     * that status as the run's end, and no share may stay in place unwatched after it.
     */
    void statusSeen(RunStatus status) {
        if (node == null || executorId.equals(status.executor())) {
            seen.add(status.runId());
            return;
        }
        if (status.phase() == RunPhase.FAILED || status.phase() == RunPhase.REFUSED) {
            String why = "another node's share was " + status.phase().name().toLowerCase() + " by "
                    + status.executor() + ": " + status.message();
            picks.endedElsewhere(status.runId(), why); // a share still waiting for its pick ends untouched
            engine.abort(new RunAborted(status.runId().toString(), status.executor(), status.at(), new AbortReason(
                    AbortKind.PEER_FAILURE, why, null, null)));
        }
    }

    void claimSeen(RunClaimed claim) {
        claims.add(claim.runId(), claim.node(), claim.executor());
        picks.claimed(claim);
    }

    void verdictSeen(SteadyStateVerdict verdict) {
        verdicts.add(verdict);
    }

    /** Whether run-starts are taken: the topics are replayed, and a heartbeat was seen or the timeout has passed. */
    public boolean isReady() {
        return ready.isDone();
    }

    /** Whether the abort topic and the status look-back have been read to their end. */
    boolean replayed() {
        return replayed;
    }

    void caughtUp() {
        replayed = true;
        openWhenArmed(clock.instant());
    }

    /** Takes run-starts once caught up and either a heartbeat was seen or the timeout since start-up has passed. */
    private void openWhenArmed(Instant now) {
        if (ready.isDone() || !replayed) {
            return;
        }
        if (deadMan.heardAny()) {
            LOG.info("abort topic and run statuses read to their end, guardian heartbeat seen: taking run-starts");
            ready.complete(null);
        } else if (Duration.between(startedAt, now).compareTo(deadMan.timeout()) > 0) {
            LOG.warnf("abort topic and run statuses read to their end, no guardian heartbeat within %d ms of"
                    + " start-up: taking run-starts to refuse them", deadMan.timeout().toMillis());
            ready.complete(null);
        }
    }

    Duration deadManTimeout() {
        return deadMan.timeout();
    }

    private void tick() {
        try {
            var now = clock.instant();
            checkDeadMan(now);
            openWhenArmed(now);
        } catch (RuntimeException e) { // never the end of the ticks
            LOG.errorf("dead-man switch check failed: %s", e.toString());
        }
    }

    private void checkDeadMan(Instant now) {
        switch (deadMan.check(now)) {
            case TRIPPED -> {
                String why = deadMan.refusalAt(now);
                LOG.errorf("dead-man switch tripped (%s): reverting every active run, refusing new ones", why);
                engine.abortActive(new RunAborted(RunAborted.ALL_RUNS, "dead-man-switch/" + executorId, now,
                        new AbortReason(AbortKind.NO_DATA, "dead-man switch: " + why + " (timeout "
                                + deadMan.timeout().toMillis() + " ms)", null, null)));
            }
            case RESET -> LOG.info("dead-man switch reset: guardian heartbeat and Kafka are back");
            case NONE -> {
            }
        }
    }
}
