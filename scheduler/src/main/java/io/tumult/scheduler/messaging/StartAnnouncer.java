package io.tumult.scheduler.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tumult.schemas.v1.SchedulerStarted;
import io.tumult.schemas.v1.Topics;

/**
 * Announces the replica's start on {@code tumult.scheduler.starts}, through the run-start channel. People see which
 * replicas started when; and this is the channel's first send, which opens its producer's connection to the broker
 * and loads its send path: left to a replica's first run-start, that made it 60-105 ms late instead of about 10
 * (BENCHMARKS.md, "Each replica's first run-start").
 * <p>
 * Sent only once the topic is known to exist: a send to a missing topic holds the channel's sending thread, and every
 * run-start behind it, for the producer's {@code max.block.ms} (a minute). Without the topic the replica works as
 * before, its first run-start slower, and says so in its log.
 */
@ApplicationScoped
class StartAnnouncer {

    private static final Logger LOG = Logger.getLogger(StartAnnouncer.class);
    /** How long to wait for the broker to say whether the topic exists. */
    static final Duration TOPIC_CHECK = Duration.ofSeconds(10);

    private final OutboxPublisher publisher;
    private final Scheduler quartz;
    private final String bootstrapServers;

    StartAnnouncer(OutboxPublisher publisher, Scheduler quartz,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.publisher = publisher;
        this.quartz = quartz;
        this.bootstrapServers = bootstrapServers;
    }

    void announce(@Observes StartupEvent event) throws SchedulerException {
        var started = new SchedulerStarted(quartz.getSchedulerInstanceId(), Instant.now());
        topicExists(bootstrapServers, Topics.SCHEDULER_STARTS)
                .chain(exists -> {
                    if (!exists) {
                        LOG.warnf("topic %s does not exist: this replica's start is not announced, and its first"
                                + " run-start takes the run-start channel's first, slower send", Topics.SCHEDULER_STARTS);
                        return Uni.createFrom().voidItem();
                    }
                    return publisher.announce(started)
                            .invoke(() -> LOG.infof("announced replica %s on %s", started.replica(),
                                    Topics.SCHEDULER_STARTS));
                })
                .subscribe().with(done -> {
                }, e -> LOG.warnf("replica %s's start not announced on %s: %s", started.replica(),
                        Topics.SCHEDULER_STARTS, e.getMessage()));
    }

    /**
     * Whether {@code topic} exists, asked of the broker with a client of its own, without waiting for longer than
     * {@link #TOPIC_CHECK}; fails when the broker does not tell.
     */
    static Uni<Boolean> topicExists(String bootstrapServers, String topic) {
        return Uni.createFrom().item(() -> Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers)))
                .chain(admin -> Uni.createFrom()
                        .completionStage(() -> admin.listTopics().names().toCompletionStage())
                        .map(names -> names.contains(topic))
                        .ifNoItem().after(TOPIC_CHECK).fail()
                        // never close a client on its own thread, where its futures complete
                        .emitOn(Infrastructure.getDefaultWorkerPool())
                        .eventually(() -> admin.close(Duration.ofSeconds(1))));
    }
}
