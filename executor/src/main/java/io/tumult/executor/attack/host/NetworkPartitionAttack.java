package io.tumult.executor.attack.host;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.tumult.executor.config.ExecutorConfig;
import io.tumult.executor.kubernetes.NodePods;
import io.tumult.schemas.v1.NetworkPartition;

/**
 * Cuts a network namespace off from some networks: an nftables table owned by the run drops every packet leaving for
 * the CIDRs and every packet arriving from them (optionally only those with one of the ports as source or destination,
 * so both the namespace's own connections and those made to it are cut). Reverting deletes the table.
 */
@ApplicationScoped
public class NetworkPartitionAttack extends NftTableAttack<NetworkPartition> {

    NetworkPartitionAttack(ExecutorConfig config) {
        super(config);
    }

    /** On named namespaces, and on the pods of this node (a node agent). */
    @Inject
    NetworkPartitionAttack(ExecutorConfig config, NodePods pods) {
        super(config, pods);
    }

    @Override
    public Class<NetworkPartition> specType() {
        return NetworkPartition.class;
    }

    @Override
    String kind() {
        return NetworkPartition.KIND;
    }

    @Override
    List<String> chains(NetworkPartition spec, List<String> interfaces) {
        List<String> v4 = spec.cidrs().stream().filter(c -> !c.contains(":")).toList();
        List<String> v6 = spec.cidrs().stream().filter(c -> c.contains(":")).toList();
        var lines = new ArrayList<String>();
        if (!v4.isEmpty()) {
            lines.add("set cut4 { type ipv4_addr; flags interval; auto-merge; elements = " + set(v4) + " }");
        }
        if (!v6.isEmpty()) {
            lines.add("set cut6 { type ipv6_addr; flags interval; auto-merge; elements = " + set(v6) + " }");
        }
        lines.add(chain("egress_partition", "output", "daddr", v4, v6, spec.ports()));
        lines.add(chain("ingress_partition", "input", "saddr", v4, v6, spec.ports()));
        return lines;
    }

    private static String chain(String name, String hook, String address, List<String> v4, List<String> v6,
            List<Integer> ports) {
        var rules = new ArrayList<String>();
        for (String family : List.of("ip", "ip6")) {
            if ((family.equals("ip") ? v4 : v6).isEmpty()) {
                continue;
            }
            String match = family + " " + address + " @" + (family.equals("ip") ? "cut4" : "cut6");
            if (ports.isEmpty()) {
                rules.add(match + " drop");
            } else {
                rules.add(match + " meta l4proto { tcp, udp, sctp } th dport " + set(ports) + " drop");
                rules.add(match + " meta l4proto { tcp, udp, sctp } th sport " + set(ports) + " drop");
            }
        }
        return "chain " + name + " { type filter hook " + hook + " priority -300; policy accept; "
                + String.join("; ", rules) + "; }";
    }
}
