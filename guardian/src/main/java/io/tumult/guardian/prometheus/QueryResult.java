package io.tumult.guardian.prometheus;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A successful answer of Prometheus' query API: the data, and the warnings Prometheus attached (a partial answer, a
 * query that looks wrong...). One of four result types, as in the API's {@code resultType}.
 *
 * @param data what the query evaluated to
 * @param warnings Prometheus' {@code warnings} (and {@code infos}), empty when there were none
 */
public record QueryResult(Data data, List<String> warnings) {

    public QueryResult {
        Objects.requireNonNull(data, "data");
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** One value at one instant. Prometheus' {@code NaN}, {@code +Inf} and {@code -Inf} are kept as doubles. */
    public record Sample(Instant at, double value) {
    }

    /** A series' labels (including {@code __name__} when it has one) and one sample. */
    public record Series(Map<String, String> labels, Sample sample) {
        public Series {
            labels = Map.copyOf(labels);
        }
    }

    /** A series' labels and its samples over a range, oldest first. */
    public record RangeSeries(Map<String, String> labels, List<Sample> samples) {
        public RangeSeries {
            labels = Map.copyOf(labels);
            samples = List.copyOf(samples);
        }
    }

    /** What a query evaluated to. */
    public sealed interface Data permits Vector, Matrix, Scalar, Text {
    }

    /** {@code resultType: vector}: an instant query over series; empty when no series matched. */
    public record Vector(List<Series> series) implements Data {
        public Vector {
            series = List.copyOf(series);
        }
    }

    /** {@code resultType: matrix}: a range query, or an instant query of a range selector. */
    public record Matrix(List<RangeSeries> series) implements Data {
        public Matrix {
            series = List.copyOf(series);
        }
    }

    /** {@code resultType: scalar}: a query such as {@code scalar(...)} or {@code 1 + 1}. */
    public record Scalar(Sample sample) implements Data {
    }

    /** {@code resultType: string}: a string literal query. */
    public record Text(Instant at, String value) implements Data {
    }
}
