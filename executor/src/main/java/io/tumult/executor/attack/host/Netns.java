package io.tumult.executor.attack.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;

/**
 * A network namespace an attack acts in, entered through its path: {@code /run/netns/<name>} for a named namespace,
 * {@code /proc/<pid>/ns/net} of its sandbox for a pod (node agents). Every command an attack runs there, and every
 * undo command it hands to a guard, goes through {@code nsenter --net=<path>}, so nothing is ever run in the
 * executor's own (the host's) namespace by mistake; nftables scripts go to the {@code tumult-nft} helper instead
 * ({@link #nft}), which enters the namespace itself and refuses the executor's own.
 *
 * <p>
 * A pod's namespace is also known by its identity, the namespace's inode, fixed when the fault is planned: a pid's
 * {@code /proc/<pid>/ns/net} names another namespace once that process is gone and its pid reused (the host's, even).
 * Every command, the undo commands a guard or a later executor runs included, enters it only after checking that the
 * path still leads to that inode, else through any process still in it or a name pinning it under {@code /run/netns}
 * (as CRI-O pins a pod's); when none is, the namespace is gone (exit {@link #GONE}), and every rule and device with it.
 *
 * @param name how the namespace is reported (its name, or a pod's {@code namespace/name})
 * @param path the namespace file entered
 * @param inode the namespace's inode, for a pod's; null for a named namespace (its path is its identity)
 */
record Netns(String name, Path path, String inode) {

    /** Exit code of a command whose namespace (known by inode) is gone. */
    static final int GONE = 75;

    /**
     * {@code sh -c} script: $1 the path, $2 the inode, the rest the command. Enters the namespace with that inode
     * through the path, or through any process in it or name pinning it; exits {@link #GONE} when there is none.
     */
    private static final String ENTER_BY_INODE = "p=$1; i=$2; shift 2;"
            + " if [ \"$(stat -L -c %i \"$p\" 2>/dev/null)\" != \"$i\" ]; then p=;"
            + " for d in /proc/[0-9]*/ns/net /run/netns/*; do if [ \"$(stat -L -c %i \"$d\" 2>/dev/null)\" = \"$i\" ];"
            + " then p=$d; break; fi; done;"
            + " if [ -z \"$p\" ]; then echo \"network namespace $i is gone\" >&2; exit " + GONE + "; fi; fi;"
            + " exec nsenter --net=\"$p\" \"$@\"";

    /** Interface names Tumult acts on; Linux allows more (quotes, for example), which could break out of a rule. */
    private static final java.util.regex.Pattern SAFE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    /** A named namespace under {@code /run/netns}. */
    static Netns named(String name) {
        return new Netns(name, NetworkNamespaces.NETNS_DIR.resolve(name), null);
    }

    /** A pod's namespace, entered now through {@code path}, and known from now on by its inode. */
    static Netns ofPod(String name, Path path) {
        return new Netns(name, path, inodeOf(path).orElseThrow(() -> new AttackException(Reason.TARGET_NOT_FOUND,
                "pod " + name + "'s network namespace " + path + " is gone")));
    }

    /** The namespace an injection acts in, from its handle ({@link #handle}). */
    static Netns of(Map<String, String> handle) {
        String name = handle.get("namespace");
        String path = handle.get("netns");
        return path == null ? named(name) : new Netns(name, Path.of(path), handle.get("netnsInode"));
    }

    /** What an injection's handle records of this namespace. */
    Map<String, String> handle() {
        var handle = new java.util.HashMap<String, String>(Map.of("namespace", name, "netns", path.toString()));
        if (inode != null) {
            handle.put("netnsInode", inode);
        }
        return handle;
    }

    /** {@code command} run inside this namespace, as an argv list. */
    List<String> argv(String... command) {
        return argv(Arrays.asList(command));
    }

    /** {@code command} run inside this namespace, as an argv list. */
    List<String> argv(List<String> command) {
        var argv = new ArrayList<String>(command.size() + 6);
        if (inode == null) {
            argv.add("nsenter");
            argv.add("--net=" + path);
        } else {
            argv.addAll(List.of("sh", "-c", ENTER_BY_INODE, "tumult-netns", path.toString(), inode));
        }
        argv.addAll(command);
        return List.copyOf(argv);
    }

    /** Runs {@code command} inside this namespace to completion. */
    HostCommand.Output run(Duration timeout, String stdin, String... command) {
        return HostCommand.run(timeout, stdin, argv(command));
    }

    /**
     * Runs {@code script} (what {@code nft -f -} reads) inside this namespace, through the {@code tumult-nft} helper
     * where it runs, else through {@code nft} ({@link Nftables}).
     */
    HostCommand.Output nft(Duration timeout, String script) {
        return Nftables.shared().run(this, timeout, script);
    }

    /** Whether the namespace still exists (when it is gone, so is every rule and device inside it). */
    boolean exists() {
        return entry().isPresent();
    }

    /**
     * A path that leads to this namespace now: its own path, else (for a pod's, known by inode) any process still in it
     * or a name pinning it; empty when it is gone.
     */
    Optional<Path> entry() {
        if (inode == null) {
            return Files.exists(path) ? Optional.of(path) : Optional.empty();
        }
        if (inodeOf(path).filter(inode::equals).isPresent()) {
            return Optional.of(path);
        }
        String[] pids = Path.of("/proc").toFile().list();
        for (String pid : pids == null ? new String[0] : pids) {
            Path candidate = Path.of("/proc", pid, "ns", "net");
            if (pid.chars().allMatch(Character::isDigit) && inodeOf(candidate).filter(inode::equals).isPresent()) {
                return Optional.of(candidate);
            }
        }
        String[] pinned = NetworkNamespaces.NETNS_DIR.toFile().list();
        for (String name : pinned == null ? new String[0] : pinned) {
            Path candidate = NetworkNamespaces.NETNS_DIR.resolve(name);
            if (inodeOf(candidate).filter(inode::equals).isPresent()) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The inode of the namespace {@code namespace} leads to, when it can be read. */
    static Optional<String> inodeOf(Path namespace) {
        try {
            return Optional.of(String.valueOf(Files.getAttribute(namespace, "unix:ino")));
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty(); // the process is gone, or not ours to read
        }
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
