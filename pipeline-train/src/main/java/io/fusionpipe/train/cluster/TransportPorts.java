package io.fusionpipe.train.cluster;

import org.apache.spark.SparkEnv;
import org.nd4j.parameterserver.distributed.v2.transport.PortSupplier;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * UDP ports of the gradient-sharing transport. The driver always binds {@code port} (executors dial
 * it); an executor takes the first port from {@code port} up, within {@code span}, that no other
 * process on its host holds, so two executors on one host never clash. The choice is made once per
 * JVM: DL4J asks the supplier more than once and must get the same answer.
 *
 * <p>A port is claimed by an exclusive lock on a file in {@code /tmp} (held until the JVM exits,
 * released by the OS even after kill -9) and checked free by binding it: the lock closes the window
 * between two executors that start at the same moment, the bind catches anything else on the port.
 */
public final class TransportPorts implements PortSupplier {

    private static final long serialVersionUID = 1L;
    private static volatile int chosen;
    private static final List<FileChannel> HELD = new ArrayList<>();

    private final int port;
    private final int span;

    public TransportPorts(int port, int span) {
        if (port < 1024 || port + span - 1 > 65535 || span < 1) {
            throw new IllegalArgumentException("ports " + port + ".." + (port + span - 1) + " are not all in 1024..65535");
        }
        this.port = port;
        this.span = span;
    }

    @Override
    public int getPort() {
        if (onDriver()) {
            return port;
        }
        return executorPort(port, span);
    }

    /** The driver (and every thread of an embedded local[N] run) binds the configured port. */
    static boolean onDriver() {
        SparkEnv env = SparkEnv.get();
        return env == null || "driver".equals(env.executorId());
    }

    /** This executor JVM's port: chosen on the first call, the same on every later one. */
    public static synchronized int executorPort(int port, int span) {
        if (chosen != 0) {
            return chosen;
        }
        for (int p = port; p < port + span; p++) {
            if (claim(p)) {
                chosen = p;
                return p;
            }
        }
        throw new IllegalStateException("no free UDP port for the gradient-sharing transport in " + port + ".." + (port + span - 1)
                + " on this host (each executor on a host takes one): raise fusionpipe.train.shared.port-span");
    }

    private static boolean claim(int p) {
        FileChannel lock = null;
        try {
            Path dir = Paths.get(System.getProperty("fusionpipe.port-lock-dir", "/tmp"));
            if (Files.isDirectory(dir) && Files.isWritable(dir)) {
                lock = FileChannel.open(dir.resolve("fusionpipe-transport-" + p + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = lock.tryLock();
                if (held == null) {
                    lock.close();
                    return false;
                }
            }
            try (DatagramSocket probe = new DatagramSocket(null)) {
                probe.setReuseAddress(false);
                probe.bind(new InetSocketAddress(p));
            }
            if (lock != null) {
                HELD.add(lock);
            }
            return true;
        } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
            if (lock != null) {
                try {
                    lock.close();
                } catch (IOException ignored) {
                    // the port is skipped either way
                }
            }
            return false;
        }
    }
}
