package io.tumult.executor.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.tumult.executor.attack.AttackException;

/**
 * The lookup over a {@code /proc} laid out as a node's is, with the kubelet's systemd cgroup driver and containerd
 * (this machine runs no kubelet): a pause process, an app container whose main process has a child, a sidecar, and
 * processes of another pod and of the host.
 */
class ProcPodNamespacesTest {

    private static final String UID = "8d3b1f52-6c0e-4b7a-9f21-3e5d7c9a1b04";
    private static final String POD_SLICE = "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
            + UID.replace('-', '_') + ".slice/";
    private static final String APP = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    private static final String SIDECAR = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    @TempDir
    Path proc;

    @Test
    void shouldFindThePodsSandboxNamespaceAndEachContainersMainProcess() throws IOException {
        // Given
        process(4000, 1, 90_000, "containerd-shim", "0::/system.slice/containerd.service\n");
        process(4010, 4000, 90_100, "pause", POD_SLICE + "cri-containerd-ffff.scope\n");
        process(4020, 4000, 90_200, "java (app)", POD_SLICE + "cri-containerd-" + APP + ".scope\n");
        process(4021, 4020, 90_300, "sh", POD_SLICE + "cri-containerd-" + APP + ".scope\n");
        process(4030, 4000, 90_250, "envoy", POD_SLICE + "cri-containerd-" + SIDECAR + ".scope\n");
        process(5010, 5000, 80_000, "pause", "0::/kubepods.slice/kubepods-podother.slice/cri-containerd-eeee.scope\n");
        var lookup = new ProcPodNamespaces(proc);

        // When
        Path netns = lookup.netns(pod());
        var mains = lookup.containers(pod());

        // Then
        assertThat(netns).isEqualTo(proc.resolve("4010/ns/net"));
        assertThat(mains).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("app", 4020L, "sidecar", 4030L));
    }

    @Test
    void shouldRefuseAPodWithNoProcessOnThisNode() throws IOException {
        // Given
        process(5010, 5000, 80_000, "pause", "0::/kubepods.slice/kubepods-podother.slice/cri-containerd-eeee.scope\n");

        // When
        var e = catchThrowableOfType(AttackException.class, () -> new ProcPodNamespaces(proc).netns(pod()));

        // Then
        assertThat(e.reason()).isEqualTo(AttackException.Reason.TARGET_NOT_FOUND);
        assertThat(e.getMessage()).contains("shop/cart-1").contains("no process on this node");
        assertThat(new ProcPodNamespaces(proc).containers(pod())).isEmpty();
    }

    private static Pod pod() {
        return new PodBuilder().withNewMetadata().withNamespace("shop").withName("cart-1").withUid(UID).endMetadata()
                .withNewStatus().addNewContainerStatus().withName("app").withContainerID("containerd://" + APP)
                .withNewState().withNewRunning().endRunning().endState().endContainerStatus()
                .addNewContainerStatus().withName("sidecar").withContainerID("containerd://" + SIDECAR).withNewState()
                .withNewRunning().endRunning().endState().endContainerStatus().addNewContainerStatus()
                .withName("init-done").withContainerID("containerd://dead").withNewState().withNewTerminated()
                .withExitCode(0).endTerminated().endState().endContainerStatus().endStatus().build();
    }

    /** {@code /proc/<pid>/stat} (fields as the kernel writes them, starttime 22nd) and {@code cgroup}. */
    private void process(long pid, long parent, long startTime, String comm, String cgroup) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        var fields = new StringBuilder(pid + " (" + comm + ") S " + parent);
        for (int field = 5; field <= 21; field++) {
            fields.append(" 0");
        }
        fields.append(' ').append(startTime).append(" 0 0\n");
        Files.writeString(dir.resolve("stat"), fields);
        Files.writeString(dir.resolve("cgroup"), cgroup);
    }
}
