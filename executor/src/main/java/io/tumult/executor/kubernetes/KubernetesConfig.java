package io.tumult.executor.kubernetes;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The executor's role and the cluster-wide blast-radius policy, under {@code tumult.executor.kubernetes}. The policy
 * applies before any action, to every run, whatever its experiment says; an experiment's own {@code blastRadius} can
 * only narrow it. {@code GET /blast-radius} shows it.
 */
@ConfigMapping(prefix = "tumult.executor.kubernetes")
public interface KubernetesConfig {

    /** Which attacks this executor carries out. */
    enum Role {
        /** Cluster executor (a Deployment): Kubernetes API attacks (pods, workloads, nodes, NetworkPolicies). */
        CLUSTER,
        /** Node agent (a DaemonSet): host attacks, and pod network and container faults on its own node's pods. */
        NODE,
        /** Both, for one executor outside a cluster (the local loop, tests). */
        ALL;

        /** Whether API-level attacks run here. */
        public boolean cluster() {
            return this != NODE;
        }

        /** Whether host and in-pod attacks run here. */
        public boolean node() {
            return this != CLUSTER;
        }
    }

    /**
     * Whether this executor talks to a Kubernetes API at all. Absent: yes inside a cluster (the
     * {@code KUBERNETES_SERVICE_HOST} variable is set) or when {@code quarkus.kubernetes-client.api-server-url} is set,
     * else no (the local loop): Kubernetes attacks are then refused naming this setting, and nothing is swept.
     */
    Optional<Boolean> enabled();

    /** This executor's role: {@code cluster}, {@code node} or {@code all}. */
    @WithDefault("all")
    Role role();

    /**
     * The node this agent runs on (the DaemonSet sets it from {@code spec.nodeName}); a node agent acts only on pods
     * scheduled there. Required for {@code role=node}.
     */
    Optional<String> nodeName();

    /**
     * For a cluster executor: the namespace of the node agents' DaemonSet, whose ready pods show which nodes in-pod
     * faults can reach. Absent: this executor's own namespace.
     */
    Optional<String> nodeAgentNamespace();

    /** For a cluster executor: the labels of the node agents' pods, {@code key=value[,key=value]}. */
    @WithDefault("app.kubernetes.io/name=tumult-node-agent")
    String nodeAgentSelector();

    /**
     * For a node agent: how long it waits for a cluster executor's pick of a run's pods (the first cluster executor's
     * claim of the run, {@code RunClaimed.pick}) before it refuses its share. Every agent acts on that one pick.
     */
    @WithDefault("10s")
    Duration pickTimeout();

    /**
     * Namespaces never touched, besides {@code kube-system}, which always is: a run naming one is refused, and a
     * node drain never evicts their pods.
     */
    @WithDefault("kube-system")
    Set<String> protectedNamespaces();

    /** When set, the only namespaces runs may touch; a run naming another is refused. */
    Optional<Set<String>> allowedNamespaces();

    /**
     * Whether a target must opt in (kube-monkey style) by {@link #optInLabel()} or {@link #optInAnnotation()}, on
     * itself (a pod, workload or node) or on its namespace. Targets that have not opted in are not candidates; a run
     * whose selection leaves none is refused naming the opt-in.
     */
    @WithDefault("true")
    boolean requireOptIn();

    /** The opt-in label, {@code key=value}. */
    @WithDefault("tumult.io/chaos=enabled")
    String optInLabel();

    /** The opt-in annotation, {@code key=value}. */
    @WithDefault("tumult.io/chaos=enabled")
    String optInAnnotation();

    /** Most targets any run may act on, whatever its experiment allows. */
    Optional<Integer> maxTargets();

    /** Most targets any run may act on, as a percentage of its candidates, whatever its experiment allows. */
    Optional<Integer> maxPercentage();

    /** The image {@code pod-failure} swaps in for every container, which starts and serves nothing. */
    @WithDefault("registry.k8s.io/pause:3.10")
    String pauseImage();

    /**
     * How often the cluster executor looks for faults recorded on objects (annotations) whose run's deadline has
     * passed and that no run here explains, and restores them: the hard deadline holds when the executor that
     * injected them is gone for good.
     */
    @WithDefault("30s")
    Duration expiredFaultSweepInterval();

    /** Whether this process runs in a Kubernetes pod (the kubelet sets {@code KUBERNETES_SERVICE_HOST} in each). */
    static boolean insideACluster() {
        return System.getenv("KUBERNETES_SERVICE_HOST") != null;
    }

    /** The namespaces protected whatever {@link #protectedNamespaces()} says. */
    List<String> ALWAYS_PROTECTED = List.of("kube-system");
}
