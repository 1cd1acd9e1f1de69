package io.tumult.bench.guardian;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import io.tumult.guardian.rules.RuleBook;
import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.NoData;
import io.tumult.schemas.v1.RunAborted;
import io.tumult.schemas.v1.RunStarted;
import io.tumult.schemas.v1.Trigger;

/**
 * The evaluator alone ({@link RuleBook#offer}): one sample of a run judged against its conditions of one
 * aggregation, 30 runs watched, samples 1 ms apart in event time over 10 s windows (10,000 samples in each window once
 * warm), values cycling 0..99 with rules that never trip.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EvaluatorBenchmark {

    private static final int RUNS = 30;

    @Param({ "avg", "max", "p99", "rate" })
    public String aggregate;

    private RuleBook rules;
    private UUID[] runs;
    private long clock;
    private int i;

    @Setup
    public void setUp() {
        rules = new RuleBook(new RuleBook.Settings("jmh", Duration.ofSeconds(5), Duration.ofDays(3650),
                Duration.ofDays(3650)));
        Aggregation aggregation = Aggregation.valueOf(aggregate.toUpperCase(java.util.Locale.ROOT));
        var condition = new Condition("m", Comparison.GT, 1e12, Duration.ofSeconds(10), aggregation, null, null,
                NoData.IGNORE, null);
        runs = new UUID[RUNS];
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        for (int r = 0; r < RUNS; r++) {
            runs[r] = UUID.randomUUID();
            var spec = new ExperimentSpec(null, new NetworkNamespaceTarget("jmh"), new NetworkLoss(1),
                    Duration.ofDays(3650), null, null, List.of(condition), null);
            rules.watch(new RunStarted(runs[r], "jmh", Trigger.MANUAL, start, spec), start);
        }
        clock = start.toEpochMilli();
    }

    @Benchmark
    public List<RunAborted> offer() {
        int n = i++;
        UUID run = runs[n % RUNS];
        long at = clock + n / RUNS; // each run: one sample a millisecond
        return rules.offer(run, "m", n % 100, at, null, at);
    }
}
