package io.fusionpipe.train.cluster;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.nd4j.parameterserver.distributed.v2.messages.VoidMessage;
import org.nd4j.parameterserver.distributed.v2.messages.pairs.ping.PingMessage;
import org.nd4j.parameterserver.distributed.v2.transport.impl.AeronUdpTransport;

import javax.management.BadAttributeValueExpException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.net.DatagramSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J's gradient-sharing receiver with the guard: a garbage datagram and a serialized object of a
 * class the transport has no use for are dropped before that class is instantiated, and the receiver
 * keeps taking messages. (Without the guard, DL4J deserializes the object: the canary check fails.)
 */
class TransportGuardTest {

    static byte[] serialized(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    static PingMessage ping(String from) {
        PingMessage ping = new PingMessage();
        ping.setOriginatorId(from);
        return ping;
    }

    /** A serializable value DL4J's messages never hold. */
    record Stranger(String name) implements Serializable {
    }

    /** Stands for a gadget: deserializing a record runs its constructor, which notes that it ran. */
    record Canary(String note) implements Serializable {
        static final java.util.concurrent.atomic.AtomicInteger MADE = new java.util.concurrent.atomic.AtomicInteger();

        Canary {
            MADE.incrementAndGet();
        }
    }

    @Test
    void theFilterAcceptsMessagesAndRefusesEverythingElse() throws Exception {
        VoidMessage back = TransportGuard.decode(serialized(ping("10.0.0.1:40123")));
        assertEquals("10.0.0.1:40123", back.getOriginatorId());

        InvalidClassException gadget = assertThrows(InvalidClassException.class,
                () -> TransportGuard.decode(serialized(new BadAttributeValueExpException("x"))));
        assertTrue(gadget.getMessage().contains("javax.management.BadAttributeValueExpException"), gadget.getMessage());
        Map<String, Object> nested = new HashMap<>();
        nested.put("k", new Stranger("inside an allowed map"));
        InvalidClassException inner = assertThrows(InvalidClassException.class, () -> TransportGuard.decode(serialized(nested)));
        assertTrue(inner.getMessage().contains("Stranger"), inner.getMessage());
        assertThrows(java.io.InvalidObjectException.class, () -> TransportGuard.decode(serialized(new HashMap<>())), "not a message");
        byte[] garbage = new byte[300];
        new Random(7).nextBytes(garbage);
        assertThrows(IOException.class, () -> TransportGuard.decode(garbage));
        // an array that claims more elements than the datagram has bytes is refused before it is allocated
        byte[] array = serialized(new long[64]);
        assertTrue(TransportGuard.filter(50).checkInput(new FilterInfo(long[].class, 64)) == java.io.ObjectInputFilter.Status.REJECTED);
        assertTrue(TransportGuard.filter(array.length).checkInput(new FilterInfo(long[].class, 64)) == java.io.ObjectInputFilter.Status.ALLOWED);
    }

    @Test
    void badDatagramsAreDroppedAndTheReceiverKeepsWorking() throws Exception {
        Receiver r = receiver();
        AeronUdpTransport receiver = r.transport();
        try {
            receiver.launchAsMaster();
            assertTrue(TransportGuard.guard(receiver), "the receiver's handler was swapped");
            try (Node sender = Node.start()) {
                Publication pub = sender.aeron().addPublication("aeron:udp?endpoint=127.0.0.1:" + r.port(), r.conf().getStreamId());
                waitFor(pub::isConnected, "the sender connects");
                long accepted = TransportGuard.accepted();
                long rejected = TransportGuard.rejected();
                byte[] garbage = new byte[512];
                new Random(11).nextBytes(garbage);
                send(pub, garbage);
                send(pub, serialized(new BadAttributeValueExpException("crafted")));
                byte[] canary = serialized(new Canary("sent by an intruder"));
                Canary.MADE.set(0);
                send(pub, canary);
                send(pub, serialized(ping(receiver.id())));

                Subscription sub = (Subscription) TransportInternals.SUBSCRIPTION.get(receiver);
                long end = pub.position();
                waitFor(() -> sub.imageCount() > 0 && sub.imageAtIndex(0).position() >= end, "the receiver read past the bad datagrams");
                assertEquals(0, Canary.MADE.get(), "the intruder's object was never instantiated");
                waitFor(() -> TransportGuard.accepted() > accepted, "the good message was passed on");
                assertEquals(rejected + 3, TransportGuard.rejected(), "the garbage and the two crafted objects were dropped");
            }
        } finally {
            receiver.shutdown();
        }
    }

    /**
     * The guard is installed while DL4J's transport is already receiving: a message whose first
     * fragments arrived before the swap must still be delivered (through the guard). Swapping the
     * whole assembler lost it, and a lost chunk of the parameters leaves an executor waiting forever.
     */
    @Test
    void aMessageHalfReceivedWhenTheGuardIsInstalledIsStillDelivered() throws Exception {
        Receiver r = receiver();
        AeronUdpTransport receiver = r.transport();
        try {
            receiver.launchAsMaster();
            byte[] message = serialized(ping(receiver.id()));
            int half = message.length / 2;
            long accepted = TransportGuard.accepted();
            UnsafeBuffer term = new UnsafeBuffer(new byte[4 * message.length + 256]);
            int next = fragment(assembler(receiver), term, 0, message, 0, half, io.aeron.logbuffer.FrameDescriptor.BEGIN_FRAG_FLAG);
            assertTrue(TransportGuard.guard(receiver), "the receiver's handler was guarded");
            assertTrue(!TransportGuard.guard(receiver), "guarding twice does nothing");
            fragment(assembler(receiver), term, next, message, half, message.length - half, io.aeron.logbuffer.FrameDescriptor.END_FRAG_FLAG);
            // passed on once the connection back to its sender is made (off the calling thread)
            waitFor(() -> TransportGuard.accepted() == accepted + 1, "the message begun before the guard was passed on by it");
        } finally {
            receiver.shutdown();
        }
    }

    /**
     * A node whose transport cannot be dialled back yet (its media driver slow to answer: a loaded host, a
     * GC pause) sends its first message, the handshake: DL4J gives up on the connection after 10 s, and the
     * guard dropped the message, leaving that node waiting forever for the answer. The message now waits,
     * off the polling thread, until the connection is made, and is then delivered.
     */
    @Test
    void aMessageFromANodeNotReachableYetIsDeliveredOnceItIs() throws Exception {
        Receiver r = receiver();
        AeronUdpTransport receiver = r.transport();
        int late = freePort();
        Node lateNode = null;
        try {
            receiver.launchAsMaster();
            assertTrue(TransportGuard.guard(receiver), "the receiver's handler was guarded");
            long accepted = TransportGuard.accepted();
            long rejected = TransportGuard.rejected();
            byte[] message = serialized(ping("aeron:udp?endpoint=127.0.0.1:" + late));
            long t0 = System.nanoTime();
            fragment(assembler(receiver), new UnsafeBuffer(new byte[message.length + 256]), 0, message, 0,
                    message.length, (byte) (io.aeron.logbuffer.FrameDescriptor.BEGIN_FRAG_FLAG | io.aeron.logbuffer.FrameDescriptor.END_FRAG_FLAG));
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "the polling thread was not held while the node was dialled");
            // the node comes up after DL4J's first 10 s attempt to reach it has failed
            Thread.sleep(11_000);
            assertEquals(rejected, TransportGuard.rejected(), "the message was not dropped while its node was unreachable");
            lateNode = Node.start();
            lateNode.aeron().addSubscription("aeron:udp?endpoint=127.0.0.1:" + late, r.conf().getStreamId());
            waitFor(() -> TransportGuard.accepted() > accepted, "the message was delivered once its node could be reached");
            assertEquals(accepted + 1, TransportGuard.accepted(), "the message was delivered once its node could be reached");
            assertEquals(rejected, TransportGuard.rejected(), "nothing was dropped");
        } finally {
            if (lateNode != null) {
                lateNode.close();
            }
            receiver.shutdown();
        }
    }

