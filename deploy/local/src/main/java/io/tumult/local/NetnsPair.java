package io.tumult.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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

    private final String victim;
    private final String peer;

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

    /** Deletes both namespaces (and with them the veth pair and any rule inside). */
    @Override
    public void close() {
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
