package io.tumult.local.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.tumult.local.EventClient;
import io.tumult.local.FreePort;
import io.tumult.local.GuardedProcess;
import io.tumult.local.LocalStack;
import io.tumult.local.LocalTokens;
import io.tumult.local.NetnsPair;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.SteadyStateVerdict;

/**
 * The whole chaos loop on this machine: a real Kafka broker and PostgreSQL, the scheduler, executor and guardian
 * as their packaged apps, a victim network namespace watched by a {@link LossProbe}, and the example experiment.
 * The tests drive the same class; {@link #main} shows it to a person until Ctrl-C.
 */
public final class LocalLoop implements AutoCloseable {

    private static final ObjectMapper READER = new ObjectMapper();

    private final List<AutoCloseable> open = new ArrayList<>();
    /** Settings added to the executor's, over the loop's own (empty for the default loop). */
    private final Map<String, String> executorSettings;
    private boolean closed;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Instant startedAt = Instant.now();
    private LocalStack stack;
    private NetnsPair netns;
    private LoopEvents events;
    private LossProbe probe;
    private URI scheduler;
    private URI guardian;
    private LocalTokens tokens;
    private String token;

    private LocalLoop(Map<String, String> executorSettings) {
        this.executorSettings = Map.copyOf(executorSettings);
    }

    /** Starts everything; on any failure, stops what had started and rethrows. */
    public static LocalLoop start(Path home, Path logDir, PrintStream out) throws Exception {
        return start(home, logDir, out, Map.of());
    }

    /**
     * {@link #start(Path, Path, PrintStream)} with {@code executorSettings} added to the executor's (system
     * properties, over the loop's own), for example {@code quarkus.kubernetes-client.api-server-url} to give it a
     * cluster's API.
     */
    public static LocalLoop start(Path home, Path logDir, PrintStream out, Map<String, String> executorSettings)
            throws Exception {
        var loop = new LocalLoop(executorSettings);
        loop.startUnder(home, logDir, out);
        return loop;
    }

