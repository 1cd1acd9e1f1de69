package io.tumult.guardian.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
            "{\"name\":\"m\",\"value\":1,\"at\":\"2026-11-23T09:00:07Z\",\"histogram\":{\"count\":1,\"buckets\":[{\"count\":1}]}}" })
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

    private static byte[] golden(String name) throws IOException {
        // the schemas module's golden documents (tests run in the module's directory)
        return Files.readAllBytes(Path.of("../schemas/src/test/resources/io/tumult/schemas/v1", name));
    }
}
