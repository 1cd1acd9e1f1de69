package io.tumult.local.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.tumult.local.EventClient;
import io.tumult.local.NeedsHostAttacks;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.AbortKind;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.Experiment;
import io.tumult.schemas.v1.MetricSample;
import io.tumult.schemas.v1.RunPhase;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.RunStatus;
import io.tumult.schemas.v1.Trigger;

/**
 * The Kubernetes seed experiments beside the local loop's ({@code experiments/pod-termination-50.yaml},
 * {@code cartservice-container-kill.yaml}), unchanged, carried out for real by the loop's packaged executor (role
 * {@code all}) and guardian on the real broker, against a fabric8 {@link KubernetesMockServer} in CRUD mode started
 * in this JVM as the cluster's API (the executor is given its URL; there is no kube-apiserver here). Each is started
 * as a person would start it (a run-start on the broker), its fault measured on the mock's objects or on a real
 * process, and stopped by the guardian on the experiment's own abort rule.
 * <p>
 * What the mock cannot show: it runs no controllers and no kubelet. A pod deleted by {@code pod-kill} is not
 * recreated by its ReplicaSet, and a deletion with a grace period removes the pod at once (no terminating phase); a
 * killed container is restarted here by a supervisor standing in for the kubelet, in the same cgroup, so the pod's
 * status keeps the container id a real runtime would have replaced.
 */
@NeedsHostAttacks
class KubernetesExamplesIT {

    private static KubernetesMockServer cluster;
    private static KubernetesClient kube;
    private static LocalLoop loop;
    private static EventClient kafka;

    /** Metric samples published while a run is in place. */
    private final ScheduledExecutorService metrics = Executors.newSingleThreadScheduledExecutor();
    private final Deque<AutoCloseable> created = new ArrayDeque<>();

