package io.tumult.executor.attack.host;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tumult.executor.attack.AttackException;

/** Runs one host command (nft, ip) to completion within a timeout, feeding it optional stdin. */
final class HostCommand {

    /** What a finished command printed. */
    record Output(int exitCode, String stdout, String stderr) {
    }

    private HostCommand() {
    }

    /** Whether {@code command} is an executable on this process's PATH. */
    static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    static Output run(Duration timeout, String stdin, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AttackException(AttackException.Reason.INTERNAL,
                        String.join(" ", command) + " did not finish within " + timeout);
            }
            // nft and ip print little; reading after exit cannot fill a pipe buffer
            return new Output(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AttackException(AttackException.Reason.PERMISSION_DENIED,
                    "cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AttackException(AttackException.Reason.INTERNAL, "interrupted running " + command.get(0), e);
        }
    }
}
