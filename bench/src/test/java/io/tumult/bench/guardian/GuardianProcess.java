package io.tumult.bench.guardian;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tumult.local.FreePort;
import io.tumult.local.GuardedProcess;

/** The packaged guardian ({@code guardian/target/quarkus-app}) in a JVM of its own, and what it exports. */
public final class GuardianProcess implements Judge {

    private static final Pattern EVALUATED = Pattern
            .compile("(?m)^tumult_guardian_samples_evaluated_total(?:\\{[^}]*\\})? (\\S+)$");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final GuardedProcess process;
    private final int port;

    private GuardianProcess(GuardedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The packaged guardian the reactor built. */
    static final Path PACKAGED = Path.of("..", "guardian", "target", "quarkus-app");

    /** Starts the packaged guardian with these settings and waits until it judges samples. */
    public static GuardianProcess start(String bootstrapServers, Map<String, String> settings, Path log)
            throws IOException, InterruptedException {
        return start(PACKAGED, List.of(), bootstrapServers, settings, log);
    }

    /**
     * Starts the guardian packaged in {@code app} (a quarkus-app folder), with these JVM options added, and waits
     * until it judges samples.
     */
    static GuardianProcess start(Path app, List<String> jvmArgs, String bootstrapServers, Map<String, String> settings,
            Path log)
            throws IOException, InterruptedException {
        Path jar = app.resolve("quarkus-run.jar").toAbsolutePath().normalize();
        assertThat(jar).as("the packaged guardian (built by the reactor before bench)").isRegularFile();
        java.nio.file.Files.deleteIfExists(log); // a log left by an earlier run would pass for this one's
        int port = FreePort.pick();
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms512m", "-Xmx512m", "-XX:+UseParallelGC",
                "-Dkafka.bootstrap.servers=" + bootstrapServers, "-Dquarkus.http.port=" + port));
        settings.forEach((k, v) -> command.add("-D" + k + "=" + v));
        // for profiling, e.g. -DguardianJvmArgs=-XX:StartFlightRecording=filename=target/guardian.jfr
        String extra = System.getProperty("guardianJvmArgs", "").strip();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(jvmArgs);
        command.addAll(List.of("-jar", jar.toString()));
        GuardedProcess process = GuardedProcess.start("guardian", command, log, Duration.ofSeconds(10));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        // its HTTP server (for /q/metrics) may come up after its loop resumed judging samples: wait for both
        while (!process.log().contains("resumed judging samples") || !process.log().contains(" started in ")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String tail = process.logTail(40);
                process.close();
                throw new IllegalStateException("guardian did not start:\n" + tail);
            }
            Thread.sleep(50); // polling its log: there is no event to await
        }
        return new GuardianProcess(process, port);
    }

    /** {@code tumult_guardian_samples_evaluated_total} as exported now. */
    @Override
    public double evaluated() throws IOException, InterruptedException {
        Matcher m = EVALUATED.matcher(get("/q/metrics"));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** The body of a GET on the guardian. */
    String get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * Waits until this guardian watches the run (its {@code GET /runs/<id>} answers 200: one run described on its
     * evaluating loop, not the whole list).
     */
    @Override
    public void awaitWatching(String runId, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/runs/" + runId)).build();
        while (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            assertThat(System.nanoTime()).as("guardian watches %s", runId).isLessThan(deadline);
            Thread.sleep(2); // polling the guardian's view: there is no event to await
        }
    }

    /** CPU time its processes have used so far (user and system, as the OS reports it). */
    @Override
    public Duration cpu() {
        return cpu(process.processes());
    }

    /** CPU time these processes have used so far; zero for any the OS does not report. */
    static Duration cpu(List<ProcessHandle> processes) {
        return processes.stream().map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO))
                .reduce(Duration.ZERO, Duration::plus);
    }

    @Override
    public String logTail(int lines) {
        return process.logTail(lines);
    }

    @Override
    public void close() {
        process.close();
    }
}
