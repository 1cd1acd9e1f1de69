package io.tumult.local;

import java.util.List;

/** A Kafka broker for the local stack, with Tumult's topics: a local broker process or a container. */
public interface KafkaBroker extends AutoCloseable {

    String bootstrapServers();

    /** The processes this JVM started for it (none for a container), for tests that check nothing is left running. */
    List<ProcessHandle> processes();

    /** Stops the broker and deletes its data. */
    @Override
    void close();
}
