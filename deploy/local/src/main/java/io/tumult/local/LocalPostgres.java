package io.tumult.local;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server from zonky's embedded binaries (Maven artifacts), on a free 127.0.0.1 port, with an empty
 * {@value #DATABASE} database. Works as root (zonky runs initdb in a user namespace) and as a normal user.
 * <p>
 * The server cannot outlive this JVM: {@code pg_ctl} detaches the postmaster from us, so a small shell guard holds a
 * pipe from this JVM on its stdin, and when the pipe closes without a clean stop before it ({@code kill -9} of this
 * JVM) it stops the postmaster named in the data directory's {@code postmaster.pid} with SIGQUIT (what
 * {@code pg_ctl stop -m immediate} sends), and with SIGKILL if it is still there five seconds later. After a clean
 * {@link #close()} the pid file is gone and the guard does nothing, so it never signals a reused pid.
 */
public final class LocalPostgres implements AutoCloseable {

    public static final String DATABASE = "tumult";
    private static final String USER = "postgres";

    /**
     * $1 is the data directory. Ctrl-C in a terminal signals the whole foreground process group: the guard ignores
     * SIGINT and SIGHUP, so that this JVM's shutdown stops the server cleanly first.
     */
    private static final String GUARD = "trap '' INT HUP; cat >/dev/null;"
            + " pid=$(head -n 1 \"$1/postmaster.pid\" 2>/dev/null) && [ -n \"$pid\" ] || exit 0;"
            + " kill -QUIT \"$pid\" 2>/dev/null || exit 0;"
            + " for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 \"$pid\" 2>/dev/null || exit 0; sleep 0.5; done;"
            + " kill -KILL \"$pid\" 2>/dev/null";

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final Process guard;
    private final OutputStream lifeline;

    private LocalPostgres(EmbeddedPostgres postgres, Path dataDirectory, Process guard) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.guard = guard;
        this.lifeline = guard.getOutputStream();
    }

    public static LocalPostgres start() throws IOException {
        var dataDirectory = new AtomicReference<File>();
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().setPort(FreePort.pick())
                .setDataDirectoryCustomizer(dataDirectory::set).start();
        Process guard = null;
        try {
            guard = new ProcessBuilder("sh", "-c", GUARD, "tumult-postgres-guard",
                    dataDirectory.get().getAbsolutePath())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try (var c = postgres.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
                s.execute("CREATE DATABASE " + DATABASE);
            }
        } catch (SQLException | IOException | RuntimeException e) {
            postgres.close();
            if (guard != null) {
                guard.getOutputStream().close();
            }
            throw new IOException("cannot start PostgreSQL with database " + DATABASE + ": " + e.getMessage(), e);
        }
        return new LocalPostgres(postgres, dataDirectory.get().toPath(), guard);
    }

    /** The postmaster, as its pid file names it, while it runs. */
    public Optional<ProcessHandle> postmaster() {
        try {
            List<String> pidFile = Files.readAllLines(dataDirectory.resolve("postmaster.pid"));
            return pidFile.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(pidFile.get(0).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The postmaster and its children (backends, background workers), for tests that check nothing is left. */
    public List<ProcessHandle> processes() {
        var all = new ArrayList<ProcessHandle>();
        postmaster().ifPresent(p -> {
            all.add(p);
            p.descendants().forEach(all::add);
        });
        return all;
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
        try {
            postgres.close(); // pg_ctl stop, which removes the pid file: the guard then has nothing to stop
        } finally {
            lifeline.close();
            try {
                guard.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
