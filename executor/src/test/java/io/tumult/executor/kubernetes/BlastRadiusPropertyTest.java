package io.tumult.executor.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.tumult.executor.attack.AttackException;
import io.tumult.executor.attack.AttackException.Reason;
import io.tumult.executor.attack.AttackRegistry;
import io.tumult.executor.attack.kubernetes.MockCluster;
import io.tumult.executor.attack.kubernetes.PodKillAttack;
import io.tumult.executor.kubernetes.KubernetesConfig.Role;
import io.tumult.executor.run.DryRuns;
import io.tumult.schemas.v1.BlastRadius;
import io.tumult.schemas.v1.DryRunRequested;
import io.tumult.schemas.v1.DryRunResult;
import io.tumult.schemas.v1.ExperimentSpec;
import io.tumult.schemas.v1.PodKill;
import io.tumult.schemas.v1.PodTarget;
import io.tumult.schemas.v1.SelectionMode;
import io.tumult.schemas.v1.StatusReason;

/**
 * A property over random clusters and random selectors (seeded loops; the seed of a failing case is in its message):
 * whatever is selected, no pod in a protected namespace is ever picked, the picks stay within the global and the
 * target's caps, every pick matches the selector and has opted in (by label or annotation, on itself or its
 * namespace), and the same run id picks the same pods. The experiment's own blast radius (maxTargets, maxPercentage)
 * is checked as a run's admission checks it (a dry run of the same id: the same resolution and the same check, nothing
 * touched): what it lets through stays within both caps, and it refuses only picks that break one. Each round is a
 * fresh set of namespaces on fabric8's mock server (CRUD); resolution only reads, so what it cannot show
 * (controllers) does not matter here.
 */
@EnableKubernetesMockClient(crud = true)
class BlastRadiusPropertyTest {

    private static final int ROUNDS = 120;
    private static final List<String> APPS = List.of("cart", "web", "db", "queue");
    private static final List<String> TIERS = List.of("front", "back", "batch");

    KubernetesClient kube;

