package io.tumult.executor.attack.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.LeftoverSweeper;
import io.tumult.executor.attack.LeftoverSweeper.Swept;

/**
 * The kernel objects of a run's traffic-control faults ({@code network-bandwidth}, {@code network-latency}) in one
 * network namespace, found again without the journal. Their objects cannot carry the run id whole (a qdisc's handle
 * has 16 bits, an interface name 15 characters), so each such fault first puts an empty nftables table
 * {@code tumult_<run>} (the marker, {@link NftTableAttack#tableFor}) into the namespace and deletes it last. The
 * start-up sweep reads the markers of runs not active here and removes, for each, what its faults make, all derived
 * from the run id: root {@code tbf} or {@code netem} qdiscs with the run's handle, an ingress qdisc redirecting to
 * the run's IFB devices ({@code tmb<10 hex><index>}), those devices, iptables rules commented {@code tumult_<run>},
 * and the run's {@code tumult-delayq} helpers in the namespace. Then the table sweep deletes the marker.
 */
final class TrafficControlLeftovers {

    private static final Logger LOG = Logger.getLogger(TrafficControlLeftovers.class);
    private static final Pattern MARKER = Pattern.compile("table (\\S+) (tumult_[0-9a-f]{32})");

    private TrafficControlLeftovers() {
    }

    /**
     * A run's qdisc handle major, in hex, as both attacks derive it and as {@code tc qdisc show} prints it: without
     * leading zeros, so a run id starting {@code 0} still matches what the kernel reports. Never {@code 0} (tc's
     * "unspecified").
     */
    static String handleFor(UUID runId) {
        int major = Integer.parseInt(runId.toString().substring(0, 4), 16);
        return Integer.toHexString(major == 0 ? 0x7475 : major);
    }

    /**
     * A recorded qdisc handle ({@code 0150} or {@code 0150:}) as {@code tc qdisc show} prints it ({@code 150:}): a
     * journal written before {@link #handleFor} dropped leading zeros is still checked against what the kernel shows.
     */
    static String asPrinted(String handle) {
        String major = handle.endsWith(":") ? handle.substring(0, handle.length() - 1) : handle;
        return Integer.toHexString(Integer.parseInt(major, 16)) + ":";
    }

    /** The run's IFB device for its {@code index}-th interface. */
    static String ifbFor(UUID runId, int index) {
        return String.format("tmb%s%02d", ifbPrefix(runId).substring(3), index);
    }

    /** The command (to run in the namespace) putting the run's marker there, before any of its objects. */
    static List<String> addMarker(UUID runId) {
        return List.of("nft", "add", "table", "inet", NftTableAttack.tableFor(runId));
    }

    /**
     * The command (to run in the namespace) deleting the run's marker, after all its objects: the last of the
     * injection's undo commands when its handle says {@code marker=true}.
     */
    static List<String> deleteMarker(UUID runId) {
        return List.of("nft", "delete", "table", "inet", NftTableAttack.tableFor(runId));
    }

    /**
     * Runs an injection's undo commands, each harmless when its object is already gone, but the marker's: that one is
     * left for {@link #dropMarker} once the revert is checked, so a revert that did not take keeps its tag.
     */
    static void undoAllButMarker(io.tumult.executor.attack.Injection injection, Duration timeout) {
        List<List<String>> undo = injection.undo();
        int objects = "true".equals(injection.handle().get("marker")) ? undo.size() - 1 : undo.size();
        for (List<String> command : undo.subList(0, objects)) {
            HostCommand.run(timeout, null, command);
        }
    }

    /** Deletes the injection's marker, once its objects are checked gone. */
    static void dropMarker(io.tumult.executor.attack.Injection injection, Duration timeout) {
        if ("true".equals(injection.handle().get("marker"))) {
            HostCommand.run(timeout, null, injection.undo().get(injection.undo().size() - 1));
        }
    }

    /**
     * Removes, in {@code ns}, the traffic-control objects of every run whose marker is there and that {@code active}
     * does not claim. The markers are left to the table sweep. Tools missing here mean none of their objects can be.
     *
     * @throws AttackException when an object is found and cannot be removed
     */
    static List<Swept> sweep(Netns ns, String where, Predicate<UUID> active, Duration timeout) {
        if (!HostCommand.onPath("nft")) {
            return List.of();
        }
        var tables = ns.nft(timeout, "list tables");
        if (tables.exitCode() != 0) {
            return List.of(); // gone, or unreadable: the table sweep says so
        }
        var swept = new ArrayList<Swept>();
        for (String line : tables.stdout().split("\n")) {
            var marker = MARKER.matcher(line.strip());
            if (!marker.matches()) {
                continue;
            }
            Optional<UUID> runId = LeftoverSweeper.runIdIn(marker.group(2));
            if (runId.isEmpty() || active.test(runId.get())) {
                continue;
            }
            swept.addAll(sweepRun(ns, where, runId.get(), timeout));
        }
        return swept;
    }

