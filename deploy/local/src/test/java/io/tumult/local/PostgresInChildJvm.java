package io.tumult.local;

/** A JVM that starts {@link LocalPostgres}, prints its postmaster's pid, and waits to be killed. */
public final class PostgresInChildJvm {

    private PostgresInChildJvm() {
    }

    public static void main(String[] args) throws Exception {
        LocalPostgres postgres = LocalPostgres.start();
        System.out.println("postmaster " + postgres.postmaster().orElseThrow().pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
