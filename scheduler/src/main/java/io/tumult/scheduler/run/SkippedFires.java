package io.tumult.scheduler.run;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/** Reads back the cron fire times that started no run, which {@link RunLauncher} records with their reason. */
@ApplicationScoped
public class SkippedFires {

    private static final String NEWEST = "select fire_time, reason, detail, recorded_at from skipped_fire"
            + " where experiment = :experiment order by fire_time desc limit :limit";

    /**
     * A fire time that started no run.
     *
     * @param fireTime the cron fire time
     * @param reason why it started nothing
     * @param detail the reason in words
     * @param recordedAt when the scheduler decided
     */
    public record SkippedFire(Instant fireTime, SkipReason reason, String detail, Instant recordedAt) {
    }

    /** The experiment's newest skipped fire times, newest first, at most {@code limit}. */
    public Uni<List<SkippedFire>> newest(String experiment, int limit) {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery(NEWEST, Object[].class)
                .setParameter("experiment", experiment)
                .setParameter("limit", limit)
                .getResultList()))
                .map(rows -> rows.stream().map(r -> new SkippedFire(instant(r[0]), SkipReason.valueOf((String) r[1]),
                        (String) r[2], instant(r[3]))).toList());
    }

    private static Instant instant(Object column) {
        return column instanceof OffsetDateTime t ? t.toInstant() : (Instant) column;
    }
}
