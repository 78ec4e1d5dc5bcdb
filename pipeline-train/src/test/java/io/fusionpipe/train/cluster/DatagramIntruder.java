package io.fusionpipe.train.cluster;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.UnsafeBuffer;

import javax.management.BadAttributeValueExpException;
import java.util.Random;

/**
 * For deploy/cluster-test.sh: sends a garbage datagram and a serialized object of a class the
 * transport does not accept to a running trainer's gradient-sharing port, as an intruder on the
 * network would. {@code java ... DatagramIntruder HOST PORT STREAM} (the trainer's stream id, which
 * DL4J picks at random per run and which anyone who sees its traffic can read); prints what it sent.
 */
public final class DatagramIntruder {

    private DatagramIntruder() {
    }

    public static void main(String[] args) throws Exception {
        String channel = "aeron:udp?endpoint=" + args[0] + ":" + Integer.parseInt(args[1]);
        int stream = Integer.parseInt(args[2]);
        try (MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context().threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnStart(true).dirDeleteOnShutdown(true));
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
             Publication pub = aeron.addPublication(channel, stream)) {
            long deadline = System.currentTimeMillis() + 30_000;
            while (!pub.isConnected()) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("no trainer answered on " + channel + " stream " + stream);
                }
                Thread.sleep(20);
            }
            byte[] garbage = new byte[512];
            new Random(3).nextBytes(garbage);
            send(pub, garbage);
            send(pub, serialized(new BadAttributeValueExpException("crafted")));
            Thread.sleep(500); // let the frames leave before the driver closes
            System.out.println("INTRUDER sent 2 datagrams to " + channel + " stream " + stream);
        }
    }

    private static byte[] serialized(Object o) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static void send(Publication pub, byte[] bytes) throws InterruptedException {
        UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        long deadline = System.currentTimeMillis() + 10_000;
        while (pub.offer(buffer) < 0) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the publication did not take the datagram");
            }
            Thread.sleep(5);
        }
    }
}
