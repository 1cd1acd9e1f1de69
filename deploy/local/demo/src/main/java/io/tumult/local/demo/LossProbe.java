package io.tumult.local.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.tumult.local.EventClient;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.MetricSample;

/**
 * A probe in the peer namespace that pings the victim every 50 ms and publishes the share of recent pings
 * that went unanswered as the metric {@value #METRIC}, every 200 ms: how an application would see the fault.
 */
final class LossProbe implements AutoCloseable {

    static final String METRIC = "victim_packet_loss_ratio";
    private static final int RECENT = 8;
    private static final Pattern REPLY = Pattern.compile("icmp_seq=\\d+ .*time=");
    private static final Pattern NO_ANSWER = Pattern.compile("^no answer yet for icmp_seq=");

    private final Process ping;
    private final Deque<Boolean> recent = new ArrayDeque<>();
    private final ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(r -> {
        var t = new Thread(r, "loss-probe");
        t.setDaemon(true);
        return t;
    });
    private final Thread reader;
    private final Deque<Observation> history = new ArrayDeque<>();

    /** One published measurement. */
    record Observation(Instant at, double lossRatio) {
    }

    LossProbe(String peerNamespace, String victimAddress, EventClient kafka, String target) throws IOException {
        // -O reports a ping unanswered by the time the next one is sent; -w bounds the probe to one hour
        ping = new ProcessBuilder("ip", "netns", "exec", peerNamespace, "ping", "-n", "-O", "-i", "0.05", "-W", "1",
                "-w", "3600", victimAddress).redirectErrorStream(true).start();
        reader = new Thread(this::read, "loss-probe-reader");
        reader.setDaemon(true);
        reader.start();
        publisher.scheduleAtFixedRate(() -> {
            Double ratio = lossRatio();
            if (ratio != null) {
                Instant now = Instant.now();
                remember(new Observation(now, ratio));
                kafka.publishAsync(EventType.METRIC_SAMPLE, METRIC, new MetricSample(METRIC, ratio, now, null,
                        Map.of("target", target)), "/tumult/local-loop/probe");
            }
        }, 200, 200, TimeUnit.MILLISECONDS);
    }

    private void read() {
        try (var in = new BufferedReader(new InputStreamReader(ping.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (REPLY.matcher(line).find()) {
                    record(true);
                } else if (NO_ANSWER.matcher(line).find()) {
                    record(false);
                }
            }
        } catch (IOException ignored) {
            // the probe was closed
        }
    }

    private synchronized void record(boolean answered) {
        recent.addLast(answered);
        if (recent.size() > RECENT) {
            recent.removeFirst();
        }
    }

    private synchronized void remember(Observation o) {
        history.addLast(o);
        if (history.size() > 10_000) {
            history.removeFirst();
        }
    }

    /** The measurements published so far (the newest 10,000), oldest first. */
    synchronized List<Observation> history() {
        return List.copyOf(history);
    }

    /** Share of the recent pings left unanswered; null before the first ping. */
    synchronized Double lossRatio() {
        if (recent.isEmpty()) {
            return null;
        }
        long lost = recent.stream().filter(answered -> !answered).count();
        return (double) lost / recent.size();
    }

    @Override
    public void close() {
        publisher.shutdownNow();
        ping.destroy();
        try {
            ping.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ping.destroyForcibly();
    }
}
