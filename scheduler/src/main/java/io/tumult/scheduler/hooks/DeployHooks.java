package io.tumult.scheduler.hooks;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.experiment.ExperimentEntity;
import io.tumult.scheduler.experiment.ExperimentNotFoundException;
import io.tumult.scheduler.hooks.HookException.Reason;
import io.tumult.scheduler.run.FireResult;
import io.tumult.scheduler.run.RunLauncher;
import io.tumult.schemas.v1.DeployTrigger;
import io.tumult.schemas.v1.Experiment;
import io.tumult.schemas.v1.Trigger;

/**
 * Turns accepted deploys into runs. A delivery is recorded once, with one pending run per matched experiment, in one
 * transaction; a duplicate delivery (same source and id) is a no-op, also when it reaches another replica at the same
 * moment (the key is unique in PostgreSQL). Pending runs whose delay has passed are started through
 * {@link RunLauncher} with a run id derived from the delivery and the experiment, so each is one run however many
 * replicas fire it.
 */
@ApplicationScoped
public class DeployHooks {

    private static final Logger LOG = Logger.getLogger(DeployHooks.class);

    private final RunLauncher launcher;
    private final Clock clock = Clock.systemUTC();

    DeployHooks(RunLauncher launcher) {
        this.launcher = launcher;
    }

    /** What a delivery did. */
    public record Accepted(String deliveryId, boolean duplicate, List<Match> matched) {
    }

    /** A run a delivery asks for. */
    public record Match(String experiment, UUID runId, Instant dueAt) {
    }

