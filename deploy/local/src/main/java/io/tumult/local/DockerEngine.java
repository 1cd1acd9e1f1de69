package io.tumult.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether a Docker engine answers, decided without Testcontainers (so that without Docker nothing of it is loaded or
 * tries to connect): from {@code DOCKER_HOST} ({@code unix://} or {@code tcp://}) or, when it is unset, the default
 * socket's existence, then one {@code GET /_ping} with a short timeout.
 */
public final class DockerEngine {

    /** Where the engine listens when {@code DOCKER_HOST} is unset. */
    public static final Path DEFAULT_SOCKET = Path.of("/var/run/docker.sock");
    static final Duration PING_TIMEOUT = Duration.ofSeconds(2);

    /** The verdict, and why, in words for the log. */
    public record Answer(boolean answers, String why) {
    }

    private DockerEngine() {
    }

    /** Asks the engine {@code env}'s DOCKER_HOST names, or the one at {@code defaultSocket}. */
    public static Answer probe(Map<String, String> env, Path defaultSocket) {
        String host = env.get("DOCKER_HOST");
        if (host == null || host.isBlank()) {
            if (!Files.exists(defaultSocket)) {
                return new Answer(false, "DOCKER_HOST is unset and " + defaultSocket + " does not exist");
            }
            return ping(() -> unixSocket(defaultSocket), defaultSocket.toString());
        }
        URI uri;
        try {
            uri = URI.create(host);
        } catch (IllegalArgumentException e) {
            return new Answer(false, "DOCKER_HOST=" + host + " is not an address: " + e.getMessage());
        }
        if ("unix".equals(uri.getScheme())) {
            Path socket = Path.of(uri.getPath());
            if (!Files.exists(socket)) {
                return new Answer(false, "DOCKER_HOST=" + host + ", but " + socket + " does not exist");
            }
            return ping(() -> unixSocket(socket), host);
        }
        if ("tcp".equals(uri.getScheme()) && uri.getHost() != null && uri.getPort() > 0) {
            if ("1".equals(env.get("DOCKER_TLS_VERIFY"))) {
                return new Answer(false, "DOCKER_HOST=" + host + " needs TLS, which this check does not speak; set "
                        + KafkaBrokers.MODE_PROPERTY + "=container to use it");
            }
            return ping(() -> tcpSocket(uri.getHost(), uri.getPort()), host);
        }
        return new Answer(false, "DOCKER_HOST=" + host + " is neither unix:// nor tcp://host:port");
    }

    private interface Connection {
        ByteChannelStreams open() throws IOException;
    }

    private record ByteChannelStreams(AutoCloseable closer, OutputStream out, InputStream in) {
    }

    private static Answer ping(Connection connection, String where) {
        ByteChannelStreams streams;
        try {
            streams = connection.open();
        } catch (IOException e) {
            return new Answer(false, "the Docker engine at " + where + " does not answer: " + e.getMessage());
        }
        // closing the connection (at the end, or on timeout) unblocks a reader stuck on a silent peer
        try (AutoCloseable closing = streams.closer()) {
            var reply = CompletableFuture.supplyAsync(() -> {
                try {
                    streams.out().write("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    streams.out().flush();
                    return new String(streams.in().readNBytes(64), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String status = reply.get(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (status.startsWith("HTTP/") && status.contains(" 200 ")) {
                return new Answer(true, "a Docker engine answers at " + where);
            }
            String line = status.lines().findFirst().orElse("nothing");
            return new Answer(false, "the Docker engine at " + where + " answered " + line + " to a ping");
        } catch (TimeoutException e) {
            return new Answer(false, "no answer from the Docker engine at " + where + " within " + PING_TIMEOUT.toMillis()
                    + " ms");
        } catch (ExecutionException e) {
            return new Answer(false, "the Docker engine at " + where + " does not answer: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(false, "interrupted while asking the Docker engine at " + where);
        } catch (Exception e) { // closing
            return new Answer(false, "the Docker engine at " + where + " does not answer: " + e.getMessage());
        }
    }

    private static ByteChannelStreams unixSocket(Path path) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new ByteChannelStreams(channel, Channels.newOutputStream(channel), Channels.newInputStream(channel));
    }

    private static ByteChannelStreams tcpSocket(String host, int port) throws IOException {
        var socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) PING_TIMEOUT.toMillis());
            socket.setSoTimeout((int) PING_TIMEOUT.toMillis());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new ByteChannelStreams(socket, socket.getOutputStream(), socket.getInputStream());
    }

}
