package io.tumult.executor.attack.host;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;

/**
 * Runs nftables scripts inside network namespaces through one long-lived helper, {@code tumult-nft} (C, built at first
 * use: {@link HelperBinary}), which enters each namespace with {@code setns(2)}, calls libnftables (the library
 * {@code nft} is built on) and comes back out. Spawning {@code nsenter} and {@code nft} for each script costs tens of
 * milliseconds here, most of a run's start; a request to the helper is a pipe round trip and the kernel's work
 * (BENCHMARKS.md). The helper, not the JVM, calls the library: libnftables {@code select()}s on its netlink socket,
 * which aborts a process holding more than {@code FD_SETSIZE} (1024) descriptors, as a busy JVM can.
 *
 * <p>
 * It fails safe to {@code nsenter … nft -f -}: when the helper cannot be built (no C compiler or no libnftables), with
 * {@code -Dtumult.nftables=exec}, and for good after {@value #MAX_FAILURES} helper failures (a helper that dies or does
 * not answer in time is killed, and the script is run by {@code nft}: every script Tumult sends may be run twice).
 * The helper never acts in its own (the executor's) namespace, and exits when the executor's end of its pipe closes.
 * Undo commands handed to guards still run {@code nft}: a guard outlives this JVM.
 */
final class Nftables {

    private static final Logger LOG = Logger.getLogger(Nftables.class);
    private static final int MAX_FAILURES = 3;
    private static final Duration BUILD_TIMEOUT = Duration.ofSeconds(20);

    private static final Nftables SHARED = new Nftables(HelperBinary.nftables(),
            "exec".equals(System.getProperty("tumult.nftables")) ? "-Dtumult.nftables=exec" : null);

    private final HelperBinary binary;
    /** The one thread talking to the helper: requests are answered in order. */
    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> {
        var t = new Thread(r, "tumult-nftables");
        t.setDaemon(true);
        return t;
    });
    private volatile String execBecause;
    private volatile Process helper;
    private DataOutputStream toHelper;
    private DataInputStream fromHelper;
    private int failures;

    private Nftables(HelperBinary binary, String execBecause) {
        this.binary = binary;
        this.execBecause = execBecause;
    }

    /** The executor's one instance. */
    static Nftables shared() {
        return SHARED;
    }

    /** The running helper's process, for tests. */
    Optional<ProcessHandle> helperHandle() {
        Process running = helper;
        return running == null ? Optional.empty() : Optional.of(running.toHandle());
    }

    /** Why scripts are run through {@code nft} processes, or empty while they go through the helper. */
    Optional<String> execBecause() {
        return Optional.ofNullable(execBecause);
    }

    /** Builds and starts the helper now, in the background, so that no run's start pays for it. */
    void warmUp() {
        if (execBecause == null) {
            try {
                io.submit(() -> {
                    helperProcess();
                    return null;
                });
            } catch (RejectedExecutionException e) {
                // shutting down
            }
        }
    }

    /**
     * Runs {@code script} (what {@code nft -f -} reads) inside {@code ns}, as one transaction; the result is what nft
     * would have printed and its exit code ({@link Netns#GONE} when a pod's namespace is gone).
     *
     * @throws AttackException INTERNAL when it does not finish within {@code timeout}
     */
    HostCommand.Output run(Netns ns, Duration timeout, String script) {
        if (execBecause != null) {
            return exec(ns, timeout, script);
        }
        Future<HostCommand.Output> call;
        try {
            call = io.submit(() -> request(ns, timeout, script));
        } catch (RejectedExecutionException e) {
            return exec(ns, timeout, script);
        }
        try {
            return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            Process stuck = helper;
            if (stuck != null) {
                stuck.destroyForcibly(); // unblocks the I/O thread, which counts the failure
            }
            throw new AttackException(Reason.INTERNAL, "nftables did not answer within " + timeout + " in "
                    + ns.name());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AttackException(Reason.INTERNAL, "interrupted running nftables in " + ns.name(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AttackException a) {
                throw a;
            }
            throw new AttackException(Reason.INTERNAL, "nftables failed in " + ns.name() + ": " + e.getCause(),
                    e.getCause());
        }
    }

    /** On the I/O thread. */
    private HostCommand.Output request(Netns ns, Duration timeout, String script) {
        Optional<Path> entry = ns.entry();
        if (entry.isEmpty()) {
            return ns.inode() != null
                    ? new HostCommand.Output(Netns.GONE, "", "network namespace " + ns.inode() + " is gone")
                    : new HostCommand.Output(1, "", "cannot open " + ns.path() + ": No such file or directory");
        }
        if (execBecause != null || helperProcess() == null) {
            return exec(ns, timeout, script);
        }
        try {
            writeField(entry.get().toString());
            writeField(ns.inode() == null ? "" : ns.inode());
            writeField(script);
            toHelper.flush();
            int code = fromHelper.readInt();
            String out = readField();
            String err = readField();
            failures = 0;
            return new HostCommand.Output(code, out, err);
        } catch (IOException e) {
            failed(HelperBinary.NFT + " failed (" + e.getMessage() + ")");
            if (Thread.interrupted()) { // the caller gave up (timed out) and said so: not run again behind its back
                return new HostCommand.Output(1, "", "abandoned");
            }
            return exec(ns, timeout, script);
        }
    }

    /** The running helper, started (and built) first if needed; null once fallen back to {@code nft}. */
    private Process helperProcess() {
        if (helper != null && helper.isAlive()) {
            return helper;
        }
        if (helper != null) {
            failed(HelperBinary.NFT + " exited with " + helper.exitValue());
            if (execBecause != null) {
                return null;
            }
        }
        try {
            Path path = binary.binary(BUILD_TIMEOUT);
            Process started = new ProcessBuilder(path.toString()).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            toHelper = new DataOutputStream(new BufferedOutputStream(started.getOutputStream()));
            fromHelper = new DataInputStream(new BufferedInputStream(started.getInputStream()));
            helper = started;
            return started;
        } catch (AttackException | IOException e) {
            execBecause = e.getMessage();
            LOG.infof("%s: nftables scripts are run by nft", e.getMessage());
            return null;
        }
    }

    private void failed(String why) {
        Process failedHelper = helper;
        helper = null;
        if (failedHelper != null) {
            failedHelper.destroyForcibly();
        }
        if (++failures >= MAX_FAILURES) {
            execBecause = why + ", " + failures + " times in a row";
            LOG.errorf("%s: nftables scripts are run by nft from now on", execBecause);
        } else {
            LOG.warnf("%s: it is started again", why);
        }
    }

    private void writeField(String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        toHelper.writeInt(bytes.length);
        toHelper.write(bytes);
    }

    private String readField() throws IOException {
        int length = fromHelper.readInt();
        if (length < 0 || length > 16 * 1024 * 1024) {
            throw new IOException("a field of " + length + " bytes");
        }
        byte[] bytes = new byte[length];
        fromHelper.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static HostCommand.Output exec(Netns ns, Duration timeout, String script) {
        return ns.run(timeout, script, "nft", "-f", "-");
    }
}
