package io.tumult.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.UUID;

import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.attack.host.NetworkLossAttack;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.executor.run.FileJournal;
import io.tumult.executor.run.Guards;
import io.tumult.executor.run.JournalEntry;
import io.tumult.executor.run.ProcessGuards;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;

/**
 * The executor's crash-relevant path in a process of its own, run after run until it is killed: plan, journal, arm
 * the guard, apply 100 % loss, hold, revert, disarm, forget. Prints each phase ({@code INJECTING}, {@code ACTIVE},
 * {@code REVERTING}, {@code REVERTED}) so a trial knows where its kill landed. Arguments: journal dir, namespace,
 * hold in milliseconds.
 */
public final class InjectingExecutor {

    private InjectingExecutor() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path dir = Path.of(args[0]);
        long holdMillis = Long.parseLong(args[2]);
        var config = TestExecutorConfig.defaults().journalingIn(dir);
        var attack = new NetworkLossAttack(config);
        var journal = new FileJournal(dir);
        var guards = new ProcessGuards(InstantSource.system(), dir.resolve("guards.log"));
        var spec = new NetworkLoss(100);
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(args[1])).get(0);
        while (true) {
            UUID runId = UUID.randomUUID();
            say("INJECTING " + runId);
            Injection injection = attack.plan(runId, spec, target);
            var entry = new JournalEntry(runId, "bench", Instant.now().plus(Duration.ofMinutes(5)), config.id(),
                    injection);
            journal.record(entry);
            Guards.Guard guard = guards.arm(entry);
            attack.apply(spec, injection);
            say("ACTIVE " + runId);
            Thread.sleep(holdMillis);
            say("REVERTING " + runId);
            attack.recover(injection);
            guard.disarm();
            journal.remove(entry);
            say("REVERTED " + runId);
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