    private void startUnder(Path home, Path logDir, PrintStream out) throws Exception {
        try {
            startAll(home, logDir, out);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private void startAll(Path home, Path logDir, PrintStream out) throws Exception {
        Files.createDirectories(logDir);
        out.println("starting Kafka (KRaft, own JVM) and PostgreSQL on 127.0.0.1 ...");
        stack = keep(LocalStack.start(true));
        Map<String, String> config = stack.config();
        out.println("  kafka " + config.get("kafka.bootstrap.servers") + ", postgres "
                + config.get("quarkus.datasource.reactive.url"));

        netns = keep(NetnsPair.create());
        out.println("victim network namespace " + netns.victimName() + " (" + netns.victimAddress() + "), probe in "
                + netns.peerName());

        // the scheduler's API takes bearer tokens: trust a key pair made here, and act as an operator
        tokens = LocalTokens.create(logDir.resolve("tokens"));
        token = tokens.mint("local-loop", Duration.ofDays(1), "operator");
        Files.writeString(logDir.resolve("operator.token"), token);
        Files.writeString(logDir.resolve("admin.token"), tokens.mint("local-admin", Duration.ofDays(1), "admin"));
        Files.writeString(logDir.resolve("viewer.token"), tokens.mint("local-viewer", Duration.ofDays(1), "viewer"));
        out.println("API tokens (bearer, valid a day) in " + logDir + ": operator.token, admin.token, viewer.token");

        int schedulerPort = FreePort.pick();
        int guardianPort = FreePort.pick();
        out.println("starting scheduler, executor and guardian (logs in " + logDir + ") ...");
        var services = keep(new Services());
        Map<String, String> schedulerConfig = with(config, "quarkus.http.port", schedulerPort);
        schedulerConfig.putAll(tokens.schedulerConfig());
        keep(services, ServiceProcess.start(home, "scheduler", schedulerConfig, logDir.resolve("scheduler.log")));
        Map<String, String> executorConfig = with(kafkaOnly(config), "quarkus.http.port", FreePort.pick());
        // its journal beside its log: never the host's shared /var/lib/tumult, which another loop could be using
        executorConfig.put("tumult.executor.journal-dir", logDir.resolve("executor-journal").toString());
        // the process-killer example's worker (experiments/process-killer.yaml) is the only process it may signal
        executorConfig.put("tumult.executor.allowed-process-patterns", "order-worker");
        executorConfig.putAll(executorSettings);
        keep(services, ServiceProcess.start(home, "executor", executorConfig, logDir.resolve("executor.log")));
        keep(services, ServiceProcess.start(home, "guardian", with(kafkaOnly(config), "quarkus.http.port",
                guardianPort), logDir.resolve("guardian.log")));
        scheduler = URI.create("http://127.0.0.1:" + schedulerPort);
        guardian = URI.create("http://127.0.0.1:" + guardianPort);

        events = keep(new LoopEvents(config.get("kafka.bootstrap.servers")));
        EventClient kafka = keep(new EventClient(config.get("kafka.bootstrap.servers")));
        probe = keep(new LossProbe(netns.peerName(), netns.victimAddress(), kafka, "network-namespace/" + netns.victimName()));
    }

    /** The example experiment for this loop's victim, firing on {@code cron} (Quartz, with seconds, UTC). */
    public String exampleExperiment(String name, String cron) throws IOException {
        try (InputStream in = LocalLoop.class.getResourceAsStream("/experiments/victim-partition.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("{{name}}", name)
                    .replace("{{netns}}", netns.victimName())
                    .replace("{{cron}}", cron);
        }
    }

    /** Posts an experiment document (YAML) to the scheduler. */
    public HttpResponse<String> submit(String yaml) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(scheduler.resolve("/experiments"))
                .header("Content-Type", "application/yaml")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(yaml))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POST with no body on the scheduler's API, as an operator, for example {@code /experiments/<name>/dry-run}. */
    public HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(scheduler.resolve(path)).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET on the scheduler's API, for example {@code /runs/<id>}. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(scheduler.resolve(path)).header("Authorization", "Bearer " + token)
                .GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A Quartz cron that fires once, at {@code at} (UTC, whole seconds). */
    public static String onceAt(Instant at) {
        var t = at.atOffset(ZoneOffset.UTC);
        return t.getSecond() + " " + t.getMinute() + " " + t.getHour() + " " + t.getDayOfMonth() + " "
                + t.getMonthValue() + " ? " + t.getYear();
    }

    /** Signs tokens the loop's scheduler trusts, for example {@code tokens().mint("me", "admin")}. */
    public LocalTokens tokens() {
        return tokens;
    }

    public URI scheduler() {
        return scheduler;
    }

    public LocalStack stack() {
        return stack;
    }

    public NetnsPair netns() {
        return netns;
    }

    LossProbe probe() {
        return probe;
    }

    LoopEvents events() {
        return events;
    }

    public URI guardian() {
        return guardian;
    }

    /** Prints every run event as a timeline line, relative to when the loop started. */
    void printTimeline(PrintStream out) {
        printTimeline(events, startedAt, out, status -> printRecordedRun(out, status));
    }

    /**
     * Prints {@code events} as timeline lines relative to {@code startedAt}, one line for a record skipped because it
     * is not a valid event; {@code onEnd} is told of every terminal status.
     */
    static void printTimeline(LoopEvents events, Instant startedAt, PrintStream out, Consumer<RunStatus> onEnd) {
        events.onEvent(seen -> {
            String line;
            if (seen.event() instanceof RunStarted s) {
                line = String.format("run-start  %s of %s (trigger %s, deadline %s)", s.runId(), s.experiment(),
                        s.trigger().name().toLowerCase(), s.deadline());
            } else if (seen.event() instanceof RunStatus s) {
                line = String.format("%-9s  %s%s", s.phase().name().toLowerCase(), s.message(),
                        s.targets().isEmpty() ? "" : " " + s.targets());
            } else if (seen.event() instanceof RunAborted a) {
                line = String.format("abort      from %s: %s", a.source(), a.reason().message());
            } else if (seen.event() instanceof SteadyStateVerdict v) {
                line = String.format("verdict    from %s: %s", v.source(), v.message());
            } else {
                line = seen.event().toString();
            }
            out.printf("%9.3fs  %s%n", seconds(startedAt, seen.receivedAt()), line);
            if (seen.event() instanceof RunStatus s && s.phase().terminal()) {
                onEnd.accept(s);
            }
        });
        events.onSkipped(skipped -> out.printf("%9.3fs  skipped    %s[%d]@%d (key %s), not a valid event: %s%n",
                seconds(startedAt, skipped.receivedAt()), skipped.topic(), skipped.partition(), skipped.offset(),
                skipped.key(), skipped.reason()));
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }

    /** Once the scheduler has recorded the run's end, prints the run as PostgreSQL holds it. */
    private void printRecordedRun(PrintStream out, RunStatus status) {
        var reader = new Thread(() -> {
            try {
                for (int attempt = 0; attempt < 50; attempt++) {
                    HttpResponse<String> run = get("/runs/" + status.runId());
                    if (run.statusCode() == 200 && !run.body().contains("\"status\":\"SCHEDULED\"")
                            && !run.body().contains("\"status\":\"RUNNING\"")) {
                        out.println("           recorded in PostgreSQL: " + recordedRun(run.body()));
                        return;
                    }
                    Thread.sleep(100); // the scheduler records the same event on its own consumer
                }
                out.println("           the scheduler has not recorded the end of run " + status.runId() + " yet");
            } catch (IOException e) {
                out.println("           could not read the run back from the scheduler: " + e); // its type too
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "recorded-run");
        reader.setDaemon(true);
        reader.start();
    }

    /** One readable line for a run as the scheduler's {@code GET /runs/<id>} returns it. */
    static String recordedRun(String json) throws IOException {
        JsonNode run = READER.readTree(json);
        var line = new StringBuilder(run.path("status").asText());
        String reason = reason(run.path("reason"));
        if (!reason.isEmpty()) {
            line.append(" (").append(reason).append(')');
        }
        var steps = new ArrayList<String>();
        for (JsonNode step : run.path("history")) {
            steps.add(step.path("phase").asText() + " at " + step.path("at").asText() + " by "
                    + step.path("executor").asText());
        }
        return line.append("; history: ").append(steps.isEmpty() ? "none" : String.join(", ", steps)).toString();
    }

    /**
     * The recorded reason ({@code {kind, message, ...}}): as "kind: message", or the message alone when it has no kind
     * (a run that ended at its deadline), nothing when there is none.
     */
    private static String reason(JsonNode reason) {
        if (reason.isTextual()) {
            return reason.asText().strip();
        }
        if (!reason.isObject()) {
            return "";
        }
        String kind = reason.path("kind").asText("").strip();
        String message = reason.path("message").asText("").strip();
        return kind.isEmpty() || message.isEmpty() ? kind + message : kind + ": " + message;
    }

    private static Map<String, String> with(Map<String, String> config, String key, int value) {
        var m = new HashMap<>(config);
        m.put(key, Integer.toString(value));
        return m;
    }

    private static Map<String, String> kafkaOnly(Map<String, String> config) {
        var m = new HashMap<String, String>();
        config.forEach((k, v) -> {
            if (!k.startsWith("quarkus.datasource")) {
                m.put(k, v);
            }
        });
        return m;
    }

    private <T extends AutoCloseable> T keep(T resource) {
        return keep(resource, r -> open.add(0, r));
    }

    private void keep(Services services, GuardedProcess service) {
        keep(service, services.processes::add);
    }

    /** Records a started resource for close; once closed (Ctrl-C during start-up), stops it at once instead. */
    private <T extends AutoCloseable> T keep(T resource, Consumer<T> record) {
        synchronized (open) {
            if (!closed) {
                record.accept(resource);
                return resource;
            }
        }
        closeQuietly(resource);
        throw new IllegalStateException("stopped while starting");
    }

    /** The three services, stopped together: each takes seconds to leave its consumer groups. */
    private static final class Services implements AutoCloseable {
        private final List<GuardedProcess> processes = new ArrayList<>();

        @Override
        public void close() throws InterruptedException {
            List<Thread> stopping = processes.stream().map(p -> new Thread(p::close, "stop-service")).toList();
            stopping.forEach(Thread::start);
            for (Thread t : stopping) {
                t.join();
            }
        }
    }

    /** Stops everything in reverse order of start; the services revert what they hold as they stop. */
    @Override
    public void close() {
        List<AutoCloseable> started;
        synchronized (open) {
            closed = true;
            started = List.copyOf(open);
            open.clear();
        }
        started.forEach(LocalLoop::closeQuietly);
    }

    private boolean isClosed() {
        synchronized (open) {
            return closed;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("while stopping " + c.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Runs the loop for a person: the example experiment fires every 30 seconds until Ctrl-C. */
    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        if (!NetnsPair.available()) {
            out.println("The local loop injects a real network fault into a network namespace it creates, which needs"
                    + " root and the ip, nft and ping commands. Run it as root (the tests that need no root run"
                    + " with ./mvnw verify as any user).");
            System.exit(2);
        }
        Path home = Path.of(System.getProperty("tumult.home", ".")).toAbsolutePath().normalize();
        Path logDir = home.resolve("target/local-loop");
        var loop = new LocalLoop(Map.of());
        var startReturned = new CountDownLatch(1);
        var stopped = new CountDownLatch(1);
        // registered before anything starts: Ctrl-C during start-up stops what has started, and waits for the step
        // under way to return, so that what it was starting is stopped too
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("\nstopping: services revert what they hold, then Kafka and PostgreSQL stop ...");
            loop.close();
            try {
                startReturned.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.println("stopped; nothing left running.");
            stopped.countDown();
        }, "local-loop-stop"));
        try {
            loop.startUnder(home, logDir, out);
        } catch (Exception | Error e) {
            startReturned.countDown();
            if (loop.isClosed()) { // Ctrl-C during start-up: not an error
                stopped.await();
                return;
            }
            throw e;
        }
        startReturned.countDown();

        loop.printTimeline(out);
        int second = Instant.now().plusSeconds(4).atOffset(ZoneOffset.UTC).getSecond() % 30;
        String cron = second + "/30 * * * * ?";
        HttpResponse<String> created = loop.submit(loop.exampleExperiment("victim-partition", cron));
        out.println("submitted experiment victim-partition (cron \"" + cron + "\", UTC): HTTP " + created.statusCode());
        if (created.statusCode() != 201) {
            out.println(created.body());
        }
        out.println("the API: curl -H \"Authorization: Bearer $(cat " + logDir.resolve("operator.token") + ")\" "
                + loop.scheduler().resolve("/runs?experiment=victim-partition"));
        out.println("every 30 s it cuts the victim off; the probe reports packet loss, the guardian aborts, the"
                + " executor reverts. Ctrl-C stops everything.\n");
        stopped.await();
    }
}
