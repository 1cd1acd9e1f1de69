package io.tumult.executor.attack;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Finds and removes what an attack leaves on the host, by tag only: kernel objects, cgroups or processes named
 * {@code tumult_<run id without dashes>} or {@code tumult-<run id>}. Start-up recovery calls every sweeper (a CDI
 * bean; an {@link Attack} may implement this too) before any run is taken, after the journal's entries are reverted.
 * A sweeper must stay within what this executor may touch (the allowed namespace prefixes, its own cgroups).
 */
public interface LeftoverSweeper {

    /** One thing removed: the run it carried, when its tag names one, and what it was. */
    record Swept(Optional<UUID> runId, String what) {
    }

    /**
     * Removes every tagged leftover whose run {@code active} does not claim, and returns what was removed.
     *
     * @throws AttackException when a leftover could not be removed (recovery reports it and goes on)
     */
    List<Swept> sweep(Predicate<UUID> active);

    /** The run id in a tag {@code tumult_<32 hex>} or {@code tumult-<uuid>}, if it holds one. */
    static Optional<UUID> runIdIn(String tag) {
        String rest;
        if (tag.startsWith("tumult_") || tag.startsWith("tumult-")) {
            rest = tag.substring("tumult_".length());
        } else {
            return Optional.empty();
        }
        String hex = rest.replace("-", "");
        if (!hex.matches("[0-9a-f]{32}")) {
            return Optional.empty();
        }
        return Optional.of(UUID.fromString(hex.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5")));
    }
}