    @BeforeAll
    static void startTheLoopOnAMockCluster() throws Exception {
        cluster = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        cluster.init();
        kube = cluster.createClient();
        Path home = Path.of(System.getProperty("tumult.home", "../../..")).toAbsolutePath().normalize();
        loop = LocalLoop.start(home, home.resolve("deploy/local/demo/target/it-logs-kubernetes"), System.out, Map.of(
                "quarkus.kubernetes-client.api-server-url", kube.getMasterUrl().toString(),
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", "default"));
        kafka = new EventClient(loop.stack().config().get("kafka.bootstrap.servers"));
    }

    @AfterAll
    static void stopTheLoop() {
        if (kafka != null) {
            kafka.close();
        }
        if (loop != null) {
            loop.close();
        }
        if (kube != null) {
            kube.close();
        }
        if (cluster != null) {
            cluster.destroy();
        }
    }

    @BeforeEach
    void forgetEarlierRequests() {
        apiRequests();
    }

    @AfterEach
    void removeWhatTheTestMade() throws Exception {
        metrics.shutdownNow();
        for (AutoCloseable made : created) { // last made, first removed
            made.close();
        }
    }

    @Test
    void shouldDeleteHalfTheBackendsPodsWithAFiveSecondGraceUntilTheErrorRateRuleStopsIt() throws Exception {
        // Given: staging opted in, four running backend pods, a pending one and other pods beside them
        namespace("staging", true);
        namespace("prod", true);
        List<String> backends = List.of("fastapi-backend-a", "fastapi-backend-b", "fastapi-backend-c",
                "fastapi-backend-d");
        backends.forEach(name -> pod("staging", name, "fastapi-backend", "Running"));
        pod("staging", "fastapi-backend-pending", "fastapi-backend", "Pending");
        pod("staging", "postgres-0", "postgres", "Running");
        pod("prod", "fastapi-backend-prod", "fastapi-backend", "Running");
        Set<String> before = allPods();
        apiRequests(); // the test's own
        RunStarted run = start("pod-termination-50.yaml");
        publishWhileRunning(run, "http_error_rate", 0.0); // the steady state holds

        // When
        kafka.publish(EventType.RUN_STARTED, run.runId().toString(), run, "/tumult/test");

        // Then: once the guardian's steady-state verdict is in (its 30 s window), exactly two of the four running
        // backend pods are deleted, each with a 5 s grace, and nothing else is changed
        awaitStatus(run, RunPhase.INJECTED, Duration.ofSeconds(100));
        Set<String> gone = before.stream().filter(p -> !allPods().contains(p)).collect(Collectors.toSet());
        assertThat(gone).hasSize(2).allSatisfy(p -> assertThat(backends).contains(p.substring("staging/".length())));
        List<RecordedRequest> changes = apiRequests().stream().filter(r -> !r.getMethod().equals("GET")).toList();
        assertThat(changes).hasSize(2).allSatisfy(r -> {
            assertThat(r.getMethod()).isEqualTo("DELETE");
            assertThat(r.getUtf8Body()).contains("\"gracePeriodSeconds\":5");
        });
        assertThat(changes.stream().map(r -> r.getPath().replaceFirst("\\?.*", "")
                .replaceFirst("^/api/v1/namespaces/([^/]+)/pods/", "$1/")))
                .containsExactlyInAnyOrderElementsOf(gone);

        // When: the HTTP error rate passes 1 %
        metrics.shutdownNow();
        ScheduledExecutorService failing = keepScheduler();
        failing.scheduleAtFixedRate(() -> sample(run, "http_error_rate", 0.5), 0, 200, TimeUnit.MILLISECONDS);

        // Then: the guardian stopped the run on that rule; no other pod was touched
        RunStatus aborted = awaitStatus(run, RunPhase.ABORTED, Duration.ofSeconds(30));
        assertThat(aborted.abortReason().kind()).isEqualTo(AbortKind.AUTO_ABORT);
        assertThat(aborted.abortReason().condition().metric()).isEqualTo("http_error_rate");
        assertThat(allPods()).containsExactlyInAnyOrderElementsOf(
                before.stream().filter(p -> !gone.contains(p)).toList());
        assertThat(apiRequests()).noneMatch(r -> !r.getMethod().equals("GET"));
    }

    @Test
    void shouldShowThroughTheSchedulersApiWhichPodsTheExampleWouldDeleteAndTouchNothing() throws Exception {
        // Given: the example stored in the scheduler, and four running backend pods beside another
        namespace("staging", true);
        List<String> backends = List.of("fastapi-backend-a", "fastapi-backend-b", "fastapi-backend-c",
                "fastapi-backend-d");
        backends.forEach(name -> pod("staging", name, "fastapi-backend", "Running"));
        pod("staging", "postgres-0", "postgres", "Running");
        Set<String> before = allPods();
        assertThat(loop.submit(example("pod-termination-50.yaml")).statusCode()).isEqualTo(201);
        apiRequests(); // the test's own

        // When: a person asks the scheduler for a dry run; an executor resolves it over the broker
        HttpResponse<String> answer = loop.post("/experiments/pod-termination-50/dry-run");

        // Then: two of the four backends (50 %), out of four candidates; nothing changed on the cluster
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode result = new ObjectMapper().readTree(answer.body());
        assertThat(result.get("refused").asBoolean()).isFalse();
        assertThat(result.get("candidates").asInt()).isEqualTo(4);
        List<String> targets = new ArrayList<>();
        result.get("targets").forEach(t -> targets.add(t.asText()));
        assertThat(targets).hasSize(2).allSatisfy(t -> assertThat(backends).anyMatch(t::endsWith));
        assertThat(allPods()).isEqualTo(before);
        assertThat(apiRequests()).isNotEmpty().allSatisfy(r -> assertThat(r.getMethod()).isEqualTo("GET"));
    }

    @Test
    void shouldKillTheCartserviceContainerUntilTheCartPageAnswers500() throws Exception {
        // Given: the cartservice pod's two containers as real processes, each in a cgroup named after its container
        // id; its server restarted by a supervisor standing in for the kubelet; the cart page answering 500 while no
        // server runs
        Containers containers = keep(Containers.create());
        String server = containers.add();
        String proxy = containers.add();
        Process supervisor = keep(containers.supervise(server));
        Process sidecar = keep(containers.run(proxy));
        long firstServer = await().atMost(Duration.ofSeconds(10)).until(() -> containers.processes(server),
                pids -> pids.size() == 1).get(0);
        namespace("shop", true);
        kube.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withName("cartservice-0")
                .withNamespace("shop").withLabels(Map.of("app", "cartservice")).endMetadata().withNewSpec()
                .withNodeName("local").addNewContainer().withName("server").withImage("shop/cartservice:1")
                .endContainer().addNewContainer().withName("proxy").withImage("proxy:2").endContainer().endSpec()
                .withNewStatus().withPhase("Running").addToContainerStatuses(containers.status("server", server))
                .addToContainerStatuses(containers.status("proxy", proxy)).endStatus().build()).create();
        CartPage page = keep(CartPage.start(containers, server));
        RunStarted run = start("cartservice-container-kill.yaml");
        keepScheduler().scheduleAtFixedRate(() -> sample(run, "http_status_5xx", page.answers500() ? 1 : 0), 0, 100,
                TimeUnit.MILLISECONDS);
        assertThat(page.answers500()).isFalse();

        // When
        kafka.publish(EventType.RUN_STARTED, run.runId().toString(), run, "/tumult/test");

        // Then: the server's process is killed, the cart page answers 500 and the guardian stops the run on that
        // rule; the server is restarted, and nothing else was killed
        await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(firstServer).isEmpty());
        RunStatus aborted = awaitStatus(run, RunPhase.ABORTED, Duration.ofSeconds(30));
        assertThat(aborted.abortReason().kind()).isEqualTo(AbortKind.AUTO_ABORT);
        assertThat(aborted.abortReason().condition().metric()).isEqualTo("http_status_5xx");
        assertThat(loop.events().first(EventType.RUN_STATUS, s -> s.runId().equals(run.runId())
                && s.phase() == RunPhase.INJECTED)).isPresent();
        await().atMost(Duration.ofSeconds(10)).until(() -> containers.processes(server),
                pids -> pids.size() == 1 && pids.get(0) != firstServer);
        assertThat(supervisor.isAlive()).isTrue();
        assertThat(sidecar.isAlive()).isTrue();
        assertThat(containers.processes(proxy)).containsExactly(sidecar.pid());
        assertThat(kube.pods().inNamespace("shop").withName("cartservice-0").get()).isNotNull();
    }