    /**
     * Feeds one fragment of {@code message} to an assembler as DL4J's polling thread would: as the frame at
     * {@code frameOffset} of a term buffer; returns where the next frame starts (the assembler checks they follow on).
     */
    private static int fragment(io.aeron.logbuffer.FragmentHandler handler, UnsafeBuffer term, int frameOffset,
                                byte[] message, int from, int length, byte flags) {
        int headerLength = io.aeron.protocol.DataHeaderFlyweight.HEADER_LENGTH;
        term.putByte(frameOffset + io.aeron.protocol.HeaderFlyweight.FLAGS_FIELD_OFFSET, flags);
        term.putInt(frameOffset + io.aeron.protocol.DataHeaderFlyweight.SESSION_ID_FIELD_OFFSET, 7, java.nio.ByteOrder.LITTLE_ENDIAN);
        term.putBytes(frameOffset + headerLength, message, from, length);
        io.aeron.logbuffer.Header header = new io.aeron.logbuffer.Header(0, 16);
        header.buffer(term);
        header.offset(frameOffset);
        handler.onFragment(term, frameOffset + headerLength, length, header);
        return org.agrona.BitUtil.align(frameOffset + headerLength + length, io.aeron.logbuffer.FrameDescriptor.FRAME_ALIGNMENT);
    }

