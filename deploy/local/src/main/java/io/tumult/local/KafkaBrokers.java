package io.tumult.local;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Which Kafka the local stack runs: Testcontainers' Kafka when a Docker engine answers, else the local broker process
 * ({@link LocalKafka}). Decided by {@link DockerEngine} before any Testcontainers class is loaded, so that without
 * Docker nothing tries to reach it; the choice and its reason are printed on stderr. {@value #MODE_PROPERTY} (or
 * {@code TUMULT_LOCAL_KAFKA}) = {@code auto} (the default), {@code process} or {@code container} overrides it.
 */
public final class KafkaBrokers {

    public static final String MODE_PROPERTY = "tumult.local.kafka";

    /** The broker to start and why. */
    public record Choice(Kind kind, String why) {
        @Override
        public String toString() {
            return (kind == Kind.CONTAINER ? "Kafka in a container (Testcontainers)" : "the local Kafka broker process")
                    + ": " + why;
        }
    }

    public enum Kind {
        PROCESS,
        CONTAINER
    }

    private KafkaBrokers() {
    }

    /** Chooses from this JVM's settings and environment, logs the choice and starts that broker. */
    public static KafkaBroker start() throws IOException, InterruptedException {
        Choice choice = choose(mode(System.getProperty(MODE_PROPERTY), System.getenv("TUMULT_LOCAL_KAFKA")),
                System.getenv(), DockerEngine.DEFAULT_SOCKET);
        System.err.println("local stack's Kafka: " + choice); // on the console, like the module's other notices
        return switch (choice.kind()) {
            case PROCESS -> LocalKafka.start();
            case CONTAINER -> ContainerKafka.start(); // the only path that loads Testcontainers
        };
    }

    /**
     * The choice for a mode ({@code auto}, {@code process} or {@code container}) and an environment; asks the Docker
     * engine only in {@code auto}. {@code container} is taken as said: Testcontainers then reports a missing engine.
     */
    public static Choice choose(String mode, Map<String, String> env, Path defaultSocket) {
        return switch (mode) {
            case "process" -> new Choice(Kind.PROCESS, MODE_PROPERTY + "=process");
            case "container" -> new Choice(Kind.CONTAINER, MODE_PROPERTY + "=container");
            case "auto" -> {
                DockerEngine.Answer docker = DockerEngine.probe(env, defaultSocket);
                yield new Choice(docker.answers() ? Kind.CONTAINER : Kind.PROCESS,
                        docker.answers() ? docker.why() : "no Docker engine (" + docker.why() + ")");
            }
            default -> throw new IllegalArgumentException(MODE_PROPERTY + " must be auto, process or container, not "
                    + mode);
        };
    }

    /** The mode from the system property, else the environment variable, else {@code auto}. */
    static String mode(String property, String env) {
        String mode = property != null && !property.isBlank() ? property : env;
        return mode == null || mode.isBlank() ? "auto" : mode.strip().toLowerCase(Locale.ROOT);
    }

    /** Prints the choice for this machine without starting anything: {@code java io.tumult.local.KafkaBrokers}. */
    public static void main(String[] args) {
        System.out.println(choose(mode(System.getProperty(MODE_PROPERTY), System.getenv("TUMULT_LOCAL_KAFKA")),
                System.getenv(), DockerEngine.DEFAULT_SOCKET));
    }
}
