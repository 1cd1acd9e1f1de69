package io.tumult.executor.run;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.UUID;

import io.tumult.executor.attack.Injection;
import io.tumult.executor.attack.ResolvedTarget;
import io.tumult.executor.attack.host.NetworkLossAttack;
import io.tumult.executor.config.TestExecutorConfig;
import io.tumult.schemas.v1.NetworkLoss;
import io.tumult.schemas.v1.NetworkNamespaceTarget;

/**
 * An executor-like process for crash tests: journals, guards and applies 100 % network loss on a namespace the way
 * the engine does, prints {@code READY <run id>}, then waits to be killed. Arguments: journal dir, namespace,
 * seconds to the deadline.
 */
public final class GuardedInjectionMain {

    private GuardedInjectionMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path dir = Path.of(args[0]);
        var config = TestExecutorConfig.defaults().journalingIn(dir);
        var attack = new NetworkLossAttack(config);
        var journal = new FileJournal(dir);
        var guards = new ProcessGuards(InstantSource.system(), dir.resolve("guards.log"));
        UUID runId = UUID.randomUUID();
        var spec = new NetworkLoss(100);
        ResolvedTarget target = attack.resolve(new NetworkNamespaceTarget(args[1])).get(0);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(Long.parseLong(args[2])));

        Injection injection = attack.plan(runId, spec, target);
        journal.record(new JournalEntry(runId, "crash-test", deadline, config.id(), injection));
        guards.arm(new JournalEntry(runId, "crash-test", deadline, config.id(), injection));
        attack.apply(spec, injection);
        System.out.println("READY " + runId);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
