package io.tumult.deploy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.tumult.local.LocalKafka;

/**
 * One set of topics: the KafkaTopic resources, the topics the local stack creates ({@link LocalKafka#TOPICS}) and the
 * root README's topic table agree on names, partitions, cleanup policy and retention; production replicates each.
 */
class TopicsTest {

    @Test
    void shouldDeclareTheTopicsTheLocalStackCreatesWithTheSamePartitionsAndConfigs() {
        // Given
        List<GenericKubernetesResource> topics = Manifests.kafkaTopics(Manifests.load(Manifests.render("topics")));

        // When
        Map<String, String> declared = new TreeMap<>();
        topics.forEach(t -> declared.put(t.getMetadata().getName(), describe(t)));

        // Then
        Map<String, String> local = new TreeMap<>();
        LocalKafka.TOPICS.forEach(t -> local.put(t.name(), describe(t)));
        assertThat(declared).isEqualTo(local);
    }

    @Test
    void shouldStateInTheReadmeThePartitionsAndRetentionTheTopicsHave() throws IOException {
        // Given
        Map<String, String> readme = readmeRetention(Files.readString(Manifests.MODULE.resolve("../../README.md")));

        // When
        var declared = new LinkedHashMap<String, String>();
        for (GenericKubernetesResource t : Manifests.kafkaTopics(Manifests.load(Manifests.render("topics")))) {
            declared.put(t.getMetadata().getName(), spec(t).get("partitions") + " | " + retentionWords(config(t)));
        }

        // Then
        assertThat(declared).isEqualTo(readme);
    }

    @Test
    void shouldReplicateEveryTopicInProduction() {
        // When
        List<GenericKubernetesResource> topics = Manifests.kafkaTopics(Manifests.overlay("production"));

        // Then
        assertThat(topics).hasSize(LocalKafka.TOPICS.size()).allSatisfy(t -> {
            assertThat(t.getMetadata().getNamespace()).isEqualTo("kafka");
            assertThat(t.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", "tumult");
            assertThat(((Number) spec(t).get("replicas")).intValue()).isEqualTo(3);
            assertThat(config(t)).containsEntry("min.insync.replicas", "2");
        });
    }

    /** The README's words for a topic's retention: delete, compact, "compact, delete", or a time such as 1 h. */
    private static String retentionWords(Map<String, String> config) {
        String policy = config.getOrDefault("cleanup.policy", "delete");
        String retention = config.get("retention.ms");
        if (retention != null) {
            long ms = Long.parseLong(retention);
            assertThat(ms % 3_600_000).as("a retention the README states in hours").isZero();
            return ms / 3_600_000 + " h";
        }
        return policy.replace(",", ", ");
    }

    /** Topic name to the last two columns of the README's topic table: partitions | retention. */
    private static Map<String, String> readmeRetention(String readme) {
        var rows = new LinkedHashMap<String, String>();
        for (String line : readme.split("\n")) {
            if (line.startsWith("| `tumult.")) {
                String[] cells = line.split("\\|");
                String topic = cells[1].strip().replace("`", "");
                // a parenthesis after the retention explains it: "delete (≥ the status look-back, 24 h)"
                String retention = cells[cells.length - 1].replaceAll("\\(.*\\)", "").strip();
                rows.put(topic, cells[cells.length - 2].strip() + " | " + retention);
            }
        }
        return rows;
    }

    private static String describe(GenericKubernetesResource topic) {
        var config = new TreeMap<>(config(topic));
        config.putIfAbsent("cleanup.policy", "delete");
        return "partitions=" + spec(topic).get("partitions") + " " + config;
    }

    private static String describe(NewTopic topic) {
        var config = new TreeMap<String, String>(topic.configs() == null ? Map.of() : topic.configs());
        config.putIfAbsent("cleanup.policy", "delete");
        return "partitions=" + topic.numPartitions() + " " + config;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource topic) {
        return (Map<String, Object>) topic.getAdditionalProperties().get("spec");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> config(GenericKubernetesResource topic) {
        var config = new TreeMap<String, String>();
        ((Map<String, Object>) spec(topic).getOrDefault("config", Map.of()))
                .forEach((k, v) -> config.put(k, String.valueOf(v)));
        return config;
    }

}