    /** An example experiment's document, as it is. */
    private static String example(String example) throws IOException {
        try (InputStream in = KubernetesExamplesIT.class.getResourceAsStream("/experiments/" + example)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A run-start for an example experiment, as it is: the mock cluster holds what it names. */
    private static RunStarted start(String example) throws IOException {
        Experiment experiment = TumultJson.decodeExperiment(example(example));
        return new RunStarted(UUID.randomUUID(), experiment.metadata().name(), Trigger.MANUAL, Instant.now(),
                experiment.spec());
    }

    private void publishWhileRunning(RunStarted run, String metric, double value) {
        metrics.scheduleAtFixedRate(() -> sample(run, metric, value), 0, 200, TimeUnit.MILLISECONDS);
    }

    private static void sample(RunStarted run, String metric, double value) {
        kafka.publishAsync(EventType.METRIC_SAMPLE, run.runId().toString(),
                new MetricSample(metric, value, Instant.now(), run.runId(), Map.of()), "/tumult/test");
    }

    private ScheduledExecutorService keepScheduler() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        keep(scheduler::shutdownNow);
        return scheduler;
    }

    private static RunStatus awaitStatus(RunStarted run, RunPhase phase, Duration atMost) {
        return await().atMost(atMost)
                .until(() -> loop.events().first(EventType.RUN_STATUS,
                        s -> s.runId().equals(run.runId()) && s.phase() == phase), Optional::isPresent)
                .orElseThrow();
    }

    /** A namespace on the mock, removed after the test with what is left in it. */
    private void namespace(String name, boolean optedIn) {
        kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .withLabels(optedIn ? Map.of("tumult.io/chaos", "enabled") : Map.of()).endMetadata().build())
                .create();
        keep(() -> {
            kube.pods().inNamespace(name).delete();
            kube.namespaces().withName(name).delete();
        });
    }

