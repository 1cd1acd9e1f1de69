package io.tumult.executor.attack.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;

import io.tumult.executor.attack.Attack;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.LeftoverSweeper;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;
import io.tumult.schemas.v1.Target;

/**
 * Drops a share of the packets entering and leaving a network namespace with an nftables table owned by the run
 * ({@code inet tumult_<run>}), at a priority ahead of the namespace's own filters. Reverting deletes the table,
 * so nothing of the namespace's own rules is ever changed. Not every kernel has netem (this build machine's has not);
 * nftables with {@code numgen} is everywhere nftables is.
 * <p>
 * {@code percent} is per packet and per direction: each packet entering or leaving is dropped with that probability,
 * so a request/response round trip (a ping) is lost with {@code 1 - (1 - p)^2}; 100 % is a full partition.
 */
@ApplicationScoped
public class NetworkLossAttack implements Attack<NetworkLoss>, LeftoverSweeper {

    static final String FAMILY = "inet";

    private final ExecutorConfig config;

    /** Public for tools and benchmarks that drive an attack without CDI. */
    public NetworkLossAttack(ExecutorConfig config) {
        this.config = config;
    }

    @Override
    public Class<NetworkLoss> specType() {
        return NetworkLoss.class;
    }

    @Override
    public List<ResolvedTarget> resolve(Target target) {
        if (!(target instanceof NetworkNamespaceTarget ns)) {
            throw new AttackException(Reason.UNSUPPORTED_KIND,
                    "network-loss acts on network-namespace targets, not " + target.kind());
        }
        return NetworkNamespaces.resolve(ns, config.allowedNamespacePrefixes());
    }

    @Override
    public Injection plan(UUID runId, NetworkLoss spec, ResolvedTarget target) {
        String table = tableFor(runId);
        return new Injection(NetworkLoss.KIND, target, Map.of("namespace", target.name(), "table", table),
                List.of(List.of("ip", "netns", "exec", target.name(), "nft", "delete", "table", FAMILY, table)));
    }

    @Override
    public void apply(NetworkLoss spec, Injection injection) {
        ResolvedTarget target = injection.target();
        // checked again right before acting: apply may be called without resolve (replay after a restart)
        NetworkNamespaces.resolve(new NetworkNamespaceTarget(target.name()), config.allowedNamespacePrefixes());
        String table = injection.handle().get("table");
        String verdict = spec.percent() >= 100 ? "drop" : "numgen random mod 100 < " + spec.percent() + " drop";
        // delete-then-add in one transaction: re-injecting replaces the table instead of failing or stacking
        String ruleset = String.join("\n",
                "table " + FAMILY + " " + table + " {}",
                "delete table " + FAMILY + " " + table,
                "table " + FAMILY + " " + table + " {",
                "  chain ingress_loss { type filter hook input priority -300; policy accept; " + verdict + "; }",
                "  chain egress_loss { type filter hook output priority -300; policy accept; " + verdict + "; }",
                "}", "");
        RuntimeException failure;
        try {
            var out = nft(target.name(), ruleset, "-f", "-");
            failure = out.exitCode() == 0 ? null
                    : new AttackException(Reason.INTERNAL, "nft refused the loss table in " + target.name() + ": "
                            + out.stderr().strip());
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
        String namespace = injection.handle().get("namespace");
        String table = injection.handle().get("table");
        if (!NetworkNamespaces.NETNS_DIR.resolve(namespace).toFile().exists()) {
            return; // the namespace is gone, and every rule with it
        }
        var out = nft(namespace, null, "delete", "table", FAMILY, table);
        if (out.exitCode() != 0 && !out.stderr().contains("No such file or directory")) {
            throw new AttackException(Reason.INTERNAL, "cannot delete " + table + " in " + namespace + ": "
                    + out.stderr().strip());
        }
    }

    /**
     * Deletes the loss tables ({@code inet tumult_<run>}) of runs not active here, in every named namespace within
     * the allowed prefixes. Without {@code allowed-namespace-prefixes} it sweeps nothing: an unconfined executor
     * cannot tell its namespaces from those of other Tumult users of the host (the journal still covers its own).
     */
    @Override
    public List<Swept> sweep(Predicate<UUID> active) {
        if (config.allowedNamespacePrefixes().isEmpty()) {
            return List.of();
        }
        var swept = new ArrayList<Swept>();
        String[] names = NetworkNamespaces.NETNS_DIR.toFile().list();
        for (String namespace : names == null ? new String[0] : names) {
            List<ResolvedTarget> resolved;
            try {
                resolved = NetworkNamespaces.resolve(new NetworkNamespaceTarget(namespace),
                        config.allowedNamespacePrefixes());
            } catch (AttackException e) {
                continue; // outside the prefixes, or the host's own: never ours to touch
            }
            var out = nft(namespace, null, "list", "tables", FAMILY);
            if (out.exitCode() != 0) {
                throw new AttackException(Reason.INTERNAL, "cannot list the tables in " + namespace + ": "
                        + out.stderr().strip());
            }
            for (String line : out.stdout().split("\n")) {
                String[] words = line.strip().split(" ");
                if (words.length != 3 || !words[0].equals("table") || !words[2].startsWith("tumult_")) {
                    continue;
                }
                Optional<UUID> runId = LeftoverSweeper.runIdIn(words[2]);
                if (runId.isPresent() && active.test(runId.get())) {
                    continue;
                }
                var injection = new Injection(NetworkLoss.KIND, resolved.get(0),
                        Map.of("namespace", namespace, "table", words[2]),
                        List.of(List.of("ip", "netns", "exec", namespace, "nft", "delete", "table", FAMILY, words[2])));
                recover(injection);
                swept.add(new Swept(runId, "nftables table " + FAMILY + " " + words[2] + " in " + namespace));
            }
        }
        return swept;
    }

    /** The table a run owns: its name carries the run id, so recovery after a restart can find it. */
    static String tableFor(UUID runId) {
        return "tumult_" + runId.toString().replace("-", "");
    }

    private HostCommand.Output nft(String namespace, String stdin, String... args) {
        var command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "nft"));
        command.addAll(List.of(args));
        return HostCommand.run(config.commandTimeout(), stdin, command);
    }
}
