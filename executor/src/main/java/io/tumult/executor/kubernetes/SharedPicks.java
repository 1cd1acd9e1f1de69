package io.tumult.executor.kubernetes;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.schemas.v1.RunClaimed;

/**
 * For a node agent: the one pick of each run's pods that every agent acts on, the first cluster executor's claim of
 * the run on {@code tumult.runs.claims} (fed by the fail-safe feed, which reads that topic). Agents that resolved the
 * pods themselves, at slightly different moments, could pick different pods while pods come and go, and their shares
 * together could exceed the run's blast radius; one pick cannot. A run that another executor refused or failed before
 * its pick came has none to wait for.
 */
@Singleton
public class SharedPicks {

    private static final Logger LOG = Logger.getLogger(SharedPicks.class);
    /** Picks are needed for seconds, while the agents take a run; each holds its pods. */
    private static final int REMEMBERED = 1_000;

    private final Duration timeout;
    private final Map<UUID, CompletableFuture<RunClaimed.Pick>> byRun = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, CompletableFuture<RunClaimed.Pick>> eldest) {
            return size() > REMEMBERED;
        }
    };

    @Inject
    SharedPicks(KubernetesConfig config) {
        this(config.pickTimeout());
    }

    /** @param timeout how long {@link #await} waits for a run's pick */
    public SharedPicks(Duration timeout) {
        this.timeout = timeout;
    }

    /** A claim read from the topic: the first cluster executor's claim that carries a pick sets the run's pick. */
    public void claimed(RunClaimed claim) {
        if (claim.node() == null && claim.pick() != null) {
            of(claim.runId()).complete(claim.pick());
        }
    }

    /** Another executor refused or failed the run: an agent still waiting for its pick ends its share untouched. */
    public void endedElsewhere(UUID runId, String why) {
        of(runId).completeExceptionally(new EndedElsewhere(why));
    }

    /**
     * Waits for the run's pick, up to the timeout.
     *
     * @return the pick, or null when another executor refused or failed the run first (nothing to act on)
     * @throws AttackException INTERNAL when no pick came within the timeout (no cluster executor took the run)
     */
    public RunClaimed.Pick await(UUID runId) {
        var pick = of(runId);
        try {
            return pick.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EndedElsewhere ended) {
                LOG.infof("runId=%s ended elsewhere before its pick came: %s; nothing to act on here", runId,
                        ended.getMessage());
                return null;
            }
            throw new AttackException(Reason.INTERNAL, "cannot read the run's pick: " + e.getCause());
        } catch (TimeoutException e) {
            throw new AttackException(Reason.INTERNAL, "no cluster executor's pick of the run's pods within "
                    + timeout.toMillis() + " ms (tumult.executor.kubernetes.pick-timeout): every node agent acts on"
                    + " the pods one cluster executor picked, and none claimed the run; are the cluster executors"
                    + " running and reading tumult.runs.started?");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AttackException(Reason.SHUTTING_DOWN, "interrupted while waiting for the run's pick");
        }
    }

    private synchronized CompletableFuture<RunClaimed.Pick> of(UUID runId) {
        return byRun.computeIfAbsent(runId, id -> new CompletableFuture<>());
    }

    private static final class EndedElsewhere extends RuntimeException {
        EndedElsewhere(String why) {
            super(why, null, false, false);
        }
    }
}
