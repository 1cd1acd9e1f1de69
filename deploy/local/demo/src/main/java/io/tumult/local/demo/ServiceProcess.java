package io.tumult.local.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.tumult.local.GuardedProcess;

/** Starts one Tumult service as its packaged Quarkus app, in its own JVM that dies with ours. */
final class ServiceProcess {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private ServiceProcess() {
    }

    /** Starts {@code module}'s app with these system properties and waits until Quarkus reports it started. */
    static GuardedProcess start(Path home, String module, Map<String, String> properties, Path log)
            throws IOException, InterruptedException {
        Path jar = home.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build first with ./mvnw install -DskipTests");
        }
        Files.deleteIfExists(log);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", jar.toString()));
        // the executor reverts what it holds on shutdown, which needs a little time
        GuardedProcess service = GuardedProcess.start(module, command, log, Duration.ofSeconds(20));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!service.log().contains(" started in ")) {
            if (!service.isAlive() || System.nanoTime() > deadline) {
                service.close();
                throw new IllegalStateException(module + " did not start:\n" + service.logTail(40));
            }
            Thread.sleep(50); // polling the service's log: there is no event to await
        }
        return service;
    }
}
