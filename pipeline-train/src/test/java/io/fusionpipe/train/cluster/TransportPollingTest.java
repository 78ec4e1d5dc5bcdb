package io.fusionpipe.train.cluster;

import io.aeron.Publication;
import io.aeron.Subscription;
import org.junit.jupiter.api.Test;
import org.nd4j.parameterserver.distributed.v2.transport.impl.AeronUdpTransport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static io.fusionpipe.train.cluster.TransportGuardTest.ping;
import static io.fusionpipe.train.cluster.TransportGuardTest.serialized;
import static io.fusionpipe.train.cluster.TransportGuardTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DL4J's transport quieted before its launch: its receive threads (DL4J names them
 * "MessagesExecutorService thread") run with the timer slack, and the transport still reads what arrives.
 */
class TransportPollingTest {

    static final long SLACK = 2_000_000;

    @Test
    void aQuietedTransportsReceiveThreadsHaveTheSlackAndStillReadMessages() throws Exception {
        assumeTrue(TransportPolling.ownSlack() >= 0, "this system has no per-thread timer slack (not Linux): nothing to check");
        Map<String, Long> before = receiveThreadSlacks();
        assumeTrue(!before.containsValue(-1L), "another thread's timer slack is readable only with CAP_SYS_NICE (root)");
        TransportGuardTest.Receiver r = TransportGuardTest.receiver();
        AeronUdpTransport receiver = r.transport();
        try {
            assertTrue(TransportPolling.quiet(receiver, SLACK), "an unlaunched transport is quieted");
            assertFalse(TransportPolling.quiet(receiver, SLACK), "once");
            assertTrue(TransportPolling.quieted(receiver));
            receiver.launchAsMaster();
            waitFor(() -> newThreads(before).size() >= 3, "the transport started its receive threads");
            Map<String, Long> started = newThreads(before);
            started.forEach((tid, slack) -> assertEquals(SLACK, slack, "timer slack of receive thread " + tid + " of " + started));

            // the polling thread still reads: a ping sent to the transport is consumed from its subscription
            try (TransportGuardTest.Node sender = TransportGuardTest.Node.start()) {
                Publication pub = sender.aeron().addPublication("aeron:udp?endpoint=127.0.0.1:" + r.port(), r.conf().getStreamId());
                waitFor(pub::isConnected, "the sender connects");
                TransportGuardTest.send(pub, serialized(ping(receiver.id())));
                Subscription sub = (Subscription) TransportInternals.SUBSCRIPTION.get(receiver);
                long end = pub.position();
                waitFor(() -> sub.imageCount() > 0 && sub.imageAtIndex(0).position() >= end, "the receive thread read the message");
            }
            assertFalse(TransportPolling.quiet(receiver, SLACK), "a launched transport is left alone");
        } finally {
            receiver.shutdown();
        }
    }

    @Test
    void zeroLeavesDl4jsPollingAsItIs() throws Exception {
        TransportGuardTest.Receiver r = TransportGuardTest.receiver();
        try {
            assertFalse(TransportPolling.quiet(r.transport(), 0));
            assertFalse(TransportPolling.quieted(r.transport()));
            r.transport().launchAsMaster();
        } finally {
            r.transport().shutdown();
        }
    }

    private Map<String, Long> newThreads(Map<String, Long> before) {
        Map<String, Long> now = receiveThreadSlacks();
        now.keySet().removeAll(before.keySet());
        return now;
    }

    /** Timer slack of each thread of this JVM that DL4J's transport named as one of its receive threads (-1: unreadable), by thread id. */
    private static Map<String, Long> receiveThreadSlacks() {
        Map<String, Long> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    // the kernel keeps the first 15 characters of "MessagesExecutorService thread"
                    if (Files.readString(task.resolve("comm")).strip().equals("MessagesExecuto")) {
                        String tid = task.getFileName().toString();
                        out.put(tid, slack(tid));
                    }
                } catch (IOException e) {
                    // the thread ended while listed
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    private static long slack(String tid) {
        try {
            return Long.parseLong(Files.readString(Path.of("/proc", tid, "timerslack_ns")).strip());
        } catch (IOException e) {
            return -1;
        }
    }
}
