package io.tumult.guardian.alerts;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the alert receivers answer, as typed records. Their formats show empty lists and null offsets, whatever the REST
 * mapper's default (Tumult's wire convention omits empty values).
 */
final class AlertAnswers {

    private AlertAnswers() {
    }

    /** A webhook accepted: what it decided. {@code aborted} lists run ids, {@code *} for halt-all. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Receipt(String receiver, int firing, int resolved, int duplicates, List<String> aborted,
            List<String> unmapped) {
    }

    /**
     * REST Proxy v2's answer to a produce request, one offset entry per record received; partitions and offsets are
     * null, since a record becomes zero or more aborts, listed in {@code aborted}.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record ProduceAnswer(List<Offset> offsets, @JsonProperty("key_schema_id") Integer keySchemaId,
            @JsonProperty("value_schema_id") Integer valueSchemaId, List<String> aborted) {
    }

    /** One record's entry in {@link ProduceAnswer}. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Offset(Integer partition, Long offset, @JsonProperty("error_code") Integer errorCode, String error) {
    }

    /** REST Proxy v2's error body, plus the offending field for a bad body. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ProxyError(@JsonProperty("error_code") int errorCode, String message, String field) {
    }
}
