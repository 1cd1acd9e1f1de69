package io.tumult.schemas.v1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The records are written by hand; this keeps them and the JSON Schemas saying the same thing: the same fields
 * for each object, and the same kinds for each sealed family.
 */
class SchemaMatchesRecordsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> objects() {
        return Stream.of(
                Arguments.of(RunStarted.class, "run-started.schema.json", ""),
                Arguments.of(RunAborted.class, "run-aborted.schema.json", ""),
                Arguments.of(RunStatus.class, "run-status.schema.json", ""),
                Arguments.of(MetricSample.class, "metric-sample.schema.json", ""),
                Arguments.of(GuardianHeartbeat.class, "guardian-heartbeat.schema.json", ""),
                Arguments.of(HaltReleased.class, "halt-released.schema.json", ""),
                Arguments.of(RunClaimed.class, "run-claimed.schema.json", ""),
                Arguments.of(RunClaimed.Pick.class, "run-claimed.schema.json", "/properties/pick"),
                Arguments.of(RunClaimed.PickedPod.class, "run-claimed.schema.json",
                        "/properties/pick/properties/pods/items"),
                Arguments.of(SteadyStateVerdict.class, "steady-state-verdict.schema.json", ""),
                Arguments.of(DryRunRequested.class, "dry-run-requested.schema.json", ""),
                Arguments.of(DryRunResult.class, "dry-run-result.schema.json", ""),
                Arguments.of(SchedulerStarted.class, "scheduler-started.schema.json", ""),
                Arguments.of(Experiment.class, Experiment.SCHEMA, ""),
                Arguments.of(ObjectMeta.class, Experiment.SCHEMA, "/properties/metadata"),
                Arguments.of(ExperimentSpec.class, Experiment.SCHEMA, "/$defs/ExperimentSpec"),
                Arguments.of(BlastRadius.class, Experiment.SCHEMA, "/$defs/BlastRadius"),
                Arguments.of(Condition.class, Experiment.SCHEMA, "/$defs/Condition"),
                Arguments.of(Schedule.class, Experiment.SCHEMA, "/$defs/Schedule"),
                Arguments.of(Blackout.class, Experiment.SCHEMA, "/$defs/Blackout"),
                Arguments.of(DeployTrigger.class, Experiment.SCHEMA, "/$defs/DeployTrigger"),
                Arguments.of(AbortReason.class, Experiment.SCHEMA, "/$defs/AbortReason"),
                Arguments.of(Histogram.class, "metric-sample.schema.json", "/properties/histogram"),
                Arguments.of(Histogram.Bucket.class, "metric-sample.schema.json",
                        "/properties/histogram/properties/buckets/items"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objects")
    void shouldDeclareExactlyTheRecordsFields(Class<? extends Record> type, String schema, String pointer)
            throws IOException {
        // Given
        JsonNode node = schema(schema).at(pointer);

        // When
        Set<String> schemaFields = fieldNames(node.get("properties"));

        // Then
        Set<String> recordFields = new HashSet<>();
        Stream.of(type.getRecordComponents()).forEach(c -> recordFields.add(wireName(c)));
        assertThat(schemaFields).isEqualTo(recordFields);
    }

    @Test
    void shouldListEverySealedVariantAndItsFieldsInTheSchema() throws IOException {
        // Given
        JsonNode defs = schema(Experiment.SCHEMA).get("$defs");

        // When
        Set<String> attackKinds = enumOf(defs.at("/Attack/properties/kind"));
        Set<String> targetKinds = enumOf(defs.at("/Target/properties/kind"));

        // Then
        assertThat(attackKinds).isEqualTo(GoldenFixturesTest.kindsOf(AttackSpec.class));
        assertThat(targetKinds).isEqualTo(GoldenFixturesTest.kindsOf(Target.class));
        for (Class<?> variant : concat(AttackSpec.class.getPermittedSubclasses(), Target.class.getPermittedSubclasses())) {
            JsonNode branch = branchFor(defs, variant);
            Set<String> recordFields = new HashSet<>();
            Stream.of(variant.getRecordComponents()).forEach(c -> recordFields.add(wireName(c)));
            assertThat(fieldNames(branch.at("/then/properties"))).as(variant.getSimpleName()).isEqualTo(recordFields);
            // the discriminator "kind" lives beside the branches, not in the record's components
        }
    }

    private static JsonNode branchFor(JsonNode defs, Class<?> variant) {
        String family = AttackSpec.class.isAssignableFrom(variant) ? "Attack" : "Target";
        String kind;
        try {
            kind = (String) variant.getField("KIND").get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        for (JsonNode branch : defs.get(family).get("allOf")) {
            if (kind.equals(branch.at("/if/properties/kind/const").asText())) {
                return branch;
            }
        }
        throw new AssertionError("no schema branch for " + family + " kind " + kind);
    }

    /** A component's name on the wire: its {@code @JsonProperty} where a Java keyword forbids it ("interface"). */
    private static String wireName(java.lang.reflect.RecordComponent component) {
        var renamed = component.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        return renamed != null && !renamed.value().isEmpty() ? renamed.value() : component.getName();
    }

    private static Class<?>[] concat(Class<?>[] a, Class<?>[] b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(Class<?>[]::new);
    }

    private static Set<String> enumOf(JsonNode node) {
        Set<String> values = new HashSet<>();
        node.get("enum").forEach(v -> values.add(v.asText()));
        return values;
    }

    private static Set<String> fieldNames(JsonNode properties) {
        Set<String> names = new HashSet<>();
        properties.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode schema(String file) throws IOException {
        try (InputStream in = SchemaMatchesRecordsTest.class.getResourceAsStream("/io/tumult/schemas/v1/" + file)) {
            return JSON.readTree(in);
        }
    }
}
