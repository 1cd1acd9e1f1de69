package io.tumult.local;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Optional;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test (class or method) that builds network namespaces and kernel rules: it runs only where
 * {@link NetnsPair#available()}, and otherwise is skipped with the reason printed, so a run without root says what
 * it did not cover. With {@value #REQUIRED}{@code =true} in the environment, it fails instead.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(NeedsHostAttacks.Condition.class)
public @interface NeedsHostAttacks {

    /** Environment variable that turns a skip into a failure (CI sets it: the end-to-end test must run there). */
    String REQUIRED = "TUMULT_REQUIRE_HOST_ATTACKS";

    final class Condition implements ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<String> lacking = NetnsPair.unavailableBecause();
            if (lacking.isEmpty()) {
                return ConditionEvaluationResult.enabled("host attacks available");
            }
            if (Boolean.parseBoolean(System.getenv(REQUIRED))) {
                throw new IllegalStateException(REQUIRED + " is set and this machine " + lacking.get() + ": "
                        + context.getDisplayName() + " cannot run");
            }
            String reason = "host-attack test skipped, " + lacking.get() + ": " + context.getDisplayName();
            System.err.println(reason);
            return ConditionEvaluationResult.disabled(reason);
        }
    }
}