    /** A receiver on a free loopback port, its configuration and port. */
    record Receiver(AeronUdpTransport transport, VoidConfiguration conf, int port) {
    }

    /** Another node on this host: its own media driver and Aeron client. */
    record Node(MediaDriver driver, Aeron aeron) implements AutoCloseable {
        static Node start() {
            MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context().threadingMode(ThreadingMode.SHARED)
                    .dirDeleteOnStart(true).dirDeleteOnShutdown(true));
            return new Node(driver, Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())));
        }

        @Override
        public void close() {
            aeron.close();
            driver.close();
        }
    }

    /** The assembler DL4J's polling thread hands each fragment to (read before each poll). */
    private static io.aeron.FragmentAssembler assembler(AeronUdpTransport t) {
        return (io.aeron.FragmentAssembler) TransportInternals.HANDLER.get(t);
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A receiver with its own media driver directory: other tests in this JVM may have left DL4J's transport running. */
    static Receiver receiver() throws IOException {
        int port = freePort();
        VoidConfiguration conf = VoidConfiguration.builder().controllerAddress("127.0.0.1").build();
        conf.setUnicastControllerPort(port);
        String dir = System.getProperty("aeron.dir");
        System.setProperty("aeron.dir", java.nio.file.Files.createTempDirectory("guard-aeron").resolve("driver").toString());
        try {
            return new Receiver(new AeronUdpTransport("127.0.0.1", port, conf), conf, port);
        } finally {
            if (dir == null) {
                System.clearProperty("aeron.dir");
            } else {
                System.setProperty("aeron.dir", dir);
            }
        }
    }

    static void send(Publication pub, byte[] bytes) throws InterruptedException {
        UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        long deadline = System.currentTimeMillis() + 10_000;
        while (pub.offer(buffer) < 0) {
            assertTrue(System.currentTimeMillis() < deadline, "the publication took the datagram");
            Thread.sleep(5);
        }
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "timed out waiting until " + what);
            Thread.sleep(20);
        }
    }

    /** What ObjectInputStream tells a filter about an array. */
    private record FilterInfo(Class<?> serialClass, long arrayLength) implements java.io.ObjectInputFilter.FilterInfo {
        @Override
        public long depth() {
            return 1;
        }

        @Override
        public long references() {
            return 1;
        }

        @Override
        public long streamBytes() {
            return 0;
        }
    }
}
