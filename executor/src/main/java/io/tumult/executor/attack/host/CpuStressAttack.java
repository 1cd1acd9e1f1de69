package io.tumult.executor.attack.host;

import java.util.List;

import jakarta.inject.Singleton;

import io.tumult.executor.attack.Injection;
import io.tumult.executor.config.ExecutorConfig;
import io.tumult.schemas.v1.CpuStress;

/**
 * {@code cpu-stress}: {@code stress-ng --cpu <cores> --cpu-load <load>} in the run's cgroup inside the target cgroup,
 * so the workers compete for CPU within the target's quota and shares. Measured as the run cgroup's CPU usage.
 */
@Singleton
public class CpuStressAttack extends CgroupStressAttack<CpuStress> {

    CpuStressAttack(ExecutorConfig config) {
        super(config);
    }

    @Override
    public Class<CpuStress> specType() {
        return CpuStress.class;
    }

    @Override
    String kindName() {
        return CpuStress.KIND;
    }

    @Override
    List<String> controllers() {
        return List.of("cpu", "cpuacct");
    }

    @Override
    List<String> tools() {
        return List.of("stress-ng");
    }

    @Override
    List<String> command(CpuStress spec, Injection injection) {
        return List.of("stress-ng", "--cpu", Integer.toString(spec.cores()), "--cpu-load", Integer.toString(spec.load()),
                "--timeout", "0");
    }
}
