package io.tumult.guardian.rules;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import io.tumult.guardian.config.GuardianConfig;

/** The one rule book of this guardian instance. */
class RuleBookProducer {

    @Produces
    @ApplicationScoped
    RuleBook ruleBook(GuardianConfig config) {
        return new RuleBook(config.id(), config.noDataAfter());
    }
}
