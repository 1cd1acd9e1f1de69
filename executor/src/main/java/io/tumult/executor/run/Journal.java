package io.tumult.executor.run;

import java.util.List;

/**
 * Durable record of the injections that may be in place. The engine writes an entry after an attack plans an
 * injection and before it is applied, and removes it once the injection is reverted; whatever is still journaled on
 * start-up was left by an executor that died, and is reverted then.
 */
public interface Journal {

    /** Stores {@code entry} durably; returns only once it would survive a crash. Replaces an equal entry. */
    void record(JournalEntry entry);

    /** Removes {@code entry}: its injection is reverted. Removing what is not there is not an error. */
    void remove(JournalEntry entry);

    /** Every entry stored, oldest first. */
    List<JournalEntry> entries();

    /** A journal that keeps nothing, for tests that are not about crashes. */
    static Journal none() {
        return new Journal() {
            @Override
            public void record(JournalEntry entry) {
            }

            @Override
            public void remove(JournalEntry entry) {
            }

            @Override
            public List<JournalEntry> entries() {
                return List.of();
            }
        };
    }
}
