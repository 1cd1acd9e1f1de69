package io.tumult.guardian.messaging;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

import io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue;
import io.tumult.schemas.v1.Topics;

/**
 * Sends a record the guardian cannot use to {@code tumult.dlq}: its key, value and headers as they were, plus the
 * headers SmallRye's dead-letter strategy writes (the same ones {@code Inbound}'s dead-letter policy produces on the
 * other services' channels), {@code dead-letter-reason} first among them.
 */
final class DeadLetters {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    private final KafkaProducer<String, byte[]> producer;

    DeadLetters(KafkaProducer<String, byte[]> producer) {
        this.producer = producer;
    }

    void send(ConsumerRecord<ByteBuffer, ByteBuffer> record, String reason, Throwable cause) {
        ByteBuffer key = record.key();
        var out = new ProducerRecord<String, byte[]>(Topics.DEAD_LETTER,
                key == null ? null : new String(FetchedBytes.copy(key), StandardCharsets.UTF_8),
                FetchedBytes.copy(record.value()));
        for (Header h : record.headers()) {
            out.headers().add(h);
        }
        out.headers().add(KafkaDeadLetterQueue.DEAD_LETTER_REASON, bytes(reason));
        if (cause != null) {
            out.headers().add(KafkaDeadLetterQueue.DEAD_LETTER_EXCEPTION_CLASS_NAME, bytes(cause.getClass().getName()));
        }
        out.headers().add(KafkaDeadLetterQueue.DEAD_LETTER_TOPIC, bytes(record.topic()));
        out.headers().add(KafkaDeadLetterQueue.DEAD_LETTER_PARTITION, bytes(Integer.toString(record.partition())));
        out.headers().add(KafkaDeadLetterQueue.DEAD_LETTER_OFFSET, bytes(Long.toString(record.offset())));
        producer.send(out, (metadata, error) -> {
            if (error != null) {
                LOG.errorf("record %s-%d@%d not dead-lettered (%s): %s", record.topic(), record.partition(),
                        record.offset(), reason, error);
            }
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
