package io.tumult.schemas.json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.tumult.schemas.v1.DurationText;
import io.tumult.schemas.v1.EventType;
import io.tumult.schemas.v1.Experiment;

/**
 * The one way Tumult turns its documents into bytes and back. Decoding validates against the JSON Schema first,
 * so every error names the offending field; events tolerate unknown fields (v1 may gain optional ones), while an
 * experiment submitted by a person must not contain fields Tumult does not know (a typo would be silently
 * ignored otherwise).
 */
public final class TumultJson {

    // a document is one JSON value: bytes after it make it not well-formed, never silently ignored
    private static final ObjectMapper EVENTS = configure(JsonMapper.builder().build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectMapper STRICT = configure(JsonMapper.builder().build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final ObjectMapper YAML = configure(new YAMLMapper());

    private TumultJson() {
    }

    /** Applies Tumult's wire conventions (ISO instants, {@code 30s} durations, no empty fields) to a mapper. */
    public static ObjectMapper configure(ObjectMapper mapper) {
        var durations = new SimpleModule("tumult-durations")
                .addSerializer(Duration.class, new StdScalarSerializer<>(Duration.class) {
                    @Override
                    public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider)
                            throws IOException {
                        gen.writeString(DurationText.format(value));
                    }
                })
                .addDeserializer(Duration.class, new StdScalarDeserializer<>(Duration.class) {
                    @Override
                    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                        try {
                            return DurationText.parse(p.getValueAsString());
                        } catch (IllegalArgumentException e) {
                            throw JsonMappingException.from(p, e.getMessage(), e);
                        }
                    }
                });
        return mapper.registerModule(new JavaTimeModule())
                .registerModule(durations)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .setSerializationInclusion(JsonInclude.Include.NON_EMPTY);
    }

    /** Serializes an event or experiment to JSON bytes. */
    public static byte[] encode(Object document) {
        try {
            return EVENTS.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + document.getClass().getSimpleName(), e);
        }
    }

    /** Serializes to a JSON tree. */
    public static JsonNode toTree(Object document) {
        return EVENTS.valueToTree(document);
    }

    /** Decodes and validates an event body; throws {@link InvalidDocumentException} naming every bad field. */
    public static <T> T decode(EventType<T> type, byte[] json) {
        JsonNode tree = parse(EVENTS, json, type.javaType().getSimpleName());
        return bind(EVENTS, type.schema(), tree, type.javaType());
    }

    /**
     * Decodes and validates an experiment document, YAML or JSON (JSON is YAML). Unknown fields are errors.
     */
    public static Experiment decodeExperiment(String text) {
        JsonNode tree = parse(YAML, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), "Experiment");
        return bind(STRICT, Experiment.SCHEMA, tree, Experiment.class);
    }

    private static JsonNode parse(ObjectMapper mapper, byte[] bytes, String what) {
        if (bytes == null) { // a Kafka record without a value (a tombstone)
            throw new InvalidDocumentException(what, List.of(new Violation("$", "document is empty")));
        }
        try {
            JsonNode tree = mapper.readTree(bytes);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new InvalidDocumentException(what, List.of(new Violation("$", "document is empty")));
            }
            return tree;
        } catch (JacksonException e) {
            throw new InvalidDocumentException(what, List.of(new Violation("$", "not well-formed: "
                    + e.getOriginalMessage() + locationOf(e))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T bind(ObjectMapper mapper, String schema, JsonNode tree, Class<T> type) {
        List<Violation> violations = SchemaValidator.validate(schema, tree);
        if (!violations.isEmpty()) {
            throw new InvalidDocumentException(type.getSimpleName(), violations);
        }
        try {
            return mapper.treeToValue(tree, type);
        } catch (JsonMappingException e) {
            throw new InvalidDocumentException(type.getSimpleName(), List.of(new Violation(pathOf(e), messageOf(e))));
        } catch (JsonProcessingException e) {
            throw new InvalidDocumentException(type.getSimpleName(), List.of(new Violation("$", e.getOriginalMessage())));
        }
    }

    private static String pathOf(JsonMappingException e) {
        var path = new StringBuilder("$");
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append('.').append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String messageOf(JsonMappingException e) {
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'";
        }
        // a record constructor's own check (IllegalArgumentException, NullPointerException) is the clearest text
        Throwable cause = e.getCause();
        List<String> seen = new ArrayList<>();
        while (cause != null && !seen.contains(String.valueOf(cause.getMessage()))) {
            if (cause instanceof IllegalArgumentException || cause instanceof NullPointerException) {
                return cause.getMessage() == null ? "invalid value" : cause.getMessage();
            }
            seen.add(String.valueOf(cause.getMessage()));
            cause = cause.getCause();
        }
        return e.getOriginalMessage();
    }

    private static String locationOf(JacksonException e) {
        var loc = e.getLocation();
        return loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }
}
