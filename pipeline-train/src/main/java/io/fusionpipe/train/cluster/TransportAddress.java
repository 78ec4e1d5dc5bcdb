package io.fusionpipe.train.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which local address a JVM's gradient-sharing transport binds to: the one its route to the driver's
 * transport leaves from. DL4J M2 picks an executor's address from a network mask, else the
 * {@code DL4J_VOID_IP} environment variable, else 127.0.0.1 (which no other host reaches); neither
 * can differ per executor when set once for a submission, so each executor works out its own: the
 * kernel's route lookup for a connected UDP socket (no packet is sent) gives the address, and
 * {@link #maskSelecting} turns it into a mask that DL4J's matcher selects exactly that address by.
 */
public final class TransportAddress {

    private static final Map<String, InetAddress> ROUTES = new ConcurrentHashMap<>();

    private TransportAddress() {
    }

    /** The local address this host uses to reach {@code controller} (looked up once per JVM). */
    public static InetAddress towards(String controller, int port) {
        return ROUTES.computeIfAbsent(controller + ":" + port, k -> {
            try (DatagramSocket s = new DatagramSocket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName(controller), port));
                InetAddress local = s.getLocalAddress();
                if (local == null || local.isAnyLocalAddress()) {
                    throw new IllegalStateException("no route from this host to the gradient-sharing controller " + controller + ":" + port);
                }
                return local;
            } catch (UnknownHostException e) {
                throw new IllegalStateException("the gradient-sharing controller address " + controller + " does not resolve on this host", e);
            } catch (SocketException e) {
                throw new IllegalStateException("no route from this host to the gradient-sharing controller " + controller + ":" + port
                        + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * The narrowest IPv4 mask {@code a.b.c.d/p} (p at most 30) that holds {@code address} strictly
     * inside its range (DL4J's matcher, commons-net SubnetUtils, excludes the network and broadcast
     * addresses) and none of {@code others}, so that matching it selects {@code address} alone.
     */
    public static String maskSelecting(InetAddress address, List<InetAddress> others) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalStateException("the gradient-sharing transport needs IPv4; the route to the driver leaves from "
                    + address.getHostAddress());
        }
        long a = toLong(address);
        for (int p = 30; p >= 1; p--) {
            long mask = (0xFFFFFFFFL << (32 - p)) & 0xFFFFFFFFL;
            long network = a & mask;
            long broadcast = network | (~mask & 0xFFFFFFFFL);
            if (a == network || a == broadcast) {
                continue;
            }
            for (InetAddress o : others) {
                long x = o instanceof Inet4Address && !o.equals(address) ? toLong(o) : -1;
                if (x > network && x < broadcast) {
                    // a wider mask only adds addresses: this one stays inside
                    throw new IllegalStateException("no network mask selects " + address.getHostAddress() + " without also selecting "
                            + o.getHostAddress() + " on this host; set fusionpipe.train.shared.network-mask");
                }
            }
            return toDotted(network) + "/" + p;
        }
        throw new IllegalStateException("no network mask selects " + address.getHostAddress());
    }

    /** Every IPv4 address of this host's interfaces that are up. */
    public static List<InetAddress> localAddresses() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isUp()) {
                    for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                        if (a instanceof Inet4Address) {
                            out.add(a);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static long toLong(InetAddress a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
    }

    static String toDotted(long v) {
        return ((v >> 24) & 0xFF) + "." + ((v >> 16) & 0xFF) + "." + ((v >> 8) & 0xFF) + "." + (v & 0xFF);
    }
}
