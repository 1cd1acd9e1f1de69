package io.tumult.executor.attack.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;

/**
 * A network namespace an attack acts in, entered through its path: {@code /run/netns/<name>} for a named namespace,
 * {@code /proc/<pid>/ns/net} of its sandbox for a pod (node agents). Every command an attack runs there, and every
 * undo command it hands to a guard, goes through {@code nsenter --net=<path>}, so nothing is ever run in the
 * executor's own (the host's) namespace by mistake.
 *
 * @param name how the namespace is reported (its name, or a pod's {@code namespace/name})
 * @param path the namespace file entered
 */
record Netns(String name, Path path) {

    /** Interface names Tumult acts on; Linux allows more (quotes, for example), which could break out of a rule. */
    private static final java.util.regex.Pattern SAFE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    /** A named namespace under {@code /run/netns}. */
    static Netns named(String name) {
        return new Netns(name, NetworkNamespaces.NETNS_DIR.resolve(name));
    }

    /** {@code command} run inside this namespace, as an argv list. */
    List<String> argv(String... command) {
        return argv(Arrays.asList(command));
    }

    /** {@code command} run inside this namespace, as an argv list. */
    List<String> argv(List<String> command) {
        var argv = new ArrayList<String>(command.size() + 2);
        argv.add("nsenter");
        argv.add("--net=" + path);
        argv.addAll(command);
        return List.copyOf(argv);
    }

    /** Runs {@code command} inside this namespace to completion. */
    HostCommand.Output run(Duration timeout, String stdin, String... command) {
        return HostCommand.run(timeout, stdin, argv(command));
    }

    /** Whether the namespace still exists (when it is gone, so is every rule and device inside it). */
    boolean exists() {
        return Files.exists(path);
    }

    /** The namespace's interfaces but {@code lo}, as {@code ip -o link show} lists them. */
    List<String> interfaces(Duration timeout) {
        var out = run(timeout, null, "ip", "-o", "link", "show");
        if (out.exitCode() != 0) {
            throw new AttackException(Reason.INTERNAL, "cannot list the interfaces of " + name + ": "
                    + out.stderr().strip());
        }
        // "2: eth0@if3: <BROADCAST,...> mtu 1500 ..."
        return out.stdout().lines().map(l -> l.split(": ", 3)).filter(p -> p.length >= 2)
                .map(p -> p[1].split("@")[0].strip()).filter(n -> !n.equals("lo")).toList();
    }

    /**
     * The interfaces an attack acts on: {@code requested} when given and present, else every interface but {@code lo}.
     *
     * @throws AttackException TARGET_NOT_FOUND naming the interface that is not there, or saying there is none
     */
    List<String> targetInterfaces(Optional<String> requested, Duration timeout) {
        List<String> present = interfaces(timeout);
        List<String> chosen;
        if (requested.isPresent()) {
            if (!present.contains(requested.get())) {
                throw new AttackException(Reason.TARGET_NOT_FOUND, "network namespace " + name
                        + " has no interface " + requested.get() + " (it has " + present + ")");
            }
            chosen = List.of(requested.get());
        } else if (present.isEmpty()) {
            throw new AttackException(Reason.TARGET_NOT_FOUND, "network namespace " + name
                    + " has no interface but lo: nothing to act on");
        } else {
            chosen = present;
        }
        // names end up inside nft and tc arguments: refuse any a rule could not quote safely
        chosen.stream().filter(n -> !SAFE_NAME.matcher(n).matches()).findFirst().ifPresent(n -> {
            throw new AttackException(Reason.PERMISSION_DENIED, "network namespace " + name + " has an interface "
                    + "whose name Tumult will not put into a rule: '" + n + "'; name another with 'interface'");
        });
        return chosen;
    }
}