    private static List<Swept> sweepRun(Netns ns, String where, UUID runId, Duration timeout) {
        var swept = new ArrayList<Swept>();
        String handle = handleFor(runId) + ":";
        String ifbPrefix = ifbPrefix(runId);
        if (HostCommand.onPath("tc")) {
            for (String device : ns.interfaces(timeout)) {
                String qdiscs = ns.run(timeout, null, "tc", "qdisc", "show", "dev", device).stdout();
                if (Pattern.compile("qdisc (tbf|netem) " + handle + " root").matcher(qdiscs).find()) {
                    remove(ns, timeout, List.of("tc", "qdisc", "del", "dev", device, "root", "handle", handle));
                    swept.add(new Swept(Optional.of(runId), "root qdisc " + handle + " on " + device + " in " + where));
                }
                if (qdiscs.contains("qdisc ingress ffff:")) {
                    String filters = ns.run(timeout, null, "tc", "filter", "show", "dev", device, "parent", "ffff:")
                            .stdout();
                    if (filters.contains("to device " + ifbPrefix)) {
                        remove(ns, timeout, List.of("tc", "qdisc", "del", "dev", device, "ingress"));
                        swept.add(new Swept(Optional.of(runId), "ingress redirect on " + device + " in " + where));
                    }
                }
            }
            for (String device : ns.interfaces(timeout)) {
                if (device.startsWith(ifbPrefix)) {
                    remove(ns, timeout, List.of("ip", "link", "del", device));
                    swept.add(new Swept(Optional.of(runId), "IFB device " + device + " in " + where));
                }
            }
        }
        String tag = NftTableAttack.tableFor(runId);
        for (String iptables : List.of("iptables", "ip6tables")) {
            if (!HostCommand.onPath(iptables)) {
                continue;
            }
            for (String rule : ns.run(timeout, null, iptables, "-w", "-S", "OUTPUT").stdout().split("\n")) {
                if (rule.startsWith("-A OUTPUT ") && rule.contains("--comment " + tag + " ")) {
                    var delete = new ArrayList<>(List.of(iptables, "-w", "-D"));
                    delete.addAll(List.of(rule.substring("-A ".length()).split(" ")));
                    remove(ns, timeout, delete);
                    swept.add(new Swept(Optional.of(runId), iptables + " rule " + tag + " in " + where));
                }
            }
        }
        swept.addAll(stopHelpers(ns, where, runId, tag, timeout));
        return swept;
    }

    /** SIGTERM to the run's delay helpers whose network namespace is {@code ns} (they accept what they still hold). */
    private static List<Swept> stopHelpers(Netns ns, String where, UUID runId, String tag, Duration timeout) {
        Optional<String> inode = ns.inode() != null ? Optional.of(ns.inode()) : Netns.inodeOf(ns.path());
        if (inode.isEmpty()) {
            return List.of();
        }
        Pattern helper = Pattern.compile(".*" + NetworkLatencyAttack.helperPattern(tag));
        var swept = new ArrayList<Swept>();
        ProcessHandle.allProcesses().filter(p -> helper.matcher(commandLine(p.pid())).matches())
                .filter(p -> Netns.inodeOf(Path.of("/proc", Long.toString(p.pid()), "ns", "net")).equals(inode))
                .forEach(p -> {
                    p.destroy();
                    swept.add(new Swept(Optional.of(runId), HelperBinary.DELAYQ + " " + p.pid() + " in " + where));
                });
        return swept;
    }

    private static void remove(Netns ns, Duration timeout, List<String> command) {
        var out = ns.run(timeout, null, command.toArray(String[]::new));
        if (out.exitCode() != 0 && out.exitCode() != Netns.GONE) {
            throw new AttackException(Reason.INTERNAL, "cannot remove a leftover in " + ns.name() + " ("
                    + String.join(" ", command) + "): " + out.stderr().strip());
        }
        LOG.debugf("removed in %s: %s", ns.name(), String.join(" ", command));
    }

    private static String ifbPrefix(UUID runId) {
        return "tmb" + runId.toString().replace("-", "").substring(0, 10);
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }
}
