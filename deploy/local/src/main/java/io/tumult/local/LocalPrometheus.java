package io.tumult.local;

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

/**
 * A real Prometheus (Debian's {@code prometheus} binary) on a free 127.0.0.1 port, with a temporary config and
 * storage directory, scraping the given targets and evaluating the given rules at one short interval. Optionally
 * sends its alerts to an Alertmanager. {@link #close()} stops it and deletes its directory.
 */
public final class LocalPrometheus implements AutoCloseable {

    private static final String BINARY = "prometheus";
    /** Ready in well under a second when idle; allow for a loaded 2-core machine. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final OwnedTempDir dir;
    private final GuardedProcess process;
    private final String url;

    private LocalPrometheus(OwnedTempDir dir, GuardedProcess process, String url) {
        this.dir = dir;
        this.process = process;
        this.url = url;
    }

    /**
     * @param targets {@code host:port} of the scrape targets (one job, {@code tumult-test})
     * @param interval scrape and rule evaluation interval
     * @param rules the contents of one rule file (YAML {@code groups: ...}), or null for none
     * @param alertmanager {@code host:port} of an Alertmanager to send alerts to, or null
     */
    public static LocalPrometheus start(List<String> targets, Duration interval, String rules, String alertmanager)
            throws IOException, InterruptedException {
        requireOnPath(BINARY, "prometheus");
        var dir = OwnedTempDir.create("tumult-prometheus-");
        int port = FreePort.pick();
        String every = interval.toMillis() + "ms";
        var config = new StringBuilder()
                .append("global: { scrape_interval: ").append(every).append(", evaluation_interval: ").append(every)
                .append(" }\n")
                .append("scrape_configs:\n  - job_name: tumult-test\n    static_configs:\n      - targets: [")
                .append(String.join(", ", targets.stream().map(t -> "'" + t + "'").toList())).append("]\n");
        if (rules != null) {
            Files.writeString(dir.path().resolve("rules.yml"), rules);
            config.append("rule_files: ['").append(dir.path().resolve("rules.yml")).append("']\n");
        }
        if (alertmanager != null) {
            config.append("alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['").append(alertmanager)
                    .append("']\n");
        }
        Path configFile = dir.path().resolve("prometheus.yml");
        Files.writeString(configFile, config);
        var command = new ArrayList<>(List.of(BINARY, "--config.file=" + configFile,
                "--storage.tsdb.path=" + dir.path().resolve("data"), "--web.listen-address=127.0.0.1:" + port));
        GuardedProcess process = GuardedProcess.start("prometheus", command, dir.path().resolve("prometheus.log"),
                Duration.ofSeconds(15));
        var prometheus = new LocalPrometheus(dir, process, "http://127.0.0.1:" + port);
        try {
            awaitReady(process, prometheus.url + "/-/ready");
            return prometheus;
        } catch (InterruptedException | RuntimeException e) {
            prometheus.close();
            throw e;
        }
    }

    /** The base URL of its HTTP API, {@code http://127.0.0.1:PORT}. */
    public String url() {
        return url;
    }

    /** {@code host:port}. */
    public String address() {
        return URI.create(url).getAuthority();
    }

    /** The guard and Prometheus, for tests that check nothing is left running. */
    public List<ProcessHandle> processes() {
        return process.processes();
    }

    /** What Prometheus printed, for error messages. */
    public String logTail(int lines) {
        return process.logTail(lines);
    }

    /** Stops Prometheus and deletes its config and data. */
    @Override
    public void close() {
        process.close();
        dir.close();
    }

    /** Fails naming the Debian package when {@code binary} is not installed. */
    static void requireOnPath(String binary, String debianPackage) {
        if (ProcessRunner.run("sh", "-c", "command -v " + binary).exitCode() != 0) {
            throw new IllegalStateException(binary + " is not installed (Debian: apt-get install " + debianPackage
                    + "; .ci/run installs it)");
        }
    }

    /** Waits until {@code readyUrl} answers 200, failing with the process's log if it exits first. */
    static void awaitReady(GuardedProcess process, String readyUrl) throws InterruptedException {
        var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        var request = HttpRequest.newBuilder(URI.create(readyUrl)).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(process + " exited during start-up:\n" + process.logTail(30));
            }
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(process + " not ready within " + READY_TIMEOUT + ":\n"
                        + process.logTail(30));
            }
            Thread.sleep(50); // polling a local port; no event to wait on
        }
    }
}
