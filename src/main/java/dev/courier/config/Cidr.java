package dev.courier.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An address block such as {@code 10.0.0.0/8}, {@code 127.0.0.1} or {@code ::1/128}. */
public record Cidr(byte[] network, int prefixLength) {

    // Only literal addresses: a host name here would make every request wait on DNS.
    private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    public static Cidr parse(String text) {
        String trimmed = text.trim();
        String[] parts = trimmed.split("/", 2);
        InetAddress address = literal(parts[0])
                .orElseThrow(() -> new IllegalArgumentException("--trusted-proxies: '" + trimmed
                        + "' is not an IP address or CIDR block such as 10.0.0.0/8"));
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (parts.length == 2) {
            try {
                prefix = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("--trusted-proxies: '" + trimmed + "' needs a prefix of 0-" + bits);
            }
        }
        return new Cidr(address.getAddress(), prefix);
    }

    /** Parses a literal IPv4 or IPv6 address without any name lookup; empty when it is not one. */
    public static java.util.Optional<InetAddress> literal(String text) {
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (t.isEmpty() || t.length() > 45 || !LITERAL.matcher(t).matches() || (!t.contains(":") && !t.contains("."))) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(InetAddress.getByName(t));
        } catch (UnknownHostException e) {
            return java.util.Optional.empty();
        }
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (candidate[fullBytes] & mask) == (network[fullBytes] & mask);
    }
}