    private static Pod pod(String namespace, String name, String app, String phase) {
        return kube.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).withLabels(Map.of("app", app)).endMetadata().withNewSpec()
                .withNodeName("local").addNewContainer().withName("app").withImage("api/" + app + ":1").endContainer()
                .endSpec().withNewStatus().withPhase(phase).endStatus().build()).create();
    }

    /** Every pod on the mock, as {@code namespace/name}. */
    private static Set<String> allPods() {
        return kube.pods().inAnyNamespace().list().getItems().stream()
                .map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()).collect(Collectors.toSet());
    }

    /** The requests the mock received since the last call (the executor's, and this test's own reads). */
    private static List<RecordedRequest> apiRequests() {
        var requests = new ArrayList<RecordedRequest>();
        try {
            RecordedRequest request;
            while ((request = cluster.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
                requests.add(request);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return requests;
    }

    private <T extends AutoCloseable> T keep(T made) {
        created.push(made);
        return made;
    }

    private Process keep(Process process) {
        keep(() -> {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroyForcibly().waitFor(); // first, so that a supervisor starts nothing more
            children.forEach(ProcessHandle::destroyForcibly);
            children.forEach(c -> c.onExit().join());
        });
        return process;
    }

    /**
     * Containers as a runtime would leave them for the kubelet's cgroup lookup: each a cgroup (the v1 {@code pids}
     * hierarchy) named after its container id, under {@code /tumult-test-<pid>-containers}; removed with every process
     * left in them.
     */
    private record Containers(Path root) implements AutoCloseable {

        static Containers create() throws IOException {
            return new Containers(Files.createDirectories(
                    Path.of("/sys/fs/cgroup/pids/tumult-test-" + ProcessHandle.current().pid() + "-containers")));
        }

        /** A new container's id (64 hex digits, as containerd's), with its cgroup. */
        String add() throws IOException {
            byte[] bytes = new byte[32];
            ThreadLocalRandom.current().nextBytes(bytes);
            String id = HexFormat.of().formatHex(bytes);
            Files.createDirectory(root.resolve(id));
            return id;
        }

        io.fabric8.kubernetes.api.model.ContainerStatus status(String name, String id) {
            return new io.fabric8.kubernetes.api.model.ContainerStatusBuilder().withName(name)
                    .withContainerID("containerd://" + id).withNewState().withNewRunning()
                    .withStartedAt(Instant.now().toString()).endRunning().endState().withReady(true).build();
        }

        /** A process that enters the container's cgroup, then becomes its main process. */
        Process run(String id) throws IOException {
            return new ProcessBuilder("bash", "-c", enter(id)).start();
        }

        /**
         * The container's main process under a supervisor that starts it again a second after it dies (the kubelet
         * restarts a container after a back-off; 10 s at first, shortened here).
         */
        Process supervise(String id) throws IOException {
            return new ProcessBuilder("bash", "-c", "while :; do bash -c '" + enter(id) + "'; sleep 1; done").start();
        }

        private String enter(String id) {
            return "echo $$ > " + root.resolve(id).resolve("cgroup.procs") + " && exec sleep 1000";
        }

        /** The processes in the container's cgroup. */
        List<Long> processes(String id) throws IOException {
            return Files.readAllLines(root.resolve(id).resolve("cgroup.procs")).stream().filter(l -> !l.isBlank())
                    .map(Long::parseLong).toList();
        }

        @Override
        public void close() throws Exception {
            try (var dirs = Files.list(root)) {
                for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                    for (long pid : processes(dir.getFileName().toString())) {
                        ProcessHandle.of(pid).ifPresent(p -> {
                            p.destroyForcibly();
                            p.onExit().join();
                        });
                    }
                    Files.delete(dir); // rmdir of an empty cgroup
                }
            }
            Files.delete(root);
        }
    }

    /** The cart page: 500 while no process of the server container runs, else 200. */
    private record CartPage(HttpServer server, HttpClient http, URI uri) implements AutoCloseable {

        static CartPage start(Containers containers, String server) throws IOException {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/cart", exchange -> {
                int status = containers.processes(server).isEmpty() ? 500 : 200;
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            http.start();
            return new CartPage(http, HttpClient.newHttpClient(),
                    URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/cart"));
        }

        boolean answers500() {
            try {
                return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 500;
            } catch (IOException e) {
                return true; // a page that does not answer is no healthier
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
