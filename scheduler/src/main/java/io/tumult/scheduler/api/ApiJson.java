package io.tumult.scheduler.api;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.jackson.ObjectMapperCustomizer;
import io.tumult.schemas.json.TumultJson;

/** REST answers follow Tumult's wire conventions ({@code 30s} durations, ISO instants, no empty fields). */
@Singleton
public class ApiJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        TumultJson.configure(mapper);
    }
}
