package io.tumult.scheduler.experiment;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tumult.scheduler.cron.CronExpressions;
import io.tumult.scheduler.cron.ExperimentSchedules;
import io.tumult.schemas.json.InvalidDocumentException;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.json.Violation;
import io.tumult.schemas.v1.Experiment;

/** Stores experiments and keeps their cron schedules in step with what is stored. */
@ApplicationScoped
public class ExperimentService {

    private final ExperimentSchedules schedules;
    private final Clock clock = Clock.systemUTC();

    ExperimentService(ExperimentSchedules schedules) {
        this.schedules = schedules;
    }

    /** Parses and validates a submitted document (YAML or JSON); errors name each offending field. */
    public Experiment parse(String body) {
        if (body == null || body.isBlank()) {
            throw new InvalidDocumentException("Experiment", List.of(new Violation("$", "the body is empty")));
        }
        Experiment experiment = TumultJson.decodeExperiment(body);
        var violations = new ArrayList<Violation>();
        io.tumult.schemas.v1.AttackTargets.misfit(experiment.spec().attack(), experiment.spec().target())
                .ifPresent(why -> violations.add(new Violation("$.spec.target.kind", why)));
        var schedule = experiment.spec().schedule();
        if (schedule != null) {
            violations.addAll(CronExpressions.violations(schedule, "$.spec.schedule", clock.instant()));
        }
        if (!violations.isEmpty()) {
            throw new InvalidDocumentException("Experiment", violations);
        }
        return experiment;
    }

    /** Stores a new experiment; fails with {@link ExperimentExistsException} when the name is taken. */
    public Uni<ExperimentEntity> create(Experiment experiment) {
        return Panache.withTransaction(() -> ExperimentEntity.<ExperimentEntity> findById(experiment.name())
                .onItem().ifNotNull().failWith(() -> new ExperimentExistsException(experiment.name()))
                .chain(() -> {
                    var entity = new ExperimentEntity();
                    entity.name = experiment.name();
                    entity.setExperiment(experiment);
                    entity.createdAt = clock.instant();
                    entity.updatedAt = entity.createdAt;
                    return entity.<ExperimentEntity> persist();
                }))
                .call(stored -> inQuartz(() -> schedules.schedule(experiment)));
    }

    /** Creates or replaces the experiment of this name. */
    public Uni<ExperimentEntity> replace(Experiment experiment) {
        return Panache.withTransaction(() -> ExperimentEntity.<ExperimentEntity> findById(experiment.name())
                .chain(found -> {
                    var entity = found != null ? found : new ExperimentEntity();
                    entity.name = experiment.name();
                    entity.setExperiment(experiment);
                    entity.updatedAt = clock.instant();
                    entity.createdAt = found != null ? found.createdAt : entity.updatedAt;
                    return entity.<ExperimentEntity> persist();
                }))
                .call(stored -> inQuartz(() -> schedules.schedule(experiment)));
    }

    public Uni<ExperimentEntity> get(String name) {
        return Panache.withSession(() -> ExperimentEntity.<ExperimentEntity> findById(name))
                .onItem().ifNull().failWith(() -> new ExperimentNotFoundException(name));
    }

    public Uni<List<ExperimentEntity>> list() {
        return Panache.withSession(() -> ExperimentEntity.<ExperimentEntity> listAll());
    }

    /** Deletes the experiment and its schedule; its runs stay in the history. */
    public Uni<Void> delete(String name) {
        return Panache.withTransaction(() -> ExperimentEntity.deleteById(name))
                .invoke(deleted -> {
                    if (!deleted) {
                        throw new ExperimentNotFoundException(name);
                    }
                })
                .call(() -> inQuartz(() -> schedules.unschedule(name)))
                .replaceWithVoid();
    }

    /** Quartz's job store is JDBC, which blocks: off the event loop. */
    private static Uni<Void> inQuartz(Runnable change) {
        return Uni.createFrom().voidItem().invoke(change).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
