package io.tumult.local;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The real local stack: a Kafka broker (in a container when a Docker engine answers, else a local broker process:
 * {@link KafkaBrokers}) and, when asked, PostgreSQL, started in parallel. Serves the services'
 * tests (through {@link TumultStackResource}) and the local loop alike.
 */
public final class LocalStack implements AutoCloseable {

    private final KafkaBroker kafka;
    private final LocalPostgres postgres;

    private LocalStack(KafkaBroker kafka, LocalPostgres postgres) {
        this.kafka = kafka;
        this.postgres = postgres;
    }

    /** Starts Kafka, and PostgreSQL when {@code withPostgres}; on failure stops whatever had started. */
    public static LocalStack start(boolean withPostgres) throws Exception {
        var kafka = CompletableFuture.supplyAsync(() -> unchecked(KafkaBrokers::start));
        var postgres = withPostgres ? CompletableFuture.supplyAsync(() -> unchecked(LocalPostgres::start))
                : CompletableFuture.<LocalPostgres> completedFuture(null);
        try {
            return new LocalStack(kafka.join(), postgres.join());
        } catch (CompletionException e) {
            kafka.thenAccept(LocalStack::quietly);
            postgres.thenAccept(LocalStack::quietly);
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    /** The configuration a Tumult service needs to run against this stack. */
    public Map<String, String> config() {
        var config = new HashMap<String, String>();
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        config.put("quarkus.devservices.enabled", "false");
        if (postgres != null) {
            config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
            config.put("quarkus.datasource.reactive.url", postgres.reactiveUrl());
            config.put("quarkus.datasource.username", postgres.username());
            config.put("quarkus.datasource.password", postgres.password());
        }
        return config;
    }

    @Override
    public void close() {
        quietly(postgres);
        quietly(kafka);
    }

    private static void quietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("while stopping " + c.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private interface Starter<T> {
        T start() throws Exception;
    }

    private static <T> T unchecked(Starter<T> starter) {
        try {
            return starter.start();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }
}
