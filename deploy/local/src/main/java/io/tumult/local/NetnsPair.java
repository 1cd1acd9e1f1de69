package io.tumult.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Two fresh network namespaces, a victim and a peer, joined by a veth pair created directly inside them: a small
 * test network whose traffic never touches the root namespace or a real interface. Names carry the creating JVM's
 * pid so that namespaces left by a crashed run are swept by the next one.
 */
public final class NetnsPair implements AutoCloseable {

    /** Prefix of every namespace this class creates. */
    public static final String PREFIX = "tumult-test-";
    /** RFC 2544 benchmarking range, inside the pair only. */
    private static final String PEER_ADDRESS = "198.18.0.1";
    private static final String VICTIM_ADDRESS = "198.18.0.2";
    private static final Pattern LOSS = Pattern.compile("([0-9.]+)% packet loss");
    private static final Pattern OURS = Pattern.compile("^" + PREFIX + "(\\d+)-\\d+-(victim|peer)$");
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private static final Pattern RTT = Pattern.compile("time=([0-9.]+) ms");
    private static final Pattern DUPLICATES = Pattern.compile("\\+(\\d+) duplicates");
    /** Listens on a TCP port, accepts in a loop, reads each connection to its end and prints its bytes and seconds. */
    private static final String SINK = """
            import socket, sys, time
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(16); print("ready", flush=True)
            while True:
                c, _ = s.accept(); c.settimeout(60); n = 0; start = None
                try:
                    while True:
                        b = c.recv(65536)
                        if not b: break
                        if start is None: start = time.monotonic()
                        n += len(b)
                except OSError:
                    pass
                print(n, (time.monotonic() - start) if start else 0.0, flush=True); c.close()
            """;
    /** Sends argv[3] bytes to a TCP port, or (argv[3] == 0) only connects; exits 0 when that succeeded in time. */
    private static final String SOURCE = """
            import socket, sys
            c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[4]))
            left = int(sys.argv[3]); chunk = b"x" * 65536
            while left > 0:
                n = c.send(chunk[:min(left, len(chunk))]); left -= n
            c.shutdown(socket.SHUT_WR); c.recv(1); c.close()
            """;
    /** Answers every DNS query for an A record with 192.0.2.1, over UDP. */
    private static final String DNS = """
            import socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], 53)); print("ready", flush=True)
            while True:
                q, a = s.recvfrom(512)
                end = q.index(b"\\0", 12) + 5
                s.sendto(q[:2] + b"\\x81\\x80" + q[4:6] + b"\\0\\1\\0\\0\\0\\0" + q[12:end]
                         + b"\\xc0\\x0c\\0\\1\\0\\1\\0\\0\\0\\x3c\\0\\4\\xc0\\0\\2\\1", a)
            """;
    /** Looks up argv[2]'s A record at server argv[1] over UDP; prints the address, exits 1 on an error or timeout. */
    private static final String LOOKUP = """
            import socket, struct, sys
            q = b"\\x12\\x34\\1\\0\\0\\1\\0\\0\\0\\0\\0\\0" + b"".join(
                bytes([len(p)]) + p.encode() for p in sys.argv[2].split(".")) + b"\\0\\0\\1\\0\\1"
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(float(sys.argv[3]))
            s.sendto(q, (sys.argv[1], 53)); r = s.recv(512)
            print(socket.inet_ntoa(r[-4:]))
            """;

    private final String victim;
    private final String peer;
    private final List<Process> servers = new java.util.concurrent.CopyOnWriteArrayList<>();

    private NetnsPair(String victim, String peer) {
        this.victim = victim;
        this.peer = peer;
    }

    /** Whether this machine lets us build the pair: root, and the ip, nft, ping and nsenter commands. */
    public static boolean available() {
        return unavailableBecause().isEmpty();
    }

    /** What this machine lacks to build the pair, or empty when it has everything. */
    public static Optional<String> unavailableBecause() {
        var lacking = new ArrayList<String>();
        String uid = ProcessRunner.run("id", "-u").stdout().strip();
        if (!"0".equals(uid)) {
            lacking.add("root (running as uid " + uid + ")");
        }
        List<String> missing = Stream.of("ip", "nft", "ping", "nsenter").filter(c -> !onPath(c)).toList();
        if (!missing.isEmpty()) {
            lacking.add("the commands " + String.join(", ", missing));
        }
        return lacking.isEmpty() ? Optional.empty() : Optional.of("needs " + String.join(" and ", lacking));
    }

