package io.tumult.guardian.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.tumult.schemas.json.InvalidDocumentException;
import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.MetricSample;

/** The hot-path decoder says what the schema's decoder says, for valid and invalid samples alike. */
class SampleDecoderTest {

    private final SampleDecoder decoder = new SampleDecoder();

    @ParameterizedTest
    @ValueSource(strings = { "MetricSample-global.json", "MetricSample-run.json", "MetricSample-histogram.json" })
    void shouldDecodeTheGoldenSamplesOnTheFastPathAsTheSchemasDecoderDoes(String golden) throws IOException {
        // Given
        byte[] json = golden(golden);
        MetricSample expected = TumultJson.decode(EventType.METRIC_SAMPLE, json);

        // When
        SampleDecoder.Decoded decoded = decoder.decode(json);

        // Then
        assertThat(decoder.slowPath()).as("fast path").isZero();
        assertThat(decoded.name).isEqualTo(expected.name());
        assertThat(decoded.value).isEqualTo(expected.value());
        assertThat(decoded.atMillis).isEqualTo(expected.at().toEpochMilli());
        assertThat(decoded.runId).isEqualTo(expected.runId());
        assertThat(decoded.histogram).isEqualTo(expected.histogram());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-11-23T09:00:07.123456789Z\"}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-11-23T10:00:07+01:00\"}",
            "{\"name\":\"m\",\"value\":-1.5e3,\"at\":\"2028-02-29T23:59:59.5Z\",\"labels\":{},\"extra\":[1,{\"a\":2}]}" })
    void shouldAcceptWhatTheSchemaAccepts(String json) {
        // Given
        MetricSample expected = TumultJson.decode(EventType.METRIC_SAMPLE, json.getBytes(StandardCharsets.UTF_8));

        // When
        SampleDecoder.Decoded decoded = decoder.decode(json.getBytes(StandardCharsets.UTF_8));

        // Then
        assertThat(decoded.atMillis).isEqualTo(expected.at().toEpochMilli());
        assertThat(decoded.value).isEqualTo(expected.value());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "not json",
            "[]",
            "{}",
            "{\"name\":\"latency ms\",\"value\":\"high\",\"at\":\"now\"}",
            "{\"name\":\"m\",\"value\":1}",
            "{\"name\":\"m\",\"at\":\"2026-11-23T09:00:07Z\"}",
            "{\"value\":1,\"at\":\"2026-11-23T09:00:07Z\"}",
            "{\"name\":\"9m\",\"value\":1,\"at\":\"2026-11-23T09:00:07Z\"}",
            "{\"name\":\"m\",\"value\":1e999,\"at\":\"2026-11-23T09:00:07Z\"}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-02-30T09:00:07Z\"}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-11-23T09:00:07Z\",\"runId\":\"not-a-uuid\"}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-11-23T09:00:07Z\",\"labels\":{\"a\":1}}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-11-23T09:00:07Z\",\"histogram\":{\"count\":1,\"buckets\":[]}}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-11-23T09:00:07Z\",\"histogram\":{\"count\":-1,\"buckets\":[{\"le\":1,\"count\":1}]}}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-11-23T09:00:07Z\",\"histogram\":{\"buckets\":[{\"le\":1,\"count\":1}]}}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-11-23T09:00:07Z\",\"histogram\":{\"count\":1,\"buckets\":[{\"count\":1}]}}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-11-23T09:00:07Z\"}x",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-11-23T09:00:07Z\",\"runId\":\"6f1c1a52-3c5e-4a7d-9f51-1b8d2f0c4a11\"}}" })
    void shouldRefuseWhatTheSchemaRefusesWithTheSameErrors(String json) {
        // Given
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        var expected = catchThrowableOfType(InvalidDocumentException.class,
                () -> TumultJson.decode(EventType.METRIC_SAMPLE, bytes));

        // When
        var actual = catchThrowableOfType(InvalidDocumentException.class, () -> decoder.decode(bytes));

        // Then
        assertThat(expected).as("the schema refuses it").isNotNull();
        assertThat(actual).as("the fast decoder refuses it").isNotNull();
        assertThat(actual.violations()).isEqualTo(expected.violations());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"name\":\"bench_latency_ms\",\"value\":37.0,\"at\":\"2026-12-02T15:12:33.123456789Z\",\"runId\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"}",
            "{\"name\":\"m\",\"value\":-0.5,\"at\":\"2026-12-02T15:12:33Z\"}",
            "{\"name\":\"m:x_1\",\"value\":1e3,\"at\":\"2026-12-02T15:12:33.1Z\",\"runId\":\"0F8FAD5B-D9CB-469F-A165-70867728950E\"}",
            "{\"name\":\"m\",\"value\":12345678901234567890.5,\"at\":\"2026-12-02T15:12:33Z\"}",
            "{\"name\":\"m\", \"value\":1,\"at\":\"2026-12-02T15:12:33Z\"}",
            "{\"value\":1,\"name\":\"m\",\"at\":\"2026-12-02T15:12:33Z\"}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-12-02T15:12:33Z\",\"runId\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"} ",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-12-02T15:12:33Z\",\"runId\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"labels\":{}}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-12-02T15:12:33Z\",\"runid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"}" })
    void shouldDecodeTheProducersLayoutAndItsNeighboursAsTheSchemasDecoderDoes(String json) {
        // Given
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        MetricSample expected = TumultJson.decode(EventType.METRIC_SAMPLE, bytes);

        // When
        SampleDecoder.Decoded decoded = decoder.decode(bytes);

        // Then
        assertThat(decoded.name).isEqualTo(expected.name());
        assertThat(decoded.value).isEqualTo(expected.value());
        assertThat(decoded.atMillis).isEqualTo(expected.at().toEpochMilli());
        assertThat(decoded.runId).isEqualTo(expected.runId());
        assertThat(decoded.histogram).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-12-02T15:12:33Z\",\"runId\":\"0f8fad5b-d9cb-469f-a165-70867728950\"}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-12-02T15:12:33Z\",\"runId\":\"0f8fad5b-d9cb-469f-a165-70867728950e0\"}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-12-02T15:12:33Z\",\"runId\":\"0f8fad5b-d9cb-469f-a165-70867728950g\"}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-12-02T15:12:33Z\"",
            "{\"name\":\"m\\\"\",\"value\":1,\"at\":\"2026-12-02T15:12:33Z\"}",
            "{\"name\":\"\",\"value\":1,\"at\":\"2026-12-02T15:12:33Z\"}",
            "{\"name\":\"m\",\"value\":01,\"at\":\"2026-12-02T15:12:33Z\"}",
            "{\"name\":\"m\",\"value\":1.,\"at\":\"2026-12-02T15:12:33Z\"}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-12-02T15:12:33\"}",
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-12-02T15:12:33Z\",\"runId\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"" })
    void shouldRefuseWhatTheSchemaRefusesNearTheProducersLayout(String json) {
        shouldRefuseWhatTheSchemaRefusesWithTheSameErrors(json);
    }

    @Test
    void shouldReadEveryTimeAsTheSchemasDecoderDoesWhateverDateCameBefore() {
        // Given times in an order that reuses the remembered date, leaves it, and comes near it with invalid dates
        List<String> times = List.of("2026-03-03T00:00:00Z", "2026-03-03T23:59:59.999Z", "2026-01-99T00:00:00Z",
                "2026-03-03T12:00:00.1Z", "2026-02-29T00:00:00Z", "2028-02-29T00:00:00Z", "2028-02-29T00:00:00.12Z",
                "2026-03-32T00:00:00Z", "2026-13-03T00:00:00Z", "2026-03-03T24:00:00Z", "2026-03-03T00:60:00Z",
                "2026-03-03T00:00:60Z", "2026-03-03T00:00:00.123456789Z", "2026-03-03T00:00:00.1234567890Z",
                "2026-03-03T00:00:00.Z", "2026-03-03T00:00:00.12a4Z", "1969-12-31T23:59:59.999Z",
                "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-04-31T00:00:00Z", "2026-03-03 00:00:00Z",
                "2026-03-03T00:00:00z");

        for (String at : times) {
            byte[] json = ("{\"name\":\"m\",\"value\":1,\"at\":\"" + at + "\"}").getBytes(StandardCharsets.UTF_8);
            var expectedError = catchThrowableOfType(InvalidDocumentException.class,
                    () -> TumultJson.decode(EventType.METRIC_SAMPLE, json));

            // When
            var actualError = catchThrowableOfType(InvalidDocumentException.class, () -> decoder.decode(json));

            // Then
            if (expectedError != null) {
                assertThat(actualError).as(at).isNotNull();
                assertThat(actualError.violations()).as(at).isEqualTo(expectedError.violations());
            } else {
                assertThat(actualError).as(at).isNull();
                assertThat(decoder.decode(json).atMillis).as(at)
                        .isEqualTo(TumultJson.decode(EventType.METRIC_SAMPLE, json).at().toEpochMilli());
            }
        }
    }

    @Test
    void shouldDecodeAViewIntoTheFetchedBytesWithoutMovingIt() {
        // Given a sample amid other bytes, as the consumer hands a record's value over
        String sample = "{\"name\":\"m\",\"value\":0.25,\"at\":\"2026-11-23T09:00:07.5Z\","
                + "\"runId\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"}";
        byte[] fetched = ("junk" + sample + "more junk").getBytes(StandardCharsets.UTF_8);
        ByteBuffer view = ByteBuffer.wrap(fetched, 4, sample.length()).slice();

        // When
        SampleDecoder.Decoded decoded = decoder.decode(view);

        // Then
        assertThat(decoder.slowPath()).as("fast path").isZero();
        assertThat(view.position()).isZero();
        assertThat(decoded.name).isEqualTo("m");
        assertThat(decoded.value).isEqualTo(0.25);
        assertThat(decoded.atMillis).isEqualTo(Instant.parse("2026-11-23T09:00:07.5Z").toEpochMilli());
        assertThat(decoded.runId).isEqualTo(UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e"));
    }

    @Test
    void shouldRefuseAnInvalidViewWithTheSchemasErrors() {
        // Given an invalid sample amid other bytes
        String sample = "{\"name\":\"m\",\"value\":1,\"at\":\"2026-02-30T09:00:07Z\"}";
        byte[] fetched = ("{}" + sample + "{}").getBytes(StandardCharsets.UTF_8);
        ByteBuffer view = ByteBuffer.wrap(fetched, 2, sample.length()).slice();
        var expected = catchThrowableOfType(InvalidDocumentException.class,
                () -> TumultJson.decode(EventType.METRIC_SAMPLE, sample.getBytes(StandardCharsets.UTF_8)));

        // When
        var actual = catchThrowableOfType(InvalidDocumentException.class, () -> decoder.decode(view));

        // Then
        assertThat(actual).isNotNull();
        assertThat(actual.violations()).isEqualTo(expected.violations());
    }

    private static byte[] golden(String name) throws IOException {
        // the schemas module's golden documents (tests run in the module's directory)
        return Files.readAllBytes(Path.of("../schemas/src/test/resources/io/tumult/schemas/v1", name));
    }
}
