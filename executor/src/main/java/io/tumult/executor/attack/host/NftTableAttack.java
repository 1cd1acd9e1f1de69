package io.tumult.executor.attack.host;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.LeftoverSweeper;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.executor.kubernetes.NodePods;
import io.tumult.schemas.v1.AttackSpec;
import io.tumult.schemas.v1.Target;

/**
 * A network fault that is one nftables table owned by the run ({@code tumult_<run>}) inside the target's network
 * namespace. Applying replaces the table in one transaction (never stacks); reverting deletes it, so nothing of the
 * namespace's own rules is ever changed. Subclasses only say what the table holds.
 */
abstract class NftTableAttack<S extends AttackSpec> implements OnNetworkTargets<S> {

    protected final ExecutorConfig config;
    private final NetworkTargets targets;

    /** On named network namespaces only. */
    NftTableAttack(ExecutorConfig config) {
        this(config, NodePods.none());
    }

    /** On named network namespaces, and on pods (their network namespace on this node) for kinds that take them. */
    NftTableAttack(ExecutorConfig config, NodePods pods) {
        this.config = config;
        this.targets = new NetworkTargets(config, pods);
    }

    /** For the CDI client proxies of the {@code @ApplicationScoped} subclasses only; never called to act. */
    protected NftTableAttack() {
        this.config = null;
        this.targets = null;
    }

    /** The kind's wire name, for messages. */
    abstract String kind();

    /** The table's family: {@code inet} (IPv4 and IPv6 hooks) or {@code netdev} (per-interface hooks). */
    String family() {
        return "inet";
    }

    /** Whether the table's chains name interfaces, which are then resolved (and checked) at plan time. */
    boolean needsInterfaces() {
        return false;
    }

    /** The requested interface, when the spec names one. */
    java.util.Optional<String> requestedInterface(S spec) {
        return java.util.Optional.empty();
    }

    /** The table's chains (and sets), as nft statements between the table's braces. */
    abstract List<String> chains(S spec, List<String> interfaces);

    @Override
    public NetworkTargets networkTargets() {
        return targets;
    }

    @Override
    public List<ResolvedTarget> resolve(UUID runId, Target target) {
        return targets.resolve(kind(), kind(), List.of("nft"), runId, target);
    }

    @Override
    public Injection plan(UUID runId, S spec, ResolvedTarget target) {
        Netns ns = targets.netns(target);
        String table = tableFor(runId);
        String interfaces = "";
        if (needsInterfaces()) {
            // reads the namespace, changes nothing: an unknown interface refuses the run here
            interfaces = String.join(",", ns.targetInterfaces(requestedInterface(spec), config.commandTimeout()));
        }
        var handle = ns.handle();
        handle.putAll(Map.of("table", table, "family", family(), "interfaces", interfaces));
        return new Injection(kind(), target, handle, List.of(ns.argv("nft", "delete", "table", family(), table)));
    }

    @Override
    public void apply(S spec, Injection injection) {
        // checked again right before acting: apply may be called without resolve (replay after a restart)
        targets.recheck(kind(), List.of("nft"), injection);
        Netns ns = netns(injection);
        String table = injection.handle().get("table");
        String interfaces = injection.handle().get("interfaces");
        var ruleset = new StringBuilder();
        // create-delete-create in one transaction: re-injecting replaces the table instead of failing or stacking
        ruleset.append("table ").append(family()).append(' ').append(table).append(" {}\n");
        ruleset.append("delete table ").append(family()).append(' ').append(table).append('\n');
        ruleset.append("table ").append(family()).append(' ').append(table).append(" {\n");
        for (String line : chains(spec, interfaces.isEmpty() ? List.of() : List.of(interfaces.split(",")))) {
            ruleset.append("  ").append(line).append('\n');
        }
        ruleset.append("}\n");
        RuntimeException failure;
        try {
            var out = ns.nft(config.commandTimeout(), ruleset.toString());
            failure = out.exitCode() == 0 ? null
                    : new AttackException(Reason.INTERNAL, "nft refused the " + kind() + " table in " + ns.name()
                            + ": " + out.stderr().strip());
        } catch (RuntimeException e) { // timed out or interrupted: the table may be in place though nft never answered
            failure = e;
        }
        if (failure != null) {
            try {
                recover(injection);
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
    }

    @Override
    public void recover(Injection injection) {
        Netns ns = netns(injection);
        String table = injection.handle().get("table");
        String family = injection.handle().getOrDefault("family", family());
        // a namespace that is gone (and every rule with it) answers GONE, or "No such file" for a named one
        var out = ns.nft(config.commandTimeout(), "delete table " + family + " " + table);
        if (out.exitCode() != 0 && out.exitCode() != Netns.GONE && !out.stderr().contains("No such file or directory")) {
            throw new AttackException(Reason.INTERNAL, "cannot delete " + table + " in " + ns.name() + ": "
                    + out.stderr().strip());
        }
    }

    /** The namespace an injection acts in (its path is in the handle; older handles only carry the name). */
    static Netns netns(Injection injection) {
        return Netns.of(injection.handle());
    }

    /**
     * Deletes, in {@code ns}, every {@code tumult_<run>} table (any family: every nftables attack names its table so)
     * whose run {@code active} does not claim; a start-up sweep's work. {@code where} names the namespace in what is
     * returned and in errors.
     *
     * @throws AttackException when the tables cannot be listed, or one cannot be deleted
     */
    static List<LeftoverSweeper.Swept> sweepTables(Netns ns, String where, java.util.function.Predicate<UUID> active,
            java.time.Duration timeout) {
        var out = ns.nft(timeout, "list tables");
        if (out.exitCode() == Netns.GONE) {
            return List.of();
        }
        if (out.exitCode() != 0) {
            throw new AttackException(Reason.INTERNAL, "cannot list the tables in " + where + ": "
                    + out.stderr().strip());
        }
        var swept = new java.util.ArrayList<LeftoverSweeper.Swept>();
        for (String line : out.stdout().split("\n")) {
            String[] words = line.strip().split(" ");
            if (words.length != 3 || !words[0].equals("table") || !words[2].startsWith("tumult_")) {
                continue;
            }
            java.util.Optional<UUID> runId = LeftoverSweeper.runIdIn(words[2]);
            if (runId.isPresent() && active.test(runId.get())) {
                continue;
            }
            var deleted = ns.nft(timeout, "delete table " + words[1] + " " + words[2]);
            if (deleted.exitCode() != 0 && deleted.exitCode() != Netns.GONE
                    && !deleted.stderr().contains("No such file or directory")) {
                throw new AttackException(Reason.INTERNAL, "cannot delete " + words[2] + " in " + where + ": "
                        + deleted.stderr().strip());
            }
            swept.add(new LeftoverSweeper.Swept(runId, "nftables table " + words[1] + " " + words[2] + " in " + where));
        }
        return swept;
    }

    /** The table a run owns: its name carries the run id, so recovery after a restart can find it. */
    static String tableFor(UUID runId) {
        return "tumult_" + runId.toString().replace("-", "");
    }

    /** nft's set syntax for {@code values}: {@code { a, b }}. */
    static String set(List<?> values) {
        return "{ " + String.join(", ", values.stream().map(String::valueOf).toList()) + " }";
    }
}
