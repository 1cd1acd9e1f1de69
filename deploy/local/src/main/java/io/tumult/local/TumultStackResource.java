package io.tumult.local;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The one Quarkus test resource every service shares: starts the real {@link LocalStack} and hands its
 * configuration to the application under test. Init arg {@code postgres=true} adds PostgreSQL.
 */
public class TumultStackResource implements QuarkusTestResourceLifecycleManager {

    private boolean postgres;
    private LocalStack stack;

    @Override
    public void init(Map<String, String> initArgs) {
        postgres = Boolean.parseBoolean(initArgs.getOrDefault("postgres", "false"));
    }

    @Override
    public Map<String, String> start() {
        try {
            stack = LocalStack.start(postgres);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the local stack: " + e.getMessage(), e);
        }
        return stack.config();
    }

    @Override
    public void stop() {
        if (stack != null) {
            stack.close();
        }
    }
}
