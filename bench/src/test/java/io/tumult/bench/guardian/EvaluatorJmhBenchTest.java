package io.tumult.bench.guardian;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link EvaluatorBenchmark} with JMH: one fork, 3 warm-up and 5 measured iterations of {@code -DjmhSeconds}
 * each (1 s in verify, 5 s with {@code -Pbench}). Writes {@code bench/target/guardian-jmh.txt}.
 */
class EvaluatorJmhBenchTest {

    @Test
    void shouldMeasureTheEvaluatorAlone() throws Exception {
        int seconds = Integer.getInteger("jmhSeconds", 1);
        var options = new OptionsBuilder().include(EvaluatorBenchmark.class.getSimpleName())
                .forks(1).warmupIterations(3).measurementIterations(5)
                .warmupTime(TimeValue.seconds(seconds)).measurementTime(TimeValue.seconds(seconds))
                .jvmArgs("-Xms512m", "-Xmx512m").build();

        Collection<RunResult> results = new Runner(options).run();

        var report = new StringBuilder("guardian evaluator (JMH, ops = samples judged):\n");
        var lines = new ArrayList<String>();
        for (RunResult r : results) {
            var s = r.getPrimaryResult().getStatistics();
            lines.add(String.format(Locale.ROOT, "  %-6s %,14.0f samples/s  (+- %,.0f, 99.9%% CI; min %,.0f max %,.0f)%n",
                    r.getParams().getParam("aggregate"), s.getMean(), s.getMeanErrorAt(0.999), s.getMin(),
                    s.getMax()));
        }
        lines.forEach(report::append);
        System.out.print(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "guardian-jmh.txt"), report);
        assertThat(results).hasSize(4);
    }
}
