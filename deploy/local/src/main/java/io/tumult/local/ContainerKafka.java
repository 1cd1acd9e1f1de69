package io.tumult.local;

import java.util.List;

import org.testcontainers.kafka.KafkaContainer;

/**
 * Kafka in a container (Testcontainers' {@code apache/kafka}, KRaft), with Tumult's topics. Only loaded once
 * {@link KafkaBrokers} found a Docker engine that answers. Image: {@value #IMAGE}, or {@code tumult.local.kafka-image}.
 */
final class ContainerKafka implements KafkaBroker {

    /** The same Kafka version as the local broker process (deploy/local/kafka-runtime). */
    static final String IMAGE = "apache/kafka:4.4.0";

    private final KafkaContainer container;

    private ContainerKafka(KafkaContainer container) {
        this.container = container;
    }

    static ContainerKafka start() throws InterruptedException {
        var container = new KafkaContainer(System.getProperty("tumult.local.kafka-image", IMAGE))
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        container.start();
        var kafka = new ContainerKafka(container);
        try {
            LocalKafka.createTopics(kafka.bootstrapServers());
            return kafka;
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public List<ProcessHandle> processes() {
        return List.of();
    }

    @Override
    public void close() {
        container.stop();
    }
}
