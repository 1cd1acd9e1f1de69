package io.tumult.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.tumult.schemas.v1.Topics;

class LocalStackTest {

    @Test
    void shouldServeKafkaAndPostgresAndLeaveNothingRunningAfterClose() throws Exception {
        // Given
        List<ProcessHandle> brokerProcesses;
        String bootstrap;
        Map<String, String> config;

        // When
        try (var stack = LocalStack.start(true)) {
            config = stack.config();
            bootstrap = config.get("kafka.bootstrap.servers");
            brokerProcesses = stack.kafka().processes();

            // Then: a record goes through the real broker
            assertThat(roundTrip(bootstrap)).isEqualTo("hello");
            // Then: the topics exist with their cleanup policies
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
                        .containsAll(LocalKafka.TOPICS.stream().map(t -> t.name()).toList());
                var abort = new ConfigResource(ConfigResource.Type.TOPIC, Topics.RUN_ABORT);
                ConfigEntry policy = admin.describeConfigs(List.of(abort)).all().get(10, TimeUnit.SECONDS).get(abort)
                        .get("cleanup.policy");
                assertThat(policy.value()).isEqualTo("compact,delete");
            }
            // Then: PostgreSQL answers SQL in the tumult database
            try (var c = DriverManager.getConnection(config.get("quarkus.datasource.jdbc.url"),
                    config.get("quarkus.datasource.username"), config.get("quarkus.datasource.password"));
                    var rs = c.createStatement().executeQuery("select current_database()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("tumult");
            }
        }

        // Then: after close the broker is gone and its port closed
        assertThat(brokerProcesses).isNotEmpty().noneMatch(ProcessHandle::isAlive);
        String[] hostPort = bootstrap.split(":");
        assertThat(canConnect(hostPort[0], Integer.parseInt(hostPort[1]))).isFalse();
        String[] pg = config.get("quarkus.datasource.reactive.url").replace("postgresql://", "").split("[:/]");
        assertThat(canConnect(pg[0], Integer.parseInt(pg[1]))).isFalse();
    }

    @Test
    void shouldSweepTheDirectoryOfABrokerWhoseJvmDiedAndRemoveItsOwnOnClose() throws Exception {
        // Given: a broker directory left by a JVM that no longer runs (as after kill -9)
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path stale = Files.createDirectories(tmp.resolve("tumult-kafka-" + gone.pid() + "-left-behind/data"));
        Files.writeString(stale.resolve("meta.properties"), "node.id=1\n");

        try {
            // When
            try (var kafka = LocalKafka.start()) {
                // Then
                assertThat(stale.getParent()).doesNotExist();
                assertThat(ownBrokerDirectories(tmp)).hasSize(1);
            }
            assertThat(ownBrokerDirectories(tmp)).isEmpty();
        } finally {
            try (var files = Files.walk(stale.getParent())) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (NoSuchFileException swept) {
                // the expected case
            }
        }
    }

    private static List<Path> ownBrokerDirectories(Path tmp) throws Exception {
        try (var dirs = Files.list(tmp)) {
            return dirs.filter(d -> d.getFileName().toString()
                    .startsWith("tumult-kafka-" + ProcessHandle.current().pid() + "-")).toList();
        }
    }

    private static String roundTrip(String bootstrap) throws Exception {
        var p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.RUN_START, "k", "hello")).get(10, TimeUnit.SECONDS);
        }
        var c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "local-stack-test");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.RUN_START));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    return r.value();
                }
            }
        }
        return null;
    }

    private static boolean canConnect(String host, int port) {
        try (var s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