    /**
     * Records the deploy and the runs it asks for. A repeat of a recorded delivery with the same body is a no-op
     * ({@link Accepted#duplicate()}); with another body it fails CONFLICT: an id is one delivery. A delivery whose
     * {@link Deploy#signedId()} was recorded before, under another delivery id, is a no-op too: its signed content
     * was replayed with a fresh (unsigned) id.
     */
    public Uni<Accepted> accept(Deploy deploy, byte[] body) {
        String key = deploy.source() + "/" + deploy.deliveryId();
        String signedKey = deploy.signedId() == null ? null : deploy.source() + "-signed/" + deploy.signedId();
        String sha = Signatures.sha256Hex(body);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS); // as PostgreSQL keeps it
        return Panache.withTransaction(() -> HookDeliveryEntity.<HookDeliveryEntity> findById(key).chain(seen -> {
            if (seen != null) {
                return Uni.createFrom().item(duplicate(deploy, seen, sha));
            }
            return (signedKey == null ? Uni.createFrom().<HookDeliveryEntity> nullItem()
                    : HookDeliveryEntity.<HookDeliveryEntity> findById(signedKey)).chain(replayed -> {
                        if (replayed != null) {
                            return Uni.createFrom().item(replayOf(deploy));
                        }
                        return record(deploy, key, signedKey, sha, now);
                    });
        })).onFailure(DeployHooks::isUniqueViolation).recoverWithUni(e -> Panache.withSession(
                () -> HookDeliveryEntity.<HookDeliveryEntity> findById(key))
                .map(seen -> seen == null ? replayOf(deploy) : duplicate(deploy, seen, sha)))
                .invoke(accepted -> LOG.infof("hook %s delivery %s: %s", deploy.source(), deploy.deliveryId(),
                        accepted.duplicate() ? "duplicate, ignored" : accepted.matched().size() + " run(s) to start"));
    }

    /** Records a new delivery (under its id, and its signed id when it has one) and the runs it asks for. */
    private Uni<Accepted> record(Deploy deploy, String key, String signedKey, String sha, Instant now) {
        Uni<Void> recorded = delivery(key, deploy, sha, now).persist().replaceWithVoid();
        if (signedKey != null) {
            recorded = recorded.chain(() -> delivery(signedKey, deploy, sha, now).persist().replaceWithVoid());
        }
        return recorded.chain(() -> ExperimentEntity.<ExperimentEntity> listAll())
                .chain(experiments -> {
                    var matches = matches(deploy, experiments, now);
                    return Multi.createFrom().iterable(matches).onItem().transformToUniAndConcatenate(m -> {
                        var run = new HookRunEntity();
                        run.runId = m.runId();
                        run.delivery = key;
                        run.experiment = m.experiment();
                        run.dueAt = m.dueAt();
                        return run.persist();
                    }).collect().asList().replaceWith(new Accepted(deploy.deliveryId(), false, matches));
                });
    }

    private static HookDeliveryEntity delivery(String key, Deploy deploy, String sha, Instant now) {
        var delivery = new HookDeliveryEntity();
        delivery.delivery = key;
        delivery.bodySha256 = sha;
        delivery.service = deploy.service();
        delivery.environment = deploy.environment();
        delivery.receivedAt = now;
        return delivery;
    }

    private static Accepted replayOf(Deploy deploy) {
        LOG.warnf("hook %s delivery %s: its signed content was received before under another delivery id; ignored",
                deploy.source(), deploy.deliveryId());
        return new Accepted(deploy.deliveryId(), true, List.of());
    }

    private static Accepted duplicate(Deploy deploy, HookDeliveryEntity seen, String sha) {
        if (!seen.bodySha256.equals(sha)) {
            throw new HookException(Reason.CONFLICT, "delivery " + deploy.deliveryId() + " was received before with"
                    + " another body; a delivery id (idempotency key) names one delivery");
        }
        return new Accepted(deploy.deliveryId(), true, List.of());
    }

    private static List<Match> matches(Deploy deploy, List<ExperimentEntity> experiments, Instant now) {
        var matches = new ArrayList<Match>();
        for (ExperimentEntity entity : experiments) {
            Experiment experiment = entity.experiment();
            experiment.spec().onDeploy().stream()
                    .filter(t -> t.matches(deploy.service(), deploy.environment(), deploy.labels()))
                    .findFirst()
                    .map(DeployTrigger::delayOrZero)
                    .ifPresent(delay -> matches.add(new Match(experiment.name(), runId(deploy, experiment.name()),
                            now.plus(delay))));
        }
        return matches;
    }

    static UUID runId(Deploy deploy, String experiment) {
        return UUID.nameUUIDFromBytes((deploy.triggeredBy() + "@" + experiment).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Starts every pending run whose delay has passed. Every replica polls (a run starts once: its id is derived from
     * the delivery), on the in-memory scheduler: as a job in Quartz's clustered store, replicas starting together
     * raced to store it and all but one failed to start.
     */
    @Scheduled(every = "${tumult.scheduler.hooks.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, executeWith = Scheduled.SIMPLE)
    Uni<Void> fireDue() {
        return Panache.withSession(() -> HookRunEntity.<HookRunEntity> list(
                "outcome is null and dueAt <= ?1 order by dueAt", clock.instant()))
                .chain(due -> Multi.createFrom().iterable(due).onItem().transformToUniAndConcatenate(this::fire)
                        .collect().asList())
                .replaceWithVoid()
                .onFailure().invoke(e -> LOG.errorf("firing hook runs failed: %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }

    private Uni<Void> fire(HookRunEntity pending) {
        String delivery = pending.delivery;
        return launcher.fire(pending.experiment, pending.dueAt, Trigger.WEBHOOK, pending.runId, "hook:" + delivery)
                .onFailure(ExperimentNotFoundException.class)
                .recoverWithItem(e -> new FireResult(null, "the experiment was deleted"))
                .chain(result -> Panache.withTransaction(() -> result.runId() != null
                        // a start always wins; a skip is recorded only if no replica has started it
                        ? HookRunEntity.update("outcome = 'started', firedAt = ?1 where runId = ?2", clock.instant(),
                                pending.runId)
                        : HookRunEntity.update("outcome = ?1, firedAt = ?2 where runId = ?3 and outcome is null",
                                "skipped: " + result.skipped(), clock.instant(), pending.runId)))
                .replaceWithVoid();
    }

    private static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())
                    || t instanceof org.hibernate.exception.ConstraintViolationException c
                            && "23505".equals(c.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
