package io.tumult.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Alertmanager (Debian's {@code prometheus-alertmanager}) on a free 127.0.0.1 port, without clustering, routing
 * every alert at once ({@code group_wait: 0s}) to one webhook. {@link #close()} stops it and deletes its directory.
 */
public final class LocalAlertmanager implements AutoCloseable {

    private static final String BINARY = "prometheus-alertmanager";

    private final OwnedTempDir dir;
    private final GuardedProcess process;
    private final int port;

    private LocalAlertmanager(OwnedTempDir dir, GuardedProcess process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    /**
     * @param webhookUrl where every notification goes
     * @param httpConfig the receiver's {@code http_config} as a YAML flow mapping (for example
     *        {@code "{ authorization: { credentials: s3cret } }"}), or null for none
     */
    public static LocalAlertmanager start(String webhookUrl, String httpConfig) throws IOException, InterruptedException {
        LocalPrometheus.requireOnPath(BINARY, "prometheus-alertmanager");
        var dir = OwnedTempDir.create("tumult-alertmanager-");
        int port = FreePort.pick();
        String config = """
                route:
                  receiver: tumult
                  group_by: ['...']
                  group_wait: 0s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: tumult
                    webhook_configs:
                      - url: '%s'
                        send_resolved: true
                """.formatted(webhookUrl)
                + (httpConfig == null ? "" : "        http_config: " + httpConfig + "\n");
        Path configFile = dir.path().resolve("alertmanager.yml");
        Files.writeString(configFile, config);
        GuardedProcess process = GuardedProcess.start("alertmanager", List.of(BINARY, "--config.file=" + configFile,
                "--storage.path=" + dir.path().resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address="), dir.path().resolve("alertmanager.log"), Duration.ofSeconds(15));
        var alertmanager = new LocalAlertmanager(dir, process, port);
        try {
            LocalPrometheus.awaitReady(process, "http://127.0.0.1:" + port + "/-/ready");
            return alertmanager;
        } catch (InterruptedException | RuntimeException e) {
            alertmanager.close();
            throw e;
        }
    }

    /** {@code host:port}, as Prometheus' alerting target. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The guard and Alertmanager, for tests that check nothing is left running. */
    public List<ProcessHandle> processes() {
        return process.processes();
    }

    /** What Alertmanager printed, for error messages. */
    public String logTail(int lines) {
        return process.logTail(lines);
    }

    /** Stops Alertmanager and deletes its config and data. */
    @Override
    public void close() {
        process.close();
        dir.close();
    }
}
