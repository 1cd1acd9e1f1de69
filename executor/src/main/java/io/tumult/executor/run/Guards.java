package io.tumult.executor.run;

/** Arms a guard outside this JVM for each journaled injection; see {@link ProcessGuards}. */
public interface Guards {

    /** Arms a guard that runs {@code entry}'s undo if this process dies or the run's deadline passes. */
    Guard arm(JournalEntry entry);

    /** One armed guard. */
    interface Guard {

        /** Stands the guard down without running the undo (this process reverted); it is gone when this returns. */
        void disarm();
    }

    /** No guards, for tests that are not about crashes. */
    static Guards none() {
        return entry -> () -> {
        };
    }
}
