package io.tumult.executor.run;

import java.time.InstantSource;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The engine's clock: the system's; tests that build the engine themselves pass their own. */
final class ClockProducer {

    @Produces
    @Singleton
    InstantSource clock() {
        return InstantSource.system();
    }
}
