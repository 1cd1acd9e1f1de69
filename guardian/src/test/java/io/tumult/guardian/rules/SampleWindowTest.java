package io.tumult.guardian.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.tumult.schemas.v1.Aggregation;
import io.tumult.schemas.v1.Comparison;
import io.tumult.schemas.v1.Condition;

/** The incremental window against a plain recomputation over the samples it should hold, on random streams. */
class SampleWindowTest {

    private record Sample(long time, double value, int seq) {
    }

    @ParameterizedTest
    @EnumSource(Aggregation.class)
    void shouldAgreeWithARecomputationOnEverySampleIncludingLateOnes(Aggregation aggregation) {
        for (Comparison op : Comparison.values()) {
            // Given
            var random = new Random(aggregation.ordinal() * 31L + op.ordinal());
            long windowMillis = 1000;
            double threshold = 5;
            var window = new SampleWindow(new Condition("m", op, threshold, Duration.ofMillis(windowMillis),
                    aggregation));
            var kept = new ArrayList<Sample>();
            long newest = Long.MIN_VALUE;
            long clock = 0;

            for (int i = 0; i < 1200; i++) {
                clock += random.nextInt(60);
                // one in five is late, up to 1.2 windows; counters mostly rise, with a reset now and then
                long time = random.nextInt(5) == 0 ? clock - random.nextInt((int) (windowMillis * 1.2)) : clock;
                double value = aggregation == Aggregation.RATE || aggregation == Aggregation.INCREASE
                        ? (random.nextInt(50) == 0 ? 0 : i + random.nextInt(3))
                        : random.nextInt(11); // small integers: ties and values equal to the threshold

                // When
                boolean taken = window.add(time, value, null);

                // Then
                boolean expectedTaken = newest == Long.MIN_VALUE || time >= newest - windowMillis;
                assertThat(taken).isEqualTo(expectedTaken);
                if (taken) {
                    kept.add(new Sample(time, value, i));
                    newest = Math.max(newest, time);
                    long cutoff = newest - windowMillis;
                    kept.removeIf(s -> s.time < cutoff);
                }
                assertJudgedAsARecomputation(window, aggregation, op, threshold, kept,
                        aggregation + " " + op.symbol() + " at sample " + i);
            }
        }
    }

    @Test
    void shouldAgreeWithARecomputationForEveryConditionSharingOneRing() {
        // Given: every aggregation and comparison, each with a threshold of its own, on one ring
        var random = new Random(7);
        long windowMillis = 1000;
        var ring = new SampleRing(windowMillis);
        var conditions = new ArrayList<Condition>();
        var windows = new ArrayList<SampleWindow>();
        for (Aggregation aggregation : Aggregation.values()) {
            for (Comparison op : Comparison.values()) {
                var condition = new Condition("m", op, 3 + (conditions.size() % 5), Duration.ofMillis(windowMillis),
                        aggregation);
                conditions.add(condition);
                windows.add(new SampleWindow(condition, ring));
            }
        }
        var kept = new ArrayList<Sample>();
        long newest = Long.MIN_VALUE;
        long clock = 0;

        for (int i = 0; i < 1200; i++) {
            clock += random.nextInt(60);
            long time = random.nextInt(5) == 0 ? clock - random.nextInt((int) (windowMillis * 1.2)) : clock;
            double value = random.nextInt(11);

            // When: each condition is offered the sample, as the rule book does: one offer number for all
            boolean expectedTaken = newest == Long.MIN_VALUE || time >= newest - windowMillis;
            for (SampleWindow window : windows) {
                assertThat(window.add(i, time, value, null)).isEqualTo(expectedTaken);
            }

            // Then: the sample was added once, and every condition is judged as on a window of its own
            if (expectedTaken) {
                kept.add(new Sample(time, value, i));
                newest = Math.max(newest, time);
                long cutoff = newest - windowMillis;
                kept.removeIf(s -> s.time < cutoff);
            }
            for (int c = 0; c < windows.size(); c++) {
                Condition condition = conditions.get(c);
                assertJudgedAsARecomputation(windows.get(c), condition.aggregate(), condition.op(),
                        condition.threshold(), kept, condition.aggregate() + " " + condition.op().symbol() + " "
                                + condition.threshold() + " at sample " + i);
            }
        }
    }

    private static void assertJudgedAsARecomputation(SampleWindow window, Aggregation aggregation, Comparison op,
            double threshold, List<Sample> kept, String at) {
        double expected = recompute(aggregation, kept);
        assertThat(window.size()).as(at).isEqualTo(kept.size());
        if (Double.isNaN(expected)) {
            assertThat(window.value()).as(at).isNaN();
            assertThat(window.holds()).as(at).isFalse();
        } else {
            assertThat(window.value()).as(at).isCloseTo(expected, within(1e-6));
            assertThat(window.holds()).as(at).isEqualTo(op.test(expected, threshold));
        }
    }

    private static double recompute(Aggregation aggregation, List<Sample> kept) {
        if (kept.isEmpty()) {
            return Double.NaN;
        }
        List<Sample> ordered = kept.stream().sorted(Comparator.comparingLong(Sample::time)).toList(); // stable
        double[] values = ordered.stream().mapToDouble(Sample::value).toArray();
        double sum = Arrays.stream(values).sum();
        return switch (aggregation) {
            case AVG -> sum / values.length;
            case SUM -> sum;
            case COUNT -> values.length;
            case LAST -> values[values.length - 1];
            case MAX -> Arrays.stream(values).max().orElseThrow();
            case MIN -> Arrays.stream(values).min().orElseThrow();
            case INCREASE, RATE -> {
                if (values.length < 2) {
                    yield Double.NaN;
                }
                double increase = 0;
                for (int i = 1; i < values.length; i++) {
                    increase += values[i] >= values[i - 1] ? values[i] - values[i - 1] : values[i];
                }
                long span = ordered.get(values.length - 1).time() - ordered.get(0).time();
                yield aggregation == Aggregation.INCREASE ? increase
                        : span <= 0 ? Double.NaN : increase * 1000.0 / span;
            }
            case P50, P90, P95, P99 -> {
                double[] sorted = values.clone();
                Arrays.sort(sorted);
                int rank = Math.max(1, (int) Math.ceil(aggregation.quantile() * sorted.length - 1e-9));
                yield sorted[rank - 1];
            }
        };
    }
}
