package io.tumult.schemas.json;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/** Validates documents against the JSON Schemas under {@code io/tumult/schemas/v1/} on the classpath. */
public final class SchemaValidator {

    static final String BASE_URI = "https://schemas.tumult.io/v1/";
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaMappers(m -> m.mapPrefix(BASE_URI, "classpath:io/tumult/schemas/v1/")));
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private SchemaValidator() {
    }

    /** Every violation of schema {@code schemaFile} by {@code document}, ordered by path; empty when valid. */
    public static List<Violation> validate(String schemaFile, JsonNode document) {
        JsonSchema schema = SCHEMAS.computeIfAbsent(schemaFile, f -> FACTORY.getSchema(SchemaLocation.of(BASE_URI + f)));
        return schema.validate(document).stream()
                .map(SchemaValidator::toViolation)
                .distinct()
                .sorted(Comparator.comparing(Violation::path).thenComparing(Violation::message))
                .toList();
    }

    private static Violation toViolation(ValidationMessage m) {
        String path = m.getInstanceLocation().toString();
        String message = m.getMessage();
        // networknt prefixes the message with the instance path; we carry the path separately
        if (message.startsWith(path + ": ")) {
            message = message.substring(path.length() + 2);
        }
        if (("required".equals(m.getType()) || "additionalProperties".equals(m.getType())) && m.getProperty() != null) {
            path = path + "." + m.getProperty();
        }
        return new Violation(path, message);
    }
}