    /**
     * A fresh pair for each test, closed after it (after its {@code @AfterEach} methods), also when it fails: a test
     * class with {@code @ExtendWith(NetnsPair.PerTest.class)} takes a {@code NetnsPair} parameter in its test or
     * {@code @BeforeEach} methods.
     */
    public static final class PerTest implements ParameterResolver {

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == NetnsPair.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getStore(ExtensionContext.Namespace.create(PerTest.class))
                    .computeIfAbsent("pair", key -> create(), NetnsPair.class);
        }
    }

    /** Creates the pair; the victim answers pings from the peer. */
    public static NetnsPair create() {
        sweepStale();
        String base = PREFIX + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        var pair = new NetnsPair(base + "-victim", base + "-peer");
        try {
            ProcessRunner.run("ip", "netns", "add", pair.victim).orThrow();
            ProcessRunner.run("ip", "netns", "add", pair.peer).orThrow();
            ProcessRunner.run("ip", "link", "add", "eth0", "netns", pair.victim, "type", "veth", "peer", "name", "eth0",
                    "netns", pair.peer).orThrow();
            for (String[] side : new String[][] { { pair.victim, VICTIM_ADDRESS }, { pair.peer, PEER_ADDRESS } }) {
                ProcessRunner.run("ip", "-n", side[0], "addr", "add", side[1] + "/30", "dev", "eth0").orThrow();
                ProcessRunner.run("ip", "-n", side[0], "link", "set", "eth0", "up").orThrow();
                ProcessRunner.run("ip", "-n", side[0], "link", "set", "lo", "up").orThrow();
            }
            return pair;
        } catch (RuntimeException e) {
            pair.close();
            throw e;
        }
    }

    public String victimName() {
        return victim;
    }

    public String peerName() {
        return peer;
    }

    public String victimAddress() {
        return VICTIM_ADDRESS;
    }

    public String peerAddress() {
        return PEER_ADDRESS;
    }

    /**
     * Sends {@code packets} pings (10 ms apart, at most 1 s wait for the last) from the peer to the victim and
     * returns the percentage lost.
     */
    public double lossPercent(int packets) {
        if (packets < 1 || packets > 1000) {
            throw new IllegalArgumentException("packets must be within 1..1000: " + packets);
        }
        var result = ProcessRunner.run("ip", "netns", "exec", peer, "ping", "-n", "-q", "-c",
                Integer.toString(packets), "-i", "0.01", "-W", "1", VICTIM_ADDRESS);
        Matcher m = LOSS.matcher(result.stdout());
        if (!m.find()) {
            throw new IllegalStateException("cannot read ping's loss: " + result.stdout() + result.stderr());
        }
        return Double.parseDouble(m.group(1));
    }

    /**
     * Sends {@code packets} pings (20 ms apart) from the victim to the peer and returns each reply's round-trip time in
     * milliseconds, in order (lost packets have none; a duplicate reply counts once more).
     */
    public List<Double> rttMillisFromVictim(int packets) {
        var result = pingFromVictim(packets);
        var rtts = new ArrayList<Double>();
        Matcher m = RTT.matcher(result);
        while (m.find()) {
            rtts.add(Double.parseDouble(m.group(1)));
        }
        return rtts;
    }

    /** The median of {@link #rttMillisFromVictim}, or infinity when every packet was lost. */
    public double medianRttMillisFromVictim(int packets) {
        List<Double> rtts = rttMillisFromVictim(packets).stream().sorted().toList();
        return rtts.isEmpty() ? Double.POSITIVE_INFINITY : rtts.get(rtts.size() / 2);
    }

    /** Sends {@code packets} pings (20 ms apart) from the victim to the peer and returns how many replies came twice. */
    public int duplicateRepliesFromVictim(int packets) {
        Matcher m = DUPLICATES.matcher(pingFromVictim(packets));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private String pingFromVictim(int packets) {
        if (packets < 1 || packets > 1000) {
            throw new IllegalArgumentException("packets must be within 1..1000: " + packets);
        }
        var result = ProcessRunner.run("ip", "netns", "exec", victim, "ping", "-n", "-c", Integer.toString(packets),
                "-i", "0.02", "-W", "2", PEER_ADDRESS);
        if (!result.stdout().contains("packets transmitted")) {
            throw new IllegalStateException("ping did not run: " + result.stdout() + result.stderr());
        }
        return result.stdout();
    }

    /**
     * Starts a TCP sink on the peer's {@code port} (python3): it reads every connection to its end. Stopped by
     * {@link #close()}.
     */
    public TcpSink startTcpSinkOnPeer(int port) {
        return new TcpSink(startServer(peer, SINK, PEER_ADDRESS, Integer.toString(port)));
    }

    /** Starts a TCP sink on the victim's {@code port}, as {@link #startTcpSinkOnPeer}. */
    public TcpSink startTcpSinkOnVictim(int port) {
        return new TcpSink(startServer(victim, SINK, VICTIM_ADDRESS, Integer.toString(port)));
    }

    /** Whether the victim can open a TCP connection to the peer's {@code port} within {@code timeoutSeconds}. */
    public boolean victimConnectsToPeer(int port, double timeoutSeconds) {
        return ProcessRunner.run("ip", "netns", "exec", victim, "timeout", Double.toString(timeoutSeconds + 2),
                "python3", "-c", SOURCE, PEER_ADDRESS, Integer.toString(port), "0", Double.toString(timeoutSeconds))
                .exitCode() == 0;
    }

    /**
     * Sends {@code bytes} over TCP from one side to the other's {@code sink} (bounded by {@code timeoutSeconds}) and
     * returns the throughput the receiver measured, in bits per second, from its first byte to the end.
     */
    public double throughputBitsPerSecond(boolean fromVictim, TcpSink sink, int port, int bytes, int timeoutSeconds) {
        String from = fromVictim ? victim : peer;
        String to = fromVictim ? PEER_ADDRESS : VICTIM_ADDRESS;
        ProcessRunner.run("ip", "netns", "exec", from, "timeout", Integer.toString(timeoutSeconds), "python3", "-c",
                SOURCE, to, Integer.toString(port), Integer.toString(bytes), Integer.toString(timeoutSeconds)).orThrow();
        String[] received = sink.nextResult(Duration.ofSeconds(timeoutSeconds)).split(" ");
        long n = Long.parseLong(received[0]);
        double seconds = Double.parseDouble(received[1]);
        if (n != bytes) {
            throw new IllegalStateException("the sink received " + n + " of " + bytes + " bytes");
        }
        return seconds <= 0 ? Double.POSITIVE_INFINITY : n * 8 / seconds;
    }

    /** Starts a DNS server on the peer (python3, UDP 53) that answers every A query with 192.0.2.1. */
    public void startDnsServerOnPeer() {
        startServer(peer, DNS, PEER_ADDRESS);
    }

    /** Whether the victim resolves {@code name} through the peer's DNS server within {@code timeoutSeconds}. */
    public boolean victimResolves(String name, double timeoutSeconds) {
        var result = ProcessRunner.run("ip", "netns", "exec", victim, "python3", "-c", LOOKUP, PEER_ADDRESS, name,
                Double.toString(timeoutSeconds));
        return result.exitCode() == 0 && result.stdout().strip().equals("192.0.2.1");
    }

    /** A TCP sink started by this pair; each finished connection leaves a line "bytes seconds". */
    public static final class TcpSink {
        private final java.io.BufferedReader lines;

        private TcpSink(Process process) {
            this.lines = process.inputReader();
        }

        String nextResult(Duration timeout) {
            var line = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return lines.readLine();
                } catch (java.io.IOException e) {
                    return null;
                }
            });
            try {
                String result = line.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                if (result == null) {
                    throw new IllegalStateException("the sink ended");
                }
                return result;
            } catch (Exception e) {
                throw new IllegalStateException("no result from the sink within " + timeout, e);
            }
        }
    }

    private Process startServer(String namespace, String script, String... args) {
        var command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "python3", "-u", "-c", script));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            servers.add(p);
            String ready = p.inputReader().readLine();
            if (!"ready".equals(ready)) {
                throw new IllegalStateException("server in " + namespace + " did not start: " + ready);
            }
            return p;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Stops the servers this pair started, deletes both namespaces (and with them the veth pair and any rule). */
    @Override
    public void close() {
        for (Process server : servers) {
            server.destroyForcibly();
            try {
                server.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ProcessRunner.run("ip", "netns", "delete", victim);
        ProcessRunner.run("ip", "netns", "delete", peer);
    }

    /** Whether a namespace of this name exists. */
    public static boolean exists(String name) {
        return Files.exists(Path.of("/run/netns", name));
    }

    private static void sweepStale() {
        for (String line : ProcessRunner.run("ip", "netns", "list").stdout().split("\n")) {
            String name = line.split(" ")[0];
            Matcher m = OURS.matcher(name);
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                ProcessRunner.run("ip", "netns", "delete", name);
            }
        }
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