    @Test
    void shouldNeverTouchAProtectedNamespaceNorExceedACap() {
        long base = Long.getLong("tumult.property.seed", 20261202L);
        int refusedForPolicy = 0;
        int picked = 0;
        int refusedForRadius = 0;
        var capsThatRefused = new HashSet<String>();
        int withinRadius = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long seed = base + round;
            var random = new Random(seed);
            String prefix = "r" + round + "-";
            var namespaces = cluster(random, prefix);
            var policy = new BlastRadiusPolicy(Set.of(prefix + "ops"), random.nextBoolean() ? Optional.empty()
                    : Optional.of(new HashSet<>(namespaces.subList(0, 1 + random.nextInt(namespaces.size())))),
                    random.nextBoolean(), "tumult.io/chaos=enabled", "tumult.io/chaos=enabled",
                    random.nextBoolean() ? Optional.of(1 + random.nextInt(5)) : Optional.empty(),
                    random.nextBoolean() ? Optional.of(10 + random.nextInt(91)) : Optional.empty());
            var target = target(random, namespaces);
            var radius = radius(random);
            UUID runId = new UUID(random.nextLong(), random.nextLong());
            var targets = new KubernetesTargets(kube, policy);
            String why = "seed " + seed + ", target " + target + ", policy " + policy + ", radius " + radius;

            KubernetesTargets.Resolved<Pod> resolved;
            try {
                resolved = targets.pods(runId, target);
            } catch (AttackException e) {
                assertThat(e.reason()).as(why).isIn(Reason.PERMISSION_DENIED, Reason.TARGET_NOT_FOUND,
                        Reason.BLAST_RADIUS);
                if (e.reason() == Reason.PERMISSION_DENIED || e.reason() == Reason.BLAST_RADIUS) {
                    refusedForPolicy++;
                }
                continue;
            }
            picked++;
            var requirements = target.labelRequirements();
            for (var pod : resolved.picked()) {
                String ns = pod.getMetadata().getNamespace();
                assertThat(policy.protectedNamespaces()).as(why).doesNotContain(ns);
                assertThat(ns).as(why).isNotEqualTo("kube-system");
                policy.allowedNamespaces().ifPresent(allowed -> assertThat(allowed).as(why).contains(ns));
                assertThat(io.tumult.schemas.v1.Selectors.matches(requirements, pod.getMetadata().getLabels()))
                        .as(why).isTrue();
                if (policy.requireOptIn()) {
                    assertThat(optedIn(pod)).as("%s opted in; %s", KubernetesTargets.key(pod), why).isTrue();
                }
            }
            assertThat(resolved.picked()).as(why).isSubsetOf(resolved.candidates()).doesNotHaveDuplicates();
            policy.maxTargets().ifPresent(max -> assertThat(resolved.picked().size()).as(why).isLessThanOrEqualTo(max));
            policy.maxPercentage().ifPresent(max -> assertThat(resolved.picked().size() * 100.0
                    / resolved.candidates().size()).as(why).isLessThanOrEqualTo(max));
            if (target.mode() == SelectionMode.PERCENT || target.mode() == SelectionMode.RANDOM_MAX_PERCENT) {
                assertThat(resolved.picked().size()).as(why).isLessThanOrEqualTo(
                        Math.max(1, resolved.candidates().size() * target.value() / 100));
            }
            assertThat(targets.pods(runId, target).picked()).as("same run id, same picks; " + why)
                    .isEqualTo(resolved.picked());

            DryRunResult admitted = dryRun(targets, runId, target, radius);
            int count = resolved.picked().size();
            int candidates = resolved.candidates().size();
            boolean breaksRadius = radius != null && (radius.maxTargets() != null && count > radius.maxTargets()
                    || radius.maxPercentage() != null && count * 100.0 / candidates > radius.maxPercentage());
            if (admitted.refused()) {
                refusedForRadius++;
                assertThat(admitted.reason()).as(why).isEqualTo(StatusReason.BLAST_RADIUS);
                assertThat(breaksRadius).as("refused only when the pick breaks a cap; " + why).isTrue();
                capsThatRefused.add(admitted.message().replaceAll(".*(maxTargets|maxPercentage).*", "$1"));
                continue;
            }
            withinRadius++;
            assertThat(breaksRadius).as("admitted only within the caps; " + why).isFalse();
            assertThat(admitted.targets()).as(why).isEqualTo(resolved.picked().stream()
                    .map(pod -> "pod/" + KubernetesTargets.key(pod)).toList());
            assertThat(admitted.candidates()).as(why).isEqualTo(candidates);
            if (radius != null && radius.maxTargets() != null) {
                assertThat(admitted.targets().size()).as(why).isLessThanOrEqualTo(radius.maxTargets());
            }
            if (radius != null && radius.maxPercentage() != null) {
                assertThat(admitted.targets().size() * 100.0 / admitted.candidates()).as(why)
                        .isLessThanOrEqualTo(radius.maxPercentage());
            }
        }
        // the property is only worth something if both outcomes happened often
        assertThat(picked).as("rounds that picked").isGreaterThanOrEqualTo(ROUNDS / 8);
        assertThat(refusedForPolicy).as("rounds refused by the policy").isGreaterThanOrEqualTo(ROUNDS / 8);
        assertThat(refusedForRadius).as("picks refused by the experiment's blast radius").isGreaterThanOrEqualTo(
                ROUNDS / 40);
        assertThat(capsThatRefused).as("caps of the experiment's blast radius that refused a pick")
                .containsExactlyInAnyOrder("maxTargets", "maxPercentage");
        assertThat(withinRadius).as("picks admitted by the experiment's blast radius").isGreaterThanOrEqualTo(
                ROUNDS / 16);
    }

    /** The experiment's own caps: none, or either or both. */
    private static BlastRadius radius(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> null;
            case 1 -> new BlastRadius(1 + random.nextInt(2), null);
            case 2 -> new BlastRadius(null, 10 + random.nextInt(91));
            default -> new BlastRadius(1 + random.nextInt(2), 10 + random.nextInt(91));
        };
    }

    /** What a run of {@code runId} would meet: the resolution and the experiment's blast radius, nothing touched. */
    private DryRunResult dryRun(KubernetesTargets targets, UUID runId, PodTarget target, BlastRadius radius) {
        var dryRuns = new DryRuns(new AttackRegistry(List.of(new PodKillAttack(kube, targets, Role.CLUSTER,
                "executor-test"))), "executor-test", InstantSource.system());
        return dryRuns.answer(new DryRunRequested(runId, "property", Instant.now(), new ExperimentSpec(null, target,
                new PodKill(0), Duration.ofSeconds(60), radius, null, null, null)));
    }

    /** Whether the pod or its namespace carries the opt-in, as a label or as an annotation, read from the cluster. */
    private boolean optedIn(Pod pod) {
        var namespace = kube.namespaces().withName(pod.getMetadata().getNamespace()).get();
        return carriesOptIn(pod.getMetadata()) || carriesOptIn(namespace.getMetadata());
    }

    private static boolean carriesOptIn(ObjectMeta meta) {
        return meta.getLabels() != null && "enabled".equals(meta.getLabels().get("tumult.io/chaos"))
                || meta.getAnnotations() != null && "enabled".equals(meta.getAnnotations().get("tumult.io/chaos"));
    }

    /** Namespaces {@code <prefix>a..}, {@code <prefix>ops} (protected) and kube-system pods, randomly labelled. */
    private List<String> cluster(Random random, String prefix) {
        var names = new ArrayList<String>();
        int count = 2 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            names.add(prefix + (char) ('a' + i));
        }
        names.add(prefix + "ops");
        if (kube.namespaces().withName("kube-system").get() == null) {
            names.add("kube-system");
        }
        for (String ns : names) {
            int optIn = random.nextInt(3); // 0: none, 1: by label, 2: by annotation
            kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                    .withLabels(optIn == 1 ? MockCluster.OPT_IN : Map.of())
                    .withAnnotations(optIn == 2 ? MockCluster.OPT_IN : Map.of()).endMetadata().build())
                    .create();
            int pods = random.nextInt(7);
            for (int p = 0; p < pods; p++) {
                var labels = new HashMap<String, String>();
                labels.put("app", APPS.get(random.nextInt(APPS.size())));
                if (random.nextBoolean()) {
                    labels.put("tier", TIERS.get(random.nextInt(TIERS.size())));
                }
                int podOptIn = random.nextInt(8); // 0, 1: by label, 2: by annotation, else none
                if (podOptIn < 2) {
                    labels.put("tumult.io/chaos", "enabled");
                }
                kube.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p" + p)
                        .withNamespace(ns).withLabels(labels)
                        .withAnnotations(podOptIn == 2 ? MockCluster.OPT_IN : Map.of()).endMetadata().withNewSpec()
                        .withNodeName("n"
                                + random.nextInt(3))
                        .endSpec().withNewStatus().withPhase(random.nextBoolean() ? "Running" : "Pending")
                        .endStatus().build()).create();
            }
        }
        names.remove("kube-system");
        names.add("kube-system"); // selectable, always protected
        return names;
    }

    private static PodTarget target(Random random, List<String> namespaces) {
        var chosen = new ArrayList<String>();
        for (String ns : namespaces) {
            boolean protectedNs = ns.equals("kube-system") || ns.endsWith("-ops");
            if (random.nextInt(protectedNs ? 8 : 2) == 0) {
                chosen.add(ns);
            }
        }
        if (chosen.isEmpty()) {
            chosen.add(namespaces.get(random.nextInt(namespaces.size())));
        }
        String[] selectors = { null, "app=cart", "app in (cart,web)", "app notin (db)", "tier", "!tier",
                "app!=queue,tier in (front,back)" };
        String labelSelector = selectors[random.nextInt(selectors.length)];
        String fieldSelector = random.nextBoolean() ? null
                : random.nextBoolean() ? "status.phase=Running"
                        : "spec.nodeName=n" + random.nextInt(3);
        SelectionMode mode = SelectionMode.values()[random.nextInt(SelectionMode.values().length)];
        Integer value = switch (mode) {
            case FIXED -> 1 + random.nextInt(4);
            case PERCENT, RANDOM_MAX_PERCENT -> 1 + random.nextInt(100);
            default -> null;
        };
        return new PodTarget(null, Map.of(), mode, value, chosen, labelSelector, fieldSelector, null);
    }
}
