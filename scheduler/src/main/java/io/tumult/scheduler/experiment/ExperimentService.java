package io.tumult.scheduler.experiment;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tumult.scheduler.cron.CronExpressions;
import io.tumult.scheduler.cron.ExperimentSchedules;
import io.tumult.scheduler.experiment.ExperimentVersionEntity.Change;
import io.tumult.schemas.json.InvalidDocumentException;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.json.Violation;
import io.tumult.schemas.v1.Experiment;

/**
 * Stores experiments and keeps their cron schedules in step with what is stored. Every change is recorded as a
 * version (who, when, which fields, the document) in the same transaction.
 */
@ApplicationScoped
public class ExperimentService {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Who changed an experiment when no caller is known (a change made by the scheduler itself). */
    public static final String SYSTEM = "system";

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

    public Uni<ExperimentEntity> create(Experiment experiment) {
        return create(experiment, SYSTEM);
    }

    /**
     * Stores a new experiment; fails with {@link ExperimentExistsException} when the name is taken, also when another
     * request (or replica) stored it a moment before.
     */
    public Uni<ExperimentEntity> create(Experiment experiment, String actor) {
        return Panache.withTransaction(() -> ExperimentEntity.<ExperimentEntity> findById(experiment.name())
                .onItem().ifNotNull().failWith(() -> new ExperimentExistsException(experiment.name()))
                .chain(() -> {
                    var entity = new ExperimentEntity();
                    entity.name = experiment.name();
                    entity.setExperiment(experiment);
                    entity.createdAt = clock.instant();
                    entity.updatedAt = entity.createdAt;
                    return entity.<ExperimentEntity> persist()
                            .call(() -> recordVersion(entity.name, Change.CREATED, actor, entity.document));
                }))
                .onFailure(ExperimentService::isUniqueViolation)
                .transform(e -> new ExperimentExistsException(experiment.name()))
                .call(stored -> inQuartz(() -> schedules.schedule(experiment)));
    }

    public Uni<ExperimentEntity> replace(Experiment experiment) {
        return replace(experiment, SYSTEM);
    }

    /** Creates or replaces the experiment of this name. */
    public Uni<ExperimentEntity> replace(Experiment experiment, String actor) {
        return Panache.withTransaction(() -> ExperimentEntity.<ExperimentEntity> findById(experiment.name(),
                LockModeType.PESSIMISTIC_WRITE)
                .chain(found -> {
                    var entity = found != null ? found : new ExperimentEntity();
                    entity.name = experiment.name();
                    entity.setExperiment(experiment);
                    entity.updatedAt = clock.instant();
                    entity.createdAt = found != null ? found.createdAt : entity.updatedAt;
                    return entity.<ExperimentEntity> persist().call(() -> recordVersion(entity.name,
                            found != null ? Change.REPLACED : Change.CREATED, actor, entity.document));
                }))
                .onFailure(ExperimentService::isUniqueViolation)
                .transform(e -> new ExperimentExistsException(experiment.name()))
                .call(stored -> inQuartz(() -> schedules.schedule(experiment)));
    }

    public Uni<ExperimentEntity> get(String name) {
        return Panache.withSession(() -> ExperimentEntity.<ExperimentEntity> findById(name))
                .onItem().ifNull().failWith(() -> new ExperimentNotFoundException(name));
    }

    public Uni<List<ExperimentEntity>> list() {
        return Panache.withSession(() -> ExperimentEntity.<ExperimentEntity> listAll());
    }

    public Uni<Void> delete(String name) {
        return delete(name, SYSTEM);
    }

    /** Deletes the experiment and its schedule; its runs and versions stay in the history. */
    public Uni<Void> delete(String name, String actor) {
        return Panache.withTransaction(() -> ExperimentEntity.deleteById(name)
                .call(deleted -> deleted ? recordVersion(name, Change.DELETED, actor, null) : Uni.createFrom().voidItem()))
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

    /** Every version of an experiment, also of a deleted one, oldest first; empty when there never was one. */
    public Uni<List<ExperimentVersionEntity>> versions(String name) {
        return Panache.withSession(() -> ExperimentVersionEntity.<ExperimentVersionEntity> list(
                "experiment = ?1 order by version", name));
    }

    private Uni<Void> recordVersion(String name, Change change, String actor, String document) {
        return ExperimentVersionEntity.<ExperimentVersionEntity> find("experiment = ?1 order by version desc", name)
                .firstResult()
                .chain(previous -> {
                    var version = new ExperimentVersionEntity();
                    version.experiment = name;
                    version.version = previous == null ? 1 : previous.version + 1;
                    version.change = change;
                    version.changedBy = actor;
                    version.changedAt = clock.instant();
                    version.document = document;
                    version.changedPaths = json(JsonDiff.paths(tree(previous == null ? null : previous.document),
                            tree(document)));
                    return version.persist().replaceWithVoid();
                });
    }

    private static JsonNode tree(String document) {
        if (document == null) {
            return null;
        }
        try {
            return JSON.readTree(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored document is not JSON", e);
        }
    }

    private static String json(List<String> paths) {
        try {
            return JSON.writeValueAsString(paths);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether PostgreSQL refused a row because its key is taken (SQLSTATE 23505). */
    static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())) {
                return true;
            }
            if (t instanceof org.hibernate.exception.ConstraintViolationException c
                    && (c.getKind() == org.hibernate.exception.ConstraintViolationException.ConstraintKind.UNIQUE
                            || "23505".equals(c.getSQLState()))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

}
