package io.tumult.schemas.v1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.tumult.schemas.json.TumultJson;

/**
 * Every golden document decodes (schema-valid) and writes back to the same JSON. A failing diff here is a
 * contract change: review it like one.
 */
class GoldenFixturesTest {

    private static final ObjectMapper PLAIN = new ObjectMapper();

    /** JSON numbers compare by value (1000 equals 1000.0); everything else exactly. */
    private static final Comparator<JsonNode> NUMERIC_AWARE = (a, b) -> a.isNumber() && b.isNumber()
            ? Double.compare(a.doubleValue(), b.doubleValue())
            : a.equals(b) ? 0 : 1;

    static Stream<Path> jsonFixtures() throws IOException, URISyntaxException {
        return Files.list(fixtureDir()).filter(p -> p.toString().endsWith(".json")).sorted();
    }

    @ParameterizedTest
    @MethodSource("jsonFixtures")
    void shouldRoundTripEveryGoldenDocument(Path fixture) throws IOException {
        // Given
        byte[] original = Files.readAllBytes(fixture);

        // When
        Object decoded = decode(fixture.getFileName().toString(), original);

        // Then
        JsonNode written = TumultJson.toTree(decoded);
        JsonNode expected = PLAIN.readTree(original);
        assertThat(written.equals(NUMERIC_AWARE, expected))
                .as("%s round-trips%nexpected: %s%nwritten:  %s", fixture.getFileName(), expected, written)
                .isTrue();
    }

    @Test
    void shouldReadTheYamlExperimentAsTheSameDocumentAsItsJsonTwin() throws IOException, URISyntaxException {
        // Given
        String yaml = Files.readString(fixtureDir().resolve("Experiment-cart.yaml"));

        // When
        Experiment fromYaml = TumultJson.decodeExperiment(yaml);

        // Then
        Experiment fromJson = TumultJson.decodeExperiment(Files.readString(fixtureDir().resolve("Experiment-pod-kill.json")));
        assertThat(fromYaml).isEqualTo(fromJson);
    }

    @Test
    void shouldHaveAGoldenDocumentForEveryEventAndEveryAttackKind() throws IOException, URISyntaxException {
        // Given
        List<String> names;
        try (var files = Files.list(fixtureDir())) {
            names = files.map(p -> p.getFileName().toString()).toList();
        }

        // When
        Set<String> prefixes = names.stream().map(n -> n.split("[-.]")[0]).collect(Collectors.toSet());
        Set<String> attackKinds = names.stream().filter(n -> n.startsWith("Experiment-") && n.endsWith(".json"))
                .map(n -> TumultJson.decodeExperiment(read(n)).spec().attack().kind())
                .collect(Collectors.toSet());

        // Then
        assertThat(prefixes).containsAll(EventType.ALL.stream().map(t -> t.javaType().getSimpleName()).toList());
        assertThat(attackKinds).containsExactlyInAnyOrderElementsOf(kindsOf(AttackSpec.class));
    }

    static Object decode(String fileName, byte[] json) {
        String type = fileName.split("[-.]")[0];
        if (type.equals(Experiment.class.getSimpleName())) {
            return TumultJson.decodeExperiment(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        }
        EventType<?> eventType = EventType.ALL.stream().filter(t -> t.javaType().getSimpleName().equals(type))
                .findFirst().orElseThrow(() -> new AssertionError("fixture of no known event: " + fileName));
        return TumultJson.decode(eventType, json);
    }

    static Set<String> kindsOf(Class<?> sealed) {
        return Stream.of(sealed.getPermittedSubclasses()).map(c -> {
            try {
                return (String) c.getField("KIND").get(null);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(c + " has no KIND constant", e);
            }
        }).collect(Collectors.toSet());
    }

    static Path fixtureDir() throws URISyntaxException {
        return Path.of(GoldenFixturesTest.class.getResource("/io/tumult/schemas/v1/").toURI());
    }

    private static String read(String name) {
        try {
            return Files.readString(fixtureDir().resolve(name));
        } catch (IOException | URISyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
