package io.tumult.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.tumult.local.FreePort;
import io.tumult.local.GuardedProcess;
import io.tumult.local.LocalTokens;

/**
 * Replicas of the packaged scheduler ({@code scheduler/target/quarkus-app}), each a JVM of its own on one shared local
 * stack (broker and PostgreSQL), that a trial can {@code kill -9} and start again.
 */
final class SchedulerReplicas implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final Map<String, String> stack;
    private final Path work;
    private final GuardedProcess[] replicas;
    private final int[] ports;
    private final int[] generation;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The replicas trust this key pair's tokens; the trial acts as an operator. */
    private final LocalTokens tokens;
    private final String token;

    SchedulerReplicas(Map<String, String> stack, Path work, int count) {
        this.stack = stack;
        this.work = work;
        try {
            this.tokens = LocalTokens.create(work.resolve("tokens"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the trial's token key pair: " + e.getMessage(), e);
        }
        this.token = tokens.mint("replica-trial", Duration.ofDays(1), "operator");
        this.replicas = new GuardedProcess[count];
        this.ports = new int[count];
        this.generation = new int[count];
    }

    int count() {
        return replicas.length;
    }

    /** Starts every replica in parallel and waits until each serves. */
    void startAll() {
        var starts = new ArrayList<CompletableFuture<Void>>();
        for (int i = 0; i < replicas.length; i++) {
            int replica = i;
            starts.add(CompletableFuture.runAsync(() -> start(replica)));
        }
        starts.forEach(CompletableFuture::join);
    }

    /** Starts replica {@code i} (again) and waits until Quarkus reports it started. */
    void start(int i) {
        try {
            Path jar = Path.of("..", "scheduler", "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: the reactor builds the scheduler before bench");
            }
            ports[i] = FreePort.pick();
            var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:TieredStopAtLevel=1"));
            stack.forEach((k, v) -> command.add("-D" + k + "=" + v));
            tokens.schedulerConfig().forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.add("-Dquarkus.http.port=" + ports[i]);
            // a restarted replica is a new cluster member, as a new pod would be
            command.add("-Dquarkus.quartz.instance-id=replica-" + i + "-" + (++generation[i]));
            command.addAll(List.of("-jar", jar.toString()));
            Path log = work.resolve("scheduler-" + i + "-" + generation[i] + ".log");
            GuardedProcess replica = GuardedProcess.start("scheduler-" + i, command, log, Duration.ofSeconds(20));
            replicas[i] = replica;
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!replica.log().contains(" started in ")) {
                if (!replica.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("scheduler-" + i + " did not start:\n" + replica.logTail(40));
                }
                Thread.sleep(50); // polling its log: there is no event to await
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code kill -9} of replica {@code i}'s JVM; returns once it is gone. */
    void kill(int i) {
        ProcessHandle java = replicas[i].processes().stream()
                .filter(p -> p.info().command().orElse("").endsWith("java")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no JVM for scheduler-" + i));
        java.destroyForcibly();
        java.onExit().join();
        replicas[i].close();
    }

    /** Sends {@code body} as {@code method} to {@code path} on replica {@code i}; returns the status. */
    int send(int i, String method, String path, String body) {
        try {
            var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[i] + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body))
                    .build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " on scheduler-" + i + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GETs {@code path} from replica {@code i}; returns the body of a 200. */
    String get(int i, String path) {
        try {
            var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[i] + path))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).GET().build();
            var response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + " on scheduler-" + i + ": " + response.statusCode()
                        + " " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path + " on scheduler-" + i + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String logTails() {
        var tails = new StringBuilder();
        for (int i = 0; i < replicas.length; i++) {
            if (replicas[i] != null) {
                tails.append("--- scheduler-").append(i).append('\n').append(replicas[i].logTail(15)).append('\n');
            }
        }
        return tails.toString();
    }

    @Override
    public void close() {
        for (GuardedProcess replica : replicas) {
            if (replica != null) {
                replica.close();
            }
        }
    }

    /** An experiment on {@code cron} (Quartz, with seconds), with nothing to execute it (no executor in a trial). */
    static String experiment(String name, String cron) {
        return experiment(name, cron, Duration.ofSeconds(600));
    }

    /** The same, with the schedule's starting deadline. */
    static String experiment(String name, String cron, Duration startingDeadline) {
        return """
                {"apiVersion": "tumult.io/v1", "kind": "Experiment", "metadata": {"name": "%s"},
                 "spec": {"target": {"kind": "network-namespace", "name": "tumult-trial-victim"},
                          "attack": {"kind": "network-loss", "percent": 100}, "duration": "1s",
                          "schedule": {"cron": "%s", "timezone": "UTC", "concurrency": "Allow",
                                       "startingDeadline": "%ds"}}}
                """.formatted(name, cron, startingDeadline.toSeconds());
    }

    /** A cron fire's run id, as the scheduler derives it ({@code RunLauncher.cronRunId}). */
    static java.util.UUID cronRunId(String name, java.time.Instant fireTime) {
        return java.util.UUID.nameUUIDFromBytes((name + "@" + fireTime).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
