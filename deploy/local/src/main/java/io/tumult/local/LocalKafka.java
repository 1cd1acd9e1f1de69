package io.tumult.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

import io.tumult.schemas.v1.Topics;

/**
 * A real Apache Kafka 4.4 broker (KRaft, broker and controller in one) in its own JVM, listening only on 127.0.0.1
 * free ports, with Tumult's topics created. Its jars come from the {@code tumult-local-kafka-runtime} artifact.
 */
public final class LocalKafka implements KafkaBroker {

    /** Ready in 3-4 s on an idle machine; a 2-core machine running several test JVMs needed more than 60 s once. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final int START_ATTEMPTS = 3;
    /** The broker JVM's heap, GC and JIT options; {@value #JVM_OPTIONS_PROPERTY} replaces them (benchmarks). */
    public static final String JVM_OPTIONS_PROPERTY = "tumult.local.kafka.jvm-options";
    private static final String DEFAULT_JVM_OPTIONS = "-Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";
    private static final String DIR_PREFIX = "tumult-kafka-";
    /** A broker directory is named after the JVM that owns it. */
    private static final Pattern STALE_DIR = Pattern.compile(DIR_PREFIX + "(\\d+)-.*");

    /** Tumult's topics with their partitions and configs; retention as documented in the README. */
    public static final List<NewTopic> TOPICS = List.of(
            new NewTopic(Topics.RUN_START, 3, (short) 1),
            new NewTopic(Topics.RUN_ABORT, 3, (short) 1).configs(Map.of("cleanup.policy", "compact,delete")),
            new NewTopic(Topics.RUN_STATUS, 3, (short) 1),
            new NewTopic(Topics.RUN_CLAIMS, 3, (short) 1),
            new NewTopic(Topics.RUN_VERDICTS, 3, (short) 1),
            new NewTopic(Topics.METRICS, 3, (short) 1).configs(Map.of("retention.ms", "3600000")),
            new NewTopic(Topics.GUARDIAN_HEARTBEAT, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
            new NewTopic(Topics.DRY_RUN_REQUESTS, 1, (short) 1).configs(Map.of("retention.ms", "3600000")),
            new NewTopic(Topics.DRY_RUN_RESULTS, 1, (short) 1).configs(Map.of("retention.ms", "3600000")),
            new NewTopic(Topics.SCHEDULER_STARTS, 1, (short) 1).configs(Map.of("retention.ms", "604800000")),
            new NewTopic(Topics.DEAD_LETTER, 1, (short) 1));

    /**
     * The broker's log on its standard output (kept in {@code broker.log}, whose tail a failed start reports): its
     * start-up and its warnings, without the dumps of every config and every partition's state changes.
     */
    private static final String LOG_CONFIG = String.join("\n",
            "appender.out.type=Console",
            "appender.out.name=out",
            "appender.out.layout.type=PatternLayout",
            "appender.out.layout.pattern=%d{HH:mm:ss.SSS} %-5p [%c{1}] %m%n",
            "rootLogger.level=info",
            "rootLogger.appenderRef.out.ref=out",
            "logger.config.name=org.apache.kafka.common.config.AbstractConfig",
            "logger.config.level=warn",
            "logger.state.name=state.change.logger",
            "logger.state.level=warn",
            "") + "\n";

    private final Path dir;
    private final GuardedProcess broker;
    private final String bootstrapServers;

    private LocalKafka(Path dir, GuardedProcess broker, String bootstrapServers) {
        this.dir = dir;
        this.broker = broker;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Formats storage, starts the broker, waits until it serves requests and creates the topics. A broker that exits
     * during start-up is started again on other ports, twice at most: its ports were free when picked, but another
     * process may take one before the broker binds it.
     */
    public static LocalKafka start() throws IOException, InterruptedException {
        sweepStaleDirectories();
        for (int attempt = 1;; attempt++) {
            try {
                return startOnce();
            } catch (BrokerExited e) {
                if (attempt == START_ATTEMPTS) {
                    throw e;
                }
                System.err.println(e.getMessage() + "\nstarting it again on other ports");
            }
        }
    }

    private static LocalKafka startOnce() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(DIR_PREFIX + ProcessHandle.current().pid() + "-");
        int port = FreePort.pick();
        int controllerPort = FreePort.pick();
        Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=3",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "") + "\n");

        Path log = dir.resolve("broker.log");
        Path logConfig = dir.resolve("log4j2.properties");
        Files.writeString(logConfig, LOG_CONFIG);
        var java = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        java.addAll(List.of(System.getProperty(JVM_OPTIONS_PROPERTY, DEFAULT_JVM_OPTIONS).strip().split("\\s+")));
        java.addAll(List.of("-Dlog4j2.configurationFile=" + logConfig, "-cp", brokerClasspath()));
        var format = new java.util.ArrayList<>(java);
        format.addAll(List.of("kafka.tools.StorageTool", "format", "--ignore-formatted", "--cluster-id=" + clusterId(), "-c",
                config.toString()));
        ProcessRunner.run(format.toArray(String[]::new)).orThrow();

        var serve = new java.util.ArrayList<>(java);
        serve.addAll(List.of("kafka.Kafka", config.toString()));
        GuardedProcess broker = GuardedProcess.start("kafka broker", serve, log, Duration.ofSeconds(15));
        var kafka = new LocalKafka(dir, broker, "127.0.0.1:" + port);
        try {
            kafka.awaitReadyAndCreateTopics();
            return kafka;
        } catch (IOException | InterruptedException | RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The broker's guard and JVM, for tests that check nothing is left running. */
    @Override
    public List<ProcessHandle> processes() {
        return broker.processes();
    }

    private void awaitReadyAndCreateTopics() throws IOException, InterruptedException {
        var props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                if (!broker.isAlive()) {
                    throw new BrokerExited("Kafka broker exited during start-up (status " + broker.exitValue()
                            + "):\n" + diagnosis());
                }
                try {
                    admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                    break;
                } catch (ExecutionException | TimeoutException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka broker not ready within " + READY_TIMEOUT + ":\n"
                                + diagnosis());
                    }
                }
            }
            createTopics(admin);
        }
    }

    /** Creates {@link #TOPICS} on the broker at {@code bootstrapServers} (any broker: a container's too). */
    static void createTopics(String bootstrapServers) throws InterruptedException {
        var props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            createTopics(admin);
        }
    }

    /**
     * Has the broker at {@code bootstrapServers} stamp each record of {@code topic} with the moment it appended it
     * ({@code LogAppendTime}), for trials that time a publish to when it was on the topic, on this machine's clock.
     */
    public static void stampAppendTime(String bootstrapServers, String topic)
            throws InterruptedException, ExecutionException {
        var props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
                    List.of(new AlterConfigOp(new ConfigEntry("message.timestamp.type", "LogAppendTime"),
                            AlterConfigOp.OpType.SET))))
                    .all().get();
        }
    }

    private static void createTopics(Admin admin) throws InterruptedException {
        try {
            admin.createTopics(TOPICS).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create Tumult's topics: " + e.getCause().getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("creating Tumult's topics timed out", e);
        }
    }

    private static String brokerClasspath() throws IOException {
        try (InputStream in = LocalKafka.class.getResourceAsStream("/io/tumult/local/kafka-runtime.classpath")) {
            if (in == null) {
                throw new IllegalStateException("kafka-runtime.classpath is missing: build deploy/local/kafka-runtime");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    /**
     * A KRaft cluster id: 16 random bytes, base64url without padding, as {@code kafka-storage random-uuid}. Like Kafka's
     * own {@code Uuid.randomUuid()}, never one starting with '-', which the storage tool would read as an option.
     */
    private static String clusterId() {
        while (true) {
            UUID uuid = UUID.randomUUID();
            var bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                    .putLong(uuid.getLeastSignificantBits()).array();
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    /** The broker's errors (a failed start logs its cause first, then pages of shutdown) and the end of its log. */
    private String diagnosis() {
        String errors = broker.log().lines().filter(l -> l.contains(" ERROR ") || l.contains(" FATAL ")).limit(10)
                .collect(Collectors.joining("\n"));
        return (errors.isEmpty() ? "" : errors + "\n...\n") + broker.logTail(20);
    }

    private static final class BrokerExited extends IllegalStateException {
        BrokerExited(String message) {
            super(message);
        }
    }

    /** Stops the broker and deletes its data. */
    @Override
    public void close() {
        broker.close();
        LocalFiles.deleteTree(dir);
    }

    /** Removes the directories of brokers whose owning JVM died without closing them (kill -9). */
    private static void sweepStaleDirectories() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (var dirs = Files.list(tmp)) {
            dirs.forEach(d -> {
                Matcher m = STALE_DIR.matcher(d.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    LocalFiles.deleteTree(d);
                }
            });
        }
    }
}
