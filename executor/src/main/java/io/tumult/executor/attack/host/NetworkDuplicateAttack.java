package io.tumult.executor.attack.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.tumult.executor.config.ExecutorConfig;
import io.tumult.schemas.v1.NetworkDuplicate;

/**
 * Sends a share of a network namespace's outgoing packets twice: a {@code netdev} nftables table owned by the run
 * hooks each target interface's egress and {@code dup}s the chosen packets out of the same interface. The copy passes
 * the same hook again, so the rule marks a packet before duplicating it and skips marked packets: each packet is
 * copied at most once (the mark is cleared when the packet leaves the namespace). Reverting deletes the table.
 */
@ApplicationScoped
public class NetworkDuplicateAttack extends NftTableAttack<NetworkDuplicate> {

    /** Marks a packet already duplicated ("tmlt"). */
    static final String MARK = "0x746d6c74";

    NetworkDuplicateAttack(ExecutorConfig config) {
        super(config);
    }

    @Override
    public Class<NetworkDuplicate> specType() {
        return NetworkDuplicate.class;
    }

    @Override
    String kind() {
        return NetworkDuplicate.KIND;
    }

    @Override
    String family() {
        return "netdev";
    }

    @Override
    boolean needsInterfaces() {
        return true;
    }

    @Override
    Optional<String> requestedInterface(NetworkDuplicate spec) {
        return Optional.ofNullable(spec.networkInterface());
    }

    @Override
    List<String> chains(NetworkDuplicate spec, List<String> interfaces) {
        String chance = spec.percent() >= 100 ? "" : "numgen random mod 100 < " + spec.percent() + " ";
        var chains = new ArrayList<String>();
        for (int i = 0; i < interfaces.size(); i++) {
            String device = "\"" + interfaces.get(i) + "\"";
            chains.add("chain egress_dup_" + i + " { type filter hook egress device " + device
                    + " priority 0; policy accept; meta mark != " + MARK + " " + chance + "meta mark set " + MARK
                    + " dup to " + device + "; }");
        }
        return chains;
    }
}
