package io.tumult.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.tumult.local.NetnsPair;

/**
 * The UDP echo in the victim and the prober in the peer ({@code udp_probe.py}), each a bounded child process: the
 * prober sends every millisecond and prints {@code DOWN <epoch ms>} at the first datagram the victim never answered
 * and {@code UP <epoch ms>} at the first answered again, so a fault and its revert are timed on the victim.
 */
final class VictimProbe implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int PORT = 7;
    private static final int SECONDS = 1800;
    private static final Duration SETTLE = Duration.ofMillis(300);
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private VictimProbe(Process process, boolean reads) {
        this.process = process;
        if (reads) {
            Thread reader = new Thread(() -> {
                try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String l = in.readLine(); l != null; l = in.readLine()) {
                        lines.add(l);
                    }
                } catch (IOException ignored) {
                    // the probe ended
                }
            }, "udp-probe-reader");
            reader.setDaemon(true);
            reader.start();
        }
    }

    static VictimProbe echo(NetnsPair pair) throws IOException {
        return new VictimProbe(python(pair.victimName(), "echo", pair.victimAddress()), false);
    }

    static VictimProbe start(NetnsPair pair) throws IOException, InterruptedException {
        var probe = new VictimProbe(python(pair.peerName(), "probe", pair.victimAddress()), true);
        probe.next(WAIT); // READY
        return probe;
    }

    private static Process python(String namespace, String mode, String address) throws IOException {
        Path script = Files.createTempFile("udp_probe", ".py");
        try (InputStream in = VictimProbe.class.getResourceAsStream("/udp_probe.py")) {
            Files.write(script, in.readAllBytes());
        }
        script.toFile().deleteOnExit();
        return new ProcessBuilder("ip", "netns", "exec", namespace, "python3", "-u", script.toString(), mode,
                address, Integer.toString(PORT), Integer.toString(SECONDS))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Waits for the victim to answer: no DOWN pending, or an UP after the last DOWN. */
    void awaitAnswering() throws InterruptedException {
        String last = null;
        for (String l = lines.poll(); l != null; l = lines.poll()) {
            last = l;
        }
        if (last != null && last.startsWith("DOWN")) {
            next(WAIT); // the UP that follows
        }
    }

    /**
     * The time (epoch ms) of the first {@code kind} line dated at or after {@code notBefore}. An UP is always real
     * (nothing is answered through a 100 % loss fault); a DOWN followed by an UP within {@link #SETTLE} is a
     * probe that stalled under load, not the fault, and is skipped.
     */
    double await(String kind, double notBefore) throws InterruptedException {
        while (true) {
            String[] parts = next(WAIT).split(" ");
            if (!parts[0].equals(kind) || Double.parseDouble(parts[1]) < notBefore) {
                continue;
            }
            if (kind.equals("DOWN")) {
                String after = lines.poll(SETTLE.toMillis(), TimeUnit.MILLISECONDS);
                if (after != null) {
                    continue; // the UP of a stall
                }
            }
            return Double.parseDouble(parts[1]);
        }
    }

    private String next(Duration timeout) throws InterruptedException {
        String l = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (l == null) {
            throw new AssertionError("the probe saw no change on the victim within " + timeout
                    + (process.isAlive() ? "" : " (the probe ended)"));
        }
        return l;
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
