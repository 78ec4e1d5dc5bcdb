package io.fusionpipe.train.cluster;

import org.nd4j.parameterserver.distributed.v2.transport.Transport;
import org.nd4j.parameterserver.distributed.v2.transport.impl.AeronUdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Quiets the receive loop of DL4J's gradient-sharing transport. {@link AeronUdpTransport} polls its
 * subscription on a thread of its own executor and, when nothing arrived, parks for 1 µs
 * ({@code SleepingIdleStrategy(1000)}, hard-coded in DL4J 1.0.0-M2); Linux stretches that to the
 * thread's timer slack (50 µs by default): up to 20,000 wake-ups a second in every JVM that trains,
 * 0.43 of a core, mostly system time, across the cluster test's five JVMs on 2 cores (docs/distributed-training.md).
 *
 * <p>Before DL4J launches a transport, its executor (which has started no thread yet) is replaced by
 * one of the same size whose threads first set their own timer slack
 * ({@code /proc/<tid>/timerslack_ns}, which a thread may always set for itself) to
 * {@code train.shared.poll-slack}: an idle park then lasts about that long, and a message that arrives
 * meanwhile waits at most that long before it is read. DL4J's loops run unchanged. Where the slack
 * cannot be set (not Linux) the threads run as DL4J's would.
 */
public final class TransportPolling {

    private static final Logger LOG = LoggerFactory.getLogger(TransportPolling.class);
    private static final AtomicBoolean SAID = new AtomicBoolean();

    private TransportPolling() {
    }

    /**
     * Gives {@code transport}'s receive threads a timer slack of {@code slackNanos}, if it is an Aeron
     * transport DL4J has not launched yet; false when nothing was changed (0 = leave DL4J's polling as it is).
     */
    public static synchronized boolean quiet(Transport transport, long slackNanos) {
        if (slackNanos <= 0 || !(transport instanceof AeronUdpTransport t) || TransportInternals.SUBSCRIPTION.get(t) != null) {
            return false;
        }
        if (!(TransportInternals.EXECUTOR.get(t) instanceof ThreadPoolExecutor current) || current instanceof SlackPool || current.getPoolSize() > 0) {
            return false;
        }
        TransportInternals.EXECUTOR.set(t, new SlackPool(current.getCorePoolSize(), slackNanos));
        current.shutdown();
        return true;
    }

    /** Whether {@code transport}'s receive threads are (or will be) started with a timer slack. */
    public static boolean quieted(Transport transport) {
        return transport instanceof AeronUdpTransport t && TransportInternals.EXECUTOR.get(t) instanceof SlackPool;
    }

    /** Sets the calling thread's timer slack; false where the system has no such setting. */
    static boolean setOwnSlack(long nanos) {
        try {
            Files.writeString(slackFile(), Long.toString(nanos));
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** The calling thread's timer slack in nanoseconds, or -1 where the system does not say. */
    static long ownSlack() {
        try {
            return Long.parseLong(Files.readString(slackFile()).strip());
        } catch (IOException | NumberFormatException | UnsupportedOperationException | SecurityException e) {
            return -1;
        }
    }

    /** The calling thread's timer slack file: /proc/thread-self links to /proc/PID/task/TID, and only /proc/TID has the file. */
    private static Path slackFile() throws IOException {
        return Path.of("/proc", Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString(), "timerslack_ns");
    }

    /** DL4J's fixed pool (daemon threads, the same name), each thread setting its own slack before its first task. */
    private static final class SlackPool extends ThreadPoolExecutor {
        SlackPool(int threads, long slackNanos) {
            super(threads, threads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread thread = new Thread(() -> {
                    boolean set = setOwnSlack(slackNanos);
                    if (SAID.compareAndSet(false, true)) {
                        LOG.info(set ? "gradient-sharing transport: receive threads idle with a timer slack of {} µs (train.shared.poll-slack)"
                                : "gradient-sharing transport: this system has no per-thread timer slack; receive threads poll as DL4J's do "
                                + "(train.shared.poll-slack {} µs not applied)", slackNanos / 1000);
                    }
                    r.run();
                }, "MessagesExecutorService thread");
                thread.setDaemon(true);
                return thread;
            });
        }
    }
}
