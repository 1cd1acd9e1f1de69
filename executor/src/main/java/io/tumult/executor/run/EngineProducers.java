package io.tumult.executor.run;

import java.time.InstantSource;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.tumult.executor.config.ExecutorConfig;

/** The engine's clock, journal and guards; tests that build the engine themselves pass their own. */
final class EngineProducers {

    @Produces
    @Singleton
    InstantSource clock() {
        return InstantSource.system();
    }

    @Produces
    @Singleton
    FileJournal journal(ExecutorConfig config) {
        return new FileJournal(config.journalDir());
    }

    void close(@Disposes FileJournal journal) {
        journal.close();
    }

    @Produces
    @Singleton
    Guards guards(InstantSource clock, ExecutorConfig config) {
        return new ProcessGuards(clock, ProcessGuards.logIn(config.journalDir()));
    }
}
