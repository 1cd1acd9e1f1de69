package io.tumult.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tumult.local.KafkaBrokers.Choice;
import io.tumult.local.KafkaBrokers.Kind;

/**
 * Which Kafka the local stack starts, against real sockets standing in for a Docker engine (one that answers its
 * ping, one that is gone, one that stays silent). The container path itself needs a Docker engine, which this machine
 * does not have: only the decision is tested here.
 */
class KafkaBrokersTest {

    private static final String PONG = "HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nContent-Length: 2\r\n\r\nOK";

    @TempDir
    Path dir;

    private final List<AutoCloseable> servers = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopServers() throws Exception {
        for (AutoCloseable s : servers) {
            s.close();
        }
    }

    @Test
    void shouldChooseTheLocalBrokerWhenNoDockerHostIsSetAndThereIsNoSocket() {
        // When
        Choice choice = KafkaBrokers.choose("auto", Map.of(), dir.resolve("docker.sock"));

        // Then
        assertThat(choice.kind()).isEqualTo(Kind.PROCESS);
        assertThat(choice.why()).isEqualTo("no Docker engine (DOCKER_HOST is unset and " + dir.resolve("docker.sock")
                + " does not exist)");
    }

    @Test
    void shouldChooseAContainerWhenTheEngineAtTheDefaultSocketAnswersItsPing() throws IOException {
        // Given
        Path socket = unixEngine(PONG);

        // When
        Choice choice = KafkaBrokers.choose("auto", Map.of(), socket);

        // Then
        assertThat(choice).isEqualTo(new Choice(Kind.CONTAINER, "a Docker engine answers at " + socket));
        assertThat(requests).singleElement().asString().startsWith("GET /_ping HTTP/1.0");
    }

    @Test
    void shouldFollowDockerHostToAUnixSocket() throws IOException {
        // Given
        Path socket = unixEngine(PONG);

        // When
        Choice choice = KafkaBrokers.choose("auto", Map.of("DOCKER_HOST", "unix://" + socket), dir.resolve("none"));

        // Then
        assertThat(choice.kind()).isEqualTo(Kind.CONTAINER);
    }

    @Test
    void shouldFollowDockerHostToATcpEngine() throws IOException {
        // Given
        int port = tcpEngine(PONG);

        // When
        Choice choice = KafkaBrokers.choose("auto", Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + port),
                dir.resolve("none"));

