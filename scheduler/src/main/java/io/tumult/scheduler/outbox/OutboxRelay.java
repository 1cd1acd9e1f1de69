package io.tumult.scheduler.outbox;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tumult.scheduler.config.SchedulerConfig;
import io.tumult.schemas.v1.EventType;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Publishes outbox rows and marks them sent once the broker acknowledged them. The replica that wrote a row publishes
 * it right after its commit (a cron fire's run-start decided ahead of its fire time: at the fire time); a row still unsent
 * after {@code tumult.scheduler.outbox.takeover-after} (its writer died,
 * or the broker did not answer) is taken over by whichever replica's sweep locks it first ({@code SKIP LOCKED}).
 * <p>
 * A relay that dies between the broker's ack and marking the row sent leaves a row whose record is on the topic: before
 * republishing a row it took over, a relay looks for the same key and value on the key's partition since the row was
 * written ({@link TopicLookup}), and only marks it sent when it is there. When the topic cannot be read in time it
 * publishes anyway (at least once: every event is keyed and identified by its run id, and consumers treat a repeated
 * run id as one run). A publish that fails or times out never changes the run: the row stays unsent and is tried
 * again.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final String TAKE_OVER = "select * from outbox where sent_at is null"
            + " and coalesce(claimed_at, created_at) < :cutoff order by id limit :batch for update skip locked";

    private final OutboxSink sink;
    private final SchedulerConfig.Outbox config;
    private final InstantSource clock;
    private final Timer fireLag;
    private final String bootstrapServers;
    private ScheduledExecutorService sweeper;
    /** Publishes waiting for their fire time; a replica shutting down sends them first (on time, not early). */
    private final Set<CompletableFuture<Void>> waiting = ConcurrentHashMap.newKeySet();
    /** Used only on the sweeper's thread. */
    private TopicLookup lookup;

    OutboxRelay(OutboxSink sink, SchedulerConfig config, MeterRegistry registry,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.sink = sink;
        this.bootstrapServers = bootstrapServers;
        this.config = config.outbox();
        this.clock = InstantSource.system();
        this.fireLag = Timer.builder("tumult.scheduler.fire.lag")
                .description("From a cron fire time to its run-start acknowledged by the broker (acks=all)")
                .publishPercentileHistogram()
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
                        Duration.ofMillis(100), Duration.ofSeconds(1))
                .register(registry);
    }

    /** Publishes rows just committed by their writer, in order; a failure leaves the row for a takeover. */
    public Uni<Void> publish(List<OutboxEntity> rows) {
        return Multi.createFrom().iterable(rows)
                .onItem().transformToUniAndConcatenate(row -> publishOne(row)
                        .onFailure().recoverWithUni(e -> {
                            LOG.warnf("outbox=%d key=%s not published (%s); a relay takes it over after %s", row.id,
                                    row.recordKey, e.getMessage(), config.takeoverAfter());
                            return Uni.createFrom().voidItem();
                        }))
                .collect().last().replaceWithVoid();
    }

    /**
     * Publishes rows just committed by their writer, in order, once {@code at} has come: at once if it has, else from
     * a timer on the caller's Vert.x context, and the returned {@code Uni} does not wait for it. A writer that dies
     * before then leaves the rows to a takeover (after {@code takeover-after}, which is longer than any wait here), and
     * so does a caller with no Vert.x context: a run-start is late rather than early.
     */
    public Uni<Void> publishAt(List<OutboxEntity> rows, Instant at) {
        long waitNanos = Duration.between(clock.instant(), at).toNanos();
        if (waitNanos <= 0) {
            return publish(rows);
        }
        Context context = Vertx.currentContext();
        if (context == null) {
            LOG.errorf("outbox: rows %s due at %s were committed off a Vert.x context; a relay takes them over after %s",
                    idsOf(rows), at, config.takeoverAfter());
            return Uni.createFrom().voidItem();
        }
        long waitMillis = Math.floorDiv(waitNanos + 999_999, 1_000_000); // never before it
        var published = new CompletableFuture<Void>();
        waiting.add(published);
        context.owner().setTimer(waitMillis, timer -> publish(rows).subscribe().with(done -> {
            waiting.remove(published);
            published.complete(null);
        }, e -> {
            LOG.warnf("outbox: rows %s not published at %s (%s); a relay takes them over",
                    idsOf(rows), at, e.getMessage());
            waiting.remove(published);
            published.complete(null);
        }));
        return Uni.createFrom().voidItem();
    }

    /**
     * Takes over rows left unsent for too long: marks sent those whose record is already on the topic, and publishes
     * the others. Blocking (the sweeper's thread). Returns how many it took.
     */
    int sweep() throws Throwable {
        Instant now = clock.instant();
        List<OutboxEntity> rows = VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(
                () -> Panache.getSession().chain(session -> session
                        .createNativeQuery(TAKE_OVER, OutboxEntity.class)
                        .setParameter("cutoff", now.minus(config.takeoverAfter()))
                        .setParameter("batch", config.batch())
                        .getResultList())
                        .invoke(taken -> taken.forEach(row -> {
                            row.claimedAt = now;
                            row.attempts++;
                        }))));
        if (rows.isEmpty()) {
            return 0;
        }
        var landed = new ArrayList<OutboxEntity>();
        var unsent = new ArrayList<OutboxEntity>();
        for (OutboxEntity row : rows) {
            if (onTopic(row)) {
                landed.add(row);
            } else {
                unsent.add(row);
            }
        }
        LOG.infof("outbox: took over %d unsent event(s), %d of them already on their topic", rows.size(),
                landed.size());
        if (!landed.isEmpty()) {
            List<Long> ids = idsOf(landed);
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> OutboxEntity
                    .update("sentAt = ?1 where id in ?2 and sentAt is null", now, ids)));
        }
        VertxContextSupport.subscribeAndAwait(() -> publish(unsent));
        return rows.size();
    }

    /** Whether the row's record is on its topic since the row was written; false when that cannot be told. */
    private boolean onTopic(OutboxEntity row) {
        try {
            String topic = EventType.byCeType(row.eventType).orElseThrow().topic();
            // a minute before the row: the record's timestamp is the writer's clock (or the broker's)
            return lookup().contains(topic, row.recordKey, row.payload, row.createdAt.minus(Duration.ofMinutes(1)));
        } catch (RuntimeException e) {
            LOG.warnf("outbox=%d key=%s: could not tell whether it is already on its topic (%s); publishing it",
                    row.id, row.recordKey, e.getMessage());
            return false;
        }
    }

    private TopicLookup lookup() {
        if (lookup == null) {
            lookup = new TopicLookup(bootstrapServers, Duration.ofSeconds(5));
        }
        return lookup;
    }

    private Uni<Void> publishOne(OutboxEntity row) {
        EventType<?> type = EventType.byCeType(row.eventType)
                .orElseThrow(() -> new IllegalStateException("outbox row " + row.id + " has unknown type " + row.eventType));
        return sink.send(type, row.recordKey, row.payload)
                .chain(() -> {
                    Instant acked = clock.instant();
                    if (row.fireTime != null) {
                        fireLag.record(Duration.between(row.fireTime, acked));
                    }
                    return Panache.withTransaction(() -> OutboxEntity.update("sentAt = ?1 where id = ?2 and sentAt is null",
                            acked, row.id));
                })
                .replaceWithVoid();
    }

    void startSweeping(@Observes StartupEvent event) {
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            var t = new Thread(r, "tumult-outbox-sweep");
            t.setDaemon(true);
            return t;
        });
        long every = config.sweepEvery().toMillis();
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                sweep();
            } catch (Throwable e) {
                LOG.warnf("outbox sweep failed: %s", e.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** Returns once every publish waiting for its fire time has been sent (or failed), or after {@code atMost}. */
    void drainWaiting(Duration atMost) throws InterruptedException {
        try {
            CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(atMost.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("outbox: %d publish(es) still waiting for their fire time at shut-down; a relay takes them over",
                    waiting.size());
        }
    }

    void stopSweeping(@Observes ShutdownEvent event) throws InterruptedException {
        // at most the fire lead (under 1 s) plus a send; else another replica's takeover sends them, late
        drainWaiting(Duration.ofSeconds(5));
        if (sweeper != null) {
            sweeper.shutdownNow();
            sweeper.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (lookup != null) {
            lookup.close();
        }
    }

    private static List<Long> idsOf(List<OutboxEntity> rows) {
        return rows.stream().map(row -> row.id).toList();
    }
}
