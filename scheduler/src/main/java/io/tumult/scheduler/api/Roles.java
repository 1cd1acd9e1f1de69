package io.tumult.scheduler.api;

/**
 * The roles a bearer token carries in its {@code groups} claim. Each includes what the one before it may do: a viewer
 * reads; an operator also changes experiments, starts and aborts runs, and halts everything; an admin also releases a
 * halt.
 */
public final class Roles {

    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
