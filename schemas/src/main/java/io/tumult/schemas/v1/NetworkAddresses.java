package io.tumult.schemas.v1;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Checks the address literals network attacks take: an IPv4 or IPv6 address, optionally with a prefix length. */
final class NetworkAddresses {

    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    private NetworkAddresses() {
    }

    /** Throws {@link IllegalArgumentException} naming {@code field} unless {@code cidr} is {@code address[/prefix]}. */
    static void checkCidr(String field, String cidr) {
        if (cidr == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        String[] parts = cidr.split("/", -1);
        if (parts.length > 2 || !LITERAL.matcher(parts[0]).matches() || !(parts[0].contains(".") || parts[0].contains(":"))) {
            throw new IllegalArgumentException(field + " is not an IP address or CIDR: '" + cidr + "'");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(parts[0]); // a literal only (checked above): never a name lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(field + " is not an IP address or CIDR: '" + cidr + "'", e);
        }
        if (parts.length == 2) {
            int max = address.getAddress().length * 8;
            if (!parts[1].matches("[0-9]{1,3}") || Integer.parseInt(parts[1]) > max) {
                throw new IllegalArgumentException(field + " has a prefix length outside 0.." + max + ": '" + cidr + "'");
            }
        }
    }

    /** Throws {@link IllegalArgumentException} naming {@code field} unless {@code port} is within 1..65535. */
    static void checkPort(String field, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(field + " must be within 1..65535: " + port);
        }
    }

    /** Throws {@link IllegalArgumentException} unless {@code name} is null or a Linux interface name. */
    static void checkInterface(String name) {
        if (name != null && !name.matches("[A-Za-z0-9_.@-]{1,15}")) {
            throw new IllegalArgumentException("interface is not a network interface name: '" + name + "'");
        }
    }
}
