package io.tumult.executor.attack;

import java.util.List;
import java.util.Map;

/**
 * A fault in place on one target, with everything its recovery needs. Recovery uses nothing else, so an injection
 * is enough to revert after a restart.
 *
 * @param kind the attack kind
 * @param target the target acted on
 * @param handle what {@link Attack#recover} needs, for example the namespace and nftables table
 * @param undo the same revert as plain commands (argv lists, run in order, each on its own), for a guard outside
 *        the JVM and for start-up recovery: they run without this process, so they name everything they touch.
 *        Each must be harmless when the fault is already gone (its failure is then ignored): they may run twice.
 */
public record Injection(String kind, ResolvedTarget target, Map<String, String> handle, List<List<String>> undo) {

    public Injection {
        handle = Map.copyOf(handle);
        undo = undo.stream().map(List::copyOf).toList();
        if (undo.isEmpty() || undo.stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException("an injection needs at least one non-empty undo command: " + kind);
        }
    }
}
