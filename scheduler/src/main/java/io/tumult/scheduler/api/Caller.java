package io.tumult.scheduler.api;

import jakarta.enterprise.context.RequestScoped;

import io.quarkus.security.identity.SecurityIdentity;

/** Who is calling, as runs and versions record it: {@code user:<name from the token>}. */
@RequestScoped
public class Caller {

    private final SecurityIdentity identity;

    Caller(SecurityIdentity identity) {
        this.identity = identity;
    }

    public String name() {
        return identity.isAnonymous() ? "anonymous" : "user:" + identity.getPrincipal().getName();
    }
}