        // Then
        assertThat(choice).isEqualTo(new Choice(Kind.CONTAINER, "a Docker engine answers at tcp://127.0.0.1:" + port));
    }

    @Test
    void shouldChooseTheLocalBrokerWhenTheSocketIsLeftByAnEngineThatIsGone() throws IOException {
        // Given: bound, then closed: the file stays, nothing listens
        Path socket = dir.resolve("stale.sock");
        try (var channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.bind(UnixDomainSocketAddress.of(socket));
        }

        // When
        Choice choice = KafkaBrokers.choose("auto", Map.of(), socket);

        // Then
        assertThat(Files.exists(socket)).isTrue();
        assertThat(choice.kind()).isEqualTo(Kind.PROCESS);
        assertThat(choice.why()).startsWith("no Docker engine (the Docker engine at " + socket + " does not answer");
    }

    @Test
    void shouldChooseTheLocalBrokerWhenTheEngineStaysSilent() throws IOException {
        // Given
        Path socket = unixEngine(null);

        // When
        Choice choice = KafkaBrokers.choose("auto", Map.of(), socket);

        // Then
        assertThat(choice.kind()).isEqualTo(Kind.PROCESS);
        assertThat(choice.why()).isEqualTo("no Docker engine (no answer from the Docker engine at " + socket
                + " within 2000 ms)");
    }

    @Test
    void shouldChooseTheLocalBrokerWhenTheEngineAnswersSomethingElse() throws IOException {
        // Given
        int port = tcpEngine("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");

        // When
        Choice choice = KafkaBrokers.choose("auto", Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + port),
                dir.resolve("none"));

        // Then
        assertThat(choice.kind()).isEqualTo(Kind.PROCESS);
        assertThat(choice.why()).contains("answered HTTP/1.1 500 Internal Server Error to a ping");
    }

    @Test
    void shouldNotProbeATlsEngineButSayHowToUseIt() {
        // When
        Choice choice = KafkaBrokers.choose("auto", Map.of("DOCKER_HOST", "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY",
                "1"), dir.resolve("none"));

        // Then
        assertThat(choice.kind()).isEqualTo(Kind.PROCESS);
        assertThat(choice.why()).contains("needs TLS").contains("tumult.local.kafka=container");
    }

    @Test
    void shouldTakeAnExplicitModeWithoutAskingTheEngine() throws IOException {
        // Given
        Path socket = unixEngine(PONG);

        // When
        Choice process = KafkaBrokers.choose("process", Map.of(), socket);
        Choice container = KafkaBrokers.choose("container", Map.of(), dir.resolve("none"));

        // Then
        assertThat(process).isEqualTo(new Choice(Kind.PROCESS, "tumult.local.kafka=process"));
        assertThat(container).isEqualTo(new Choice(Kind.CONTAINER, "tumult.local.kafka=container"));
        assertThat(requests).isEmpty();
    }

    @Test
    void shouldRefuseAnUnknownModeNamingIt() {
        // When / Then
        assertThatThrownBy(() -> KafkaBrokers.choose("docker", Map.of(), dir.resolve("none")))
                .hasMessage("tumult.local.kafka must be auto, process or container, not docker");
    }

    @Test
    void shouldReadTheModeFromThePropertyThenTheEnvironment() {
        // When / Then
        assertThat(KafkaBrokers.mode(null, null)).isEqualTo("auto");
        assertThat(KafkaBrokers.mode(null, "Process")).isEqualTo("process");
        assertThat(KafkaBrokers.mode("container", "process")).isEqualTo("container");
    }

    @Test
    void shouldDecideWithoutLoadingTestcontainers() throws Exception {
        // Given: a JVM that prints the decision for this machine and every class it loads
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = dir.resolve("out.txt");
        Process jvm = new ProcessBuilder(java.toString(), "-verbose:class", "-cp", System.getProperty("java.class.path"),
                KafkaBrokers.class.getName()).redirectErrorStream(true).redirectOutput(out.toFile()).start();

        // When
        assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // Then
        List<String> lines = Files.readAllLines(out);
        assertThat(jvm.exitValue()).as(String.join("\n", lines)).isZero();
        assertThat(lines).contains(KafkaBrokers.choose("auto", System.getenv(), DockerEngine.DEFAULT_SOCKET).toString());
        assertThat(lines).as("classes loaded").noneMatch(l -> l.contains("org.testcontainers"))
                .anyMatch(l -> l.contains(KafkaBrokers.class.getName()));
    }

    /** A Unix socket answering each connection with {@code reply}, or never when null. */
    private Path unixEngine(String reply) throws IOException {
        Path socket = dir.resolve("docker-" + servers.size() + ".sock");
        var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        servers.add(server);
        daemon(() -> {
            try {
                while (true) {
                    SocketChannel client = server.accept();
                    servers.add(client);
                    var request = ByteBuffer.allocate(256);
                    client.read(request);
                    requests.add(new String(request.array(), 0, request.position(), StandardCharsets.US_ASCII));
                    if (reply != null) {
                        client.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.US_ASCII)));
                        client.close();
                    }
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        return socket;
    }

    private static void daemon(Runnable body) {
        var thread = new Thread(body, "fake-docker-engine");
        thread.setDaemon(true);
        thread.start();
    }

    /** A TCP port on 127.0.0.1 answering each connection with {@code reply}. */
    private int tcpEngine(String reply) throws IOException {
        var server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        servers.add(server);
        daemon(() -> {
            try {
                while (true) {
                    try (Socket client = server.accept()) {
                        byte[] request = new byte[256];
                        int n = client.getInputStream().read(request);
                        requests.add(new String(request, 0, Math.max(n, 0), StandardCharsets.US_ASCII));
                        client.getOutputStream().write(reply.getBytes(StandardCharsets.US_ASCII));
                    }
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        return server.getLocalPort();
    }
}
