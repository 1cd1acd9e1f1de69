package io.tumult.local;

import java.io.IOException;
import java.sql.SQLException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server from zonky's embedded binaries (Maven artifacts), on a free 127.0.0.1 port, with an empty
 * {@value #DATABASE} database. Works as root (zonky runs initdb in a user namespace) and as a normal user.
 */
public final class LocalPostgres implements AutoCloseable {

    public static final String DATABASE = "tumult";
    private static final String USER = "postgres";

    private final EmbeddedPostgres postgres;

    private LocalPostgres(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static LocalPostgres start() throws IOException {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().setPort(FreePort.pick()).start();
        try (var c = postgres.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            postgres.close();
            throw new IOException("cannot create database " + DATABASE + ": " + e.getMessage(), e);
        }
        return new LocalPostgres(postgres);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
    }

    public String reactiveUrl() {
        return "postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
    }

    public String username() {
        return USER;
    }

    /** zonky's server trusts local connections; the password is only there for clients that insist on one. */
    public String password() {
        return USER;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
