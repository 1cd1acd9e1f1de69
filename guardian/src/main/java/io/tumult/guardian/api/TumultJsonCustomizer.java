package io.tumult.guardian.api;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.jackson.ObjectMapperCustomizer;
import io.tumult.schemas.json.TumultJson;

/** The REST API speaks Tumult's wire conventions ({@code 30s} durations, ISO instants), as the events do. */
@Singleton
public class TumultJsonCustomizer implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        TumultJson.configure(mapper);
    }
}
