package io.tumult.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a short command to completion, with a timeout, capturing what it printed. */
public final class ProcessRunner {

    /** What a finished command left behind. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {

        /** This result, or an exception naming the command and its error output when it failed. */
        public Result orThrow() {
            if (exitCode != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + exitCode + ": "
                        + (stderr.isBlank() ? stdout : stderr).strip());
            }
            return this;
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ProcessRunner() {
    }

    /** Runs {@code command}; never throws for a non-zero exit (see {@link Result#orThrow()}). */
    public static Result run(String... command) {
        return runWithInput(null, command);
    }

    /** Runs {@code command} with {@code stdin} (may be null) fed to it. */
    public static Result runWithInput(String stdin, String... command) {
        try {
            Process p = new ProcessBuilder(command).start();
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + TIMEOUT);
            }
            return new Result(List.of(command), p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
