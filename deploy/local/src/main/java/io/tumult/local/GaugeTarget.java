package io.tumult.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;

/**
 * A scrape target on 127.0.0.1 serving values the test sets, in Prometheus' text exposition format at
 * {@code /metrics}. Counts its scrapes, so a test can wait until Prometheus has seen a value.
 */
public final class GaugeTarget implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, Double> gauges = new ConcurrentHashMap<>();
    private final AtomicLong scrapes = new AtomicLong();

    private GaugeTarget(HttpServer server) {
        this.server = server;
    }

    public static GaugeTarget start() throws IOException {
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        var target = new GaugeTarget(server);
        server.createContext("/metrics", exchange -> {
            var text = new StringBuilder();
            // untyped samples: one line per series, however many share a name
            target.gauges.forEach((series, value) -> text.append(series).append(' ').append(value).append('\n'));
            byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
            target.scrapes.incrementAndGet();
        });
        server.start();
        return target;
    }

    /** {@code host:port}, as a Prometheus static target. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Sets a series, a name with optional labels ({@code up} or {@code up{run="1"}}); the next scrape sees it. */
    public void set(String series, double value) {
        gauges.put(series, value);
    }

    /** Scrapes served so far. */
    public long scrapes() {
        return scrapes.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
