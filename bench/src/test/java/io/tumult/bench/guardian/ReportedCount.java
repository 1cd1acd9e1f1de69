package io.tumult.bench.guardian;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tumult.local.GuardedProcess;

/**
 * A count a bench's helper JVM prints on its output every 100 ms as {@code <name> <count>}, and how the bench reads
 * the last one from that JVM's log.
 */
final class ReportedCount {

    private ReportedCount() {
    }

    /** Prints {@code count} as {@code <name> <count>} every 100 ms, from a daemon thread, for this JVM's life. */
    static void printEvery100Ms(String name, AtomicLong count) {
        Thread reporter = new Thread(() -> {
            while (true) {
                LockSupport.parkNanos(100_000_000L);
                System.out.println(name + " " + count.get());
            }
        }, name + "-reporter");
        reporter.setDaemon(true);
        reporter.start();
    }

    /** The last {@code <name> <count>} in the process's log; 0 before its first report. */
    static long last(GuardedProcess process, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\d+)$").matcher(process.log());
        long count = 0;
        while (m.find()) {
            count = Long.parseLong(m.group(1));
        }
        return count;
    }
}
