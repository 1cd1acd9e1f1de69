package io.tumult.local.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.tumult.schemas.json.TumultJson;
import io.tumult.schemas.v1.CpuStress;
import io.tumult.schemas.v1.Experiment;
import io.tumult.schemas.v1.NetworkLatency;
import io.tumult.schemas.v1.ProcessKill;

/** Every example experiment beside the local loop's is a valid document (placeholders filled as the loop fills them). */
class ExampleExperimentsTest {

    static Stream<Path> examples() throws IOException, URISyntaxException {
        Path dir = Path.of(ExampleExperimentsTest.class.getResource("/experiments/").toURI());
        return Files.list(dir).filter(p -> p.toString().endsWith(".yaml")).sorted();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void shouldBeAValidExperiment(Path example) throws IOException {
        // When
        Experiment experiment = read(example);

        // Then
        assertThat(experiment.metadata().name()).isNotBlank();
    }

    @Test
    void shouldKeepTheHostBusyAt80PercentFor5Minutes() throws Exception {
        // When
        Experiment experiment = read(example("host-cpu-80.yaml"));

        // Then
        assertThat(experiment.spec().attack()).isEqualTo(new CpuStress(0, 80));
        assertThat(experiment.spec().duration()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void shouldTerminateHalfTheBackendPodsAndAbortAbove1PercentErrors() throws Exception {
        // When (seed 003's "Pod Termination (50% Failure)")
        Experiment experiment = read(example("pod-termination-50.yaml"));

        // Then
        assertThat(experiment.spec().attack()).isEqualTo(new io.tumult.schemas.v1.PodKill(5));
        var target = (io.tumult.schemas.v1.PodTarget) experiment.spec().target();
        assertThat(target.mode()).isEqualTo(io.tumult.schemas.v1.SelectionMode.PERCENT);
        assertThat(target.value()).isEqualTo(50);
        assertThat(experiment.spec().hypothesis()).contains("50% pod failures");
        assertThat(experiment.spec().autoAbort()).singleElement()
                .satisfies(c -> assertThat(c.metric()).isEqualTo("http_error_rate"));
    }

    @Test
    void shouldKillTheCartContainerAndStopAtTheFirst500() throws Exception {
        // When (seed 000's recipe)
        Experiment experiment = read(example("cartservice-container-kill.yaml"));

        // Then
        assertThat(experiment.spec().attack()).isEqualTo(new io.tumult.schemas.v1.ContainerKill("server"));
        assertThat(experiment.spec().autoAbort()).singleElement().satisfies(c -> {
            assertThat(c.metric()).isEqualTo("http_status_5xx");
            assertThat(c.threshold()).isEqualTo(1.0);
        });
    }

    @Test
    void shouldKillTheWorkerEvery30Seconds() throws Exception {
        // When
        Experiment experiment = read(example("process-killer.yaml"));

        // Then
        assertThat(experiment.spec().attack()).isEqualTo(new ProcessKill("KILL", Duration.ofSeconds(30)));
    }

    @Test
    void shouldDelayTheDependencyBy500Milliseconds() throws Exception {
        // When
        Experiment experiment = read(example("dependency-latency-500ms.yaml"));

        // Then
        assertThat(experiment.spec().attack()).isInstanceOfSatisfying(NetworkLatency.class, latency -> {
            assertThat(latency.delay()).isEqualTo(Duration.ofMillis(500));
            assertThat(latency.jitter()).isEqualTo(Duration.ofMillis(50));
        });
    }

    private static Path example(String name) throws IOException, URISyntaxException {
        return examples().filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
    }

    private static Experiment read(Path example) throws IOException {
        return TumultJson.decodeExperiment(Files.readString(example).replace("{{name}}", "example")
                .replace("{{netns}}", "tumult-example").replace("{{cron}}", "0 0 * * * ?"));
    }
}
