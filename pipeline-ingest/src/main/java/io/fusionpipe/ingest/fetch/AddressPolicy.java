package io.fusionpipe.ingest.fetch;

import java.io.Serializable;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which addresses ingest may fetch images from. Loopback, private, link-local (the cloud metadata
 * service), CGNAT, multicast, reserved and documentation ranges, IPv6 unique-local/link-local and every
 * IPv6 form that embeds an IPv4 address (mapped, compatible, NAT64, 6to4) are blocked unless
 * {@code fusionpipe.ingest.fetch.allow-private} names the host or a CIDR holding the address.
 *
 * <p>Hosts are turned into addresses here, once: numeric IPv4 hosts the way a C resolver reads them
 * (decimal, octal {@code 0177.0.0.1}, hex {@code 0x7f.1}, short {@code 127.1}, one number
 * {@code 2130706433}), names by DNS. The fetcher connects to the address this returned, so a name that
 * resolves differently a moment later (DNS rebinding) cannot slip past the check.
 */
public final class AddressPolicy implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Blocked ranges, as {address, prefix length}; IPv6 forms that embed IPv4 are unwrapped first. */
    private static final List<Cidr> BLOCKED = List.of(
            Cidr.parse("0.0.0.0/8"), Cidr.parse("10.0.0.0/8"), Cidr.parse("100.64.0.0/10"), Cidr.parse("127.0.0.0/8"),
            Cidr.parse("169.254.0.0/16"), Cidr.parse("172.16.0.0/12"), Cidr.parse("192.0.0.0/24"),
            Cidr.parse("192.0.2.0/24"), Cidr.parse("192.88.99.0/24"), Cidr.parse("192.168.0.0/16"),
            Cidr.parse("198.18.0.0/15"), Cidr.parse("198.51.100.0/24"), Cidr.parse("203.0.113.0/24"),
            Cidr.parse("224.0.0.0/4"), Cidr.parse("240.0.0.0/4"),
            Cidr.parse("::/128"), Cidr.parse("::1/128"), Cidr.parse("fc00::/7"), Cidr.parse("fe80::/10"),
            Cidr.parse("fec0::/10"), Cidr.parse("ff00::/8"), Cidr.parse("2001:db8::/32"), Cidr.parse("2001::/32"),
            Cidr.parse("100::/64"));

    private final List<Cidr> allowedRanges;
    private final List<String> allowedHosts;

    private AddressPolicy(List<Cidr> allowedRanges, List<String> allowedHosts) {
        this.allowedRanges = allowedRanges;
        this.allowedHosts = allowedHosts;
    }

    /** From {@code allow-private} entries: a CIDR ({@code 10.1.0.0/16}), an address, or a host name. */
    public static AddressPolicy allowing(List<String> entries) {
        List<Cidr> ranges = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        for (String raw : entries) {
            String e = raw.trim().toLowerCase(Locale.ROOT);
            Cidr c = Cidr.tryParse(e);
            if (c != null) {
                ranges.add(c);
            } else if (e.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?\\.?")) {
                hosts.add(stripDot(e));
            } else {
                throw new IllegalArgumentException("'" + raw + "' is neither a host name, an IP address nor a CIDR (e.g. 10.0.0.0/8)");
            }
        }
        return new AddressPolicy(List.copyOf(ranges), List.copyOf(hosts));
    }

    /** The outcome of checking a host: the address to connect to, or why none may be used. */
    public record Decision(InetAddress address, String refusal) {
        public boolean allowed() {
            return refusal == null;
        }
    }

    /**
     * Resolves {@code host} (a URL's host, IPv6 in brackets or not) and decides. When a name resolves to
     * several addresses, every one must be allowed: an attacker's DNS may return a public and a private one.
     */
    public Decision check(String host) throws UnknownHostException {
        String h = stripDot(host.toLowerCase(Locale.ROOT));
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        InetAddress[] addresses;
        if (h.contains(":")) {
            addresses = new InetAddress[]{literal6(h)};
        } else if (looksNumeric(h)) {
            byte[] v4 = parseIpv4(h);
            if (v4 == null) {
                return new Decision(null, "'" + host + "' is neither a valid IPv4 address nor a host name");
            }
            addresses = new InetAddress[]{InetAddress.getByAddress(h, v4)};
        } else {
            addresses = InetAddress.getAllByName(h);
        }
        boolean hostAllowed = allowedHosts.contains(h);
        for (InetAddress a : addresses) {
            String why = blockedBecause(a);
            if (why != null && !hostAllowed && allowedRanges.stream().noneMatch(c -> c.contains(a))) {
                return new Decision(null, "'" + host + "' is " + a.getHostAddress() + ", " + why
                        + " (allow it with fusionpipe.ingest.fetch.allow-private)");
            }
        }
        return new Decision(addresses[0], null);
    }

    /** Why an address is blocked by default, or null when it is a public address. */
    static String blockedBecause(InetAddress a) {
        InetAddress inner = embeddedIpv4(a);
        if (inner != null && inner != a) {
            String why = blockedBecause(inner);
            return why == null ? null : "an IPv6 form of " + inner.getHostAddress() + ", " + why;
        }
        for (Cidr c : BLOCKED) {
            if (c.contains(a)) {
                return "in the blocked range " + c;
            }
        }
        return null;
    }

    /** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), the address itself for IPv4, or null. */
    private static InetAddress embeddedIpv4(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a;
        }
        byte[] b = a.getAddress();
        int offset = -1;
        if (zero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            offset = 12;
        } else if (zero(b, 0, 12) && !zero(b, 12, 16) && !(zero(b, 12, 15) && b[15] == 1)) {
            offset = 12;
        } else if ((b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && zero(b, 4, 12)) {
            offset = 12;
        } else if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            offset = 2;
        }
        if (offset < 0) {
            return null;
        }
        try {
            return InetAddress.getByAddress(new byte[]{b[offset], b[offset + 1], b[offset + 2], b[offset + 3]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String stripDot(String h) {
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** An IPv6 literal; a zone id ({@code %eth0}) is dropped: it does not change which range the address is in. */
    private static InetAddress literal6(String h) throws UnknownHostException {
        String address = h.contains("%") ? h.substring(0, h.indexOf('%')) : h;
        if (!address.matches("[0-9a-f:.]+")) {
            throw new UnknownHostException("'" + h + "' is not an IPv6 address");
        }
        return InetAddress.getByName(address);
    }

    /** A host whose last label starts with a digit is an IPv4 literal: no top-level domain does. */
    private static boolean looksNumeric(String h) {
        String last = h.substring(h.lastIndexOf('.') + 1);
        return !last.isEmpty() && Character.isDigit(last.charAt(0));
    }

    /**
     * Parses IPv4 the way inet_aton does: 1–4 parts, each decimal, octal (leading 0) or hex (0x); the
     * last part fills the remaining bytes. Returns null when it is not a valid address.
     */
    static byte[] parseIpv4(String h) {
        String[] parts = h.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = number(parts[i]);
            if (values[i] < 0) {
                return null;
            }
        }
        long address = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (values[i] > 255) {
                return null;
            }
            address |= values[i] << (8 * (3 - i));
        }
        long last = values[parts.length - 1];
        int lastBytes = 4 - (parts.length - 1);
        if (last >= (1L << (8 * lastBytes))) {
            return null;
        }
        address |= last;
        return new byte[]{(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
    }

    private static long number(String p) {
        try {
            if (p.startsWith("0x")) {
                return p.length() == 2 ? 0 : p.length() > 10 ? -1 : Long.parseLong(p.substring(2), 16);
            }
            if (p.length() > 1 && p.startsWith("0")) {
                return p.length() > 12 ? -1 : Long.parseLong(p.substring(1), 8);
            }
            return p.isEmpty() || p.length() > 10 ? -1 : Long.parseLong(p, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** An address range; IPv4 ranges also hold the IPv6 forms that embed their addresses. */
    record Cidr(byte[] network, int prefix, String text) implements Serializable {

        static Cidr parse(String text) {
            Cidr c = tryParse(text);
            if (c == null) {
                throw new IllegalArgumentException(text);
            }
            return c;
        }

        static Cidr tryParse(String text) {
            int slash = text.indexOf('/');
            String addr = slash < 0 ? text : text.substring(0, slash);
            byte[] bytes;
            if (addr.contains(":")) {
                if (!addr.matches("[0-9a-f:.]+")) {
                    return null;
                }
                try {
                    bytes = InetAddress.getByName(addr).getAddress();
                } catch (UnknownHostException e) {
                    return null;
                }
            } else if (addr.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
                bytes = parseIpv4(addr);
                if (bytes == null) {
                    return null;
                }
            } else {
                return null;
            }
            int prefix;
            try {
                prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            if (prefix < 0 || prefix > bytes.length * 8) {
                return null;
            }
            return new Cidr(bytes, prefix, text);
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                InetAddress inner = a instanceof Inet6Address ? embeddedIpv4(a) : null;
                return inner != null && inner != a && contains(inner);
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((b[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
