package io.fusionpipe.train.cluster;

import io.aeron.FragmentAssembler;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.nd4j.parameterserver.distributed.v2.ModelParameterServer;
import org.nd4j.parameterserver.distributed.v2.messages.VoidMessage;
import org.nd4j.parameterserver.distributed.v2.transport.Transport;
import org.nd4j.parameterserver.distributed.v2.transport.impl.AeronUdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Guards the receiving side of DL4J's gradient-sharing transport (Aeron UDP), which has no
 * authentication: DL4J M2 Java-deserializes every datagram with no filter, so anyone who can reach
 * the port makes the JVM instantiate any serializable class on its classpath (the start of every
 * deserialization gadget chain).
 *
 * <p>DL4J creates the transport itself, with no hook, so a watcher thread (one per JVM, started
 * with the transport configuration: {@link #install()}) swaps the transport's message handler as
 * soon as the parameter server exposes the transport. The new handler deserializes with an
 * allow-list filter (DL4J's message classes, ND4J arrays, the JDK collections they hold; array
 * lengths bounded by the datagram), accepts only {@link VoidMessage}s whose originator is a literal {@code ip:port} channel, drops anything
 * else with a log line, and never throws; then it does what DL4J's handler does, except that the connection
 * back to a new sender is made off the polling thread and retried (DL4J gives up after 10 s and the sender's
 * handshake then waits forever: a stall on a loaded cluster). Messages that
 * arrive before the swap (seconds on a loaded host: the handshake and first parameters) still go
 * through DL4J's own handler (docs/security.md).
 */
public final class TransportGuard {

    private static final Logger LOG = LoggerFactory.getLogger(TransportGuard.class);
    private static final AtomicLong ACCEPTED = new AtomicLong();
    private static final AtomicLong REJECTED = new AtomicLong();
    /** DL4J names a node by its Aeron channel; only a literal address may be dialled back (no name to resolve). */
    private static final Pattern ORIGIN = Pattern.compile("aeron:udp\\?endpoint=[0-9a-fA-F.:\\[\\]]{3,60}:[0-9]{1,5}");
    private static final Set<String> JDK_CLASSES = Set.of("java.lang.Number", "java.lang.Integer", "java.lang.Long", "java.lang.Double",
            "java.lang.Float", "java.lang.Short", "java.lang.Byte", "java.lang.Boolean", "java.lang.Character", "java.lang.Enum",
            "java.lang.String", "java.lang.Object", "java.util.ArrayList", "java.util.LinkedList", "java.util.ArrayDeque",
            "java.util.HashMap", "java.util.LinkedHashMap", "java.util.TreeMap", "java.util.HashSet", "java.util.LinkedHashSet",
            "java.util.TreeSet", "java.util.concurrent.ConcurrentHashMap", "java.util.concurrent.ConcurrentHashMap$Segment",
            "java.util.concurrent.CopyOnWriteArrayList", "java.util.concurrent.ConcurrentLinkedQueue",
            "java.util.concurrent.LinkedBlockingQueue", "java.util.concurrent.locks.ReentrantLock",
            "java.util.concurrent.locks.ReentrantLock$Sync", "java.util.concurrent.locks.ReentrantLock$NonfairSync",
            "java.util.concurrent.locks.AbstractQueuedSynchronizer", "java.util.concurrent.locks.AbstractOwnableSynchronizer",
            "java.util.concurrent.atomic.AtomicInteger", "java.util.concurrent.atomic.AtomicLong",
            "java.util.concurrent.atomic.AtomicBoolean", "java.util.concurrent.atomic.AtomicReference",
            "java.util.Collections$SetFromMap", "java.util.Collections$SynchronizedMap", "java.util.Collections$SynchronizedSet",
            "java.util.Collections$SynchronizedCollection", "java.util.Collections$SynchronizedList",
            "java.util.Collections$SynchronizedRandomAccessList", "java.util.Collections$UnmodifiableList",
            "java.util.Collections$UnmodifiableRandomAccessList", "java.util.Collections$UnmodifiableCollection",
            "java.util.Collections$EmptyList", "java.util.Collections$EmptyMap", "java.util.Collections$EmptySet",
            "java.util.concurrent.ConcurrentHashMap$KeySetView",
            // HashMap and HashSet ask the filter about the table they are about to allocate
            "java.util.Map$Entry");
    private static final String[] ND4J_PACKAGES = {"org.nd4j.parameterserver.distributed.", "org.nd4j.linalg.api.ndarray.",
            "org.nd4j.linalg.api.buffer.", "org.nd4j.linalg.cpu.nativecpu.", "org.nd4j.linalg.jcublas.", "org.nd4j.common.primitives."};
    private static final int MAX_DEPTH = 64;
    /** The class the filter refused last on this thread, for the log line (the JDK's exception does not name it). */
    private static final ThreadLocal<String> REFUSED = new ThreadLocal<>();

    /** How long a message waits for its sender to become reachable before it is dropped. */
    static final long CONNECT_PATIENCE_MILLIS = 180_000;
    /** Per transport and sender: messages waiting behind the connection back to that sender. */
    private static final Map<String, AtomicInteger> WAITING = new ConcurrentHashMap<>();
    /** Per transport and sender: the last of its messages handed to {@link #CONNECTING} (they run in turn). */
    private static final Map<String, CompletableFuture<Void>> IN_TURN = new ConcurrentHashMap<>();
    /** Senders are dialled in parallel: one that never answers holds up only its own messages. */
    private static final ExecutorService CONNECTING = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fusionpipe-transport-connect");
        t.setDaemon(true);
        return t;
    });

    private static Thread watcher;

    private TransportGuard() {
    }

    /** Starts this JVM's watcher once; cheap to call again. */
    public static synchronized void install() {
        if (watcher != null) {
            return;
        }
        watcher = new Thread(() -> {
            while (true) {
                try {
                    Transport t = ModelParameterServer.getInstance().getTransport();
                    if (t instanceof AeronUdpTransport aeron) {
                        guard(aeron);
                    }
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException | LinkageError e) {
                    LOG.warn("gradient-sharing transport guard: {}", e.toString());
                }
            }
        }, "fusionpipe-transport-guard");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Messages the guarded handlers passed on and dropped in this JVM. */
    public static long accepted() {
        return ACCEPTED.get();
    }

    public static long rejected() {
        return REJECTED.get();
    }

    /**
     * Guards {@code t}'s message handler; false when there is none yet or it is already guarded.
     * DL4J's assembler stays and only the handler it hands whole messages to is replaced: a message
     * whose first fragments arrived before the swap is then completed and passed through the guard,
     * where a new assembler would silently drop its remaining fragments (a lost chunk of the
     * parameters leaves an executor waiting forever).
     */
    static boolean guard(AeronUdpTransport t) {
        FragmentAssembler current = (FragmentAssembler) TransportInternals.HANDLER.get(t);
        if (current == null || current.delegate() instanceof Guarded) {
            return false;
        }
        try {
            TransportInternals.DELEGATE.set(current, new Guarded(t));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot guard the gradient-sharing transport: " + e, e);
        }
        io.aeron.Subscription sub = (io.aeron.Subscription) TransportInternals.SUBSCRIPTION.get(t);
        LOG.info("gradient-sharing transport {} stream {}: incoming messages are filtered (allow-list) and bad ones dropped", t.id(),
                sub == null ? "?" : sub.streamId());
        return true;
    }

    /** Receives the transport's whole messages in place of DL4J's handler. */
    private record Guarded(AeronUdpTransport transport) implements FragmentHandler {
        @Override
        public void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
            receive(transport, buffer, offset, length);
        }
    }

    @SuppressWarnings("unchecked")
    private static void receive(AeronUdpTransport t, DirectBuffer buffer, int offset, int length) {
        byte[] data = new byte[length];
        buffer.getBytes(offset, data);
        VoidMessage m;
        try {
            m = decode(data);
        } catch (Exception | StackOverflowError e) {
            drop(length, e.getClass().getSimpleName() + ": " + e.getMessage());
            return;
        }
        String origin = m.getOriginatorId();
        if (origin == null || !ORIGIN.matcher(origin).matches()) {
            drop(length, m.getClass().getSimpleName() + " with originator '" + origin + "' (not aeron:udp?endpoint=ip:port)");
            return;
        }
        String key = t.id() + " <- " + origin;
        AtomicInteger queued = WAITING.get(key);
        if (connected(t, origin) && (queued == null || queued.get() == 0)) {
            deliver(t, m, length, origin);
            return;
        }
        // DL4J dials every sender back before handling its message and gives up after 10 s, and its handshake
        // waits forever for an answer: so the dialling happens here, off the polling thread, and is retried.
        // Later messages from that sender queue behind it, in arrival order.
        WAITING.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        Runnable connect = () -> {
            try {
                connectAndDeliver(t, m, length, origin);
            } finally {
                WAITING.get(key).decrementAndGet();
            }
        };
        IN_TURN.compute(key, (k, last) -> last == null ? CompletableFuture.runAsync(connect, CONNECTING) : last.thenRunAsync(connect, CONNECTING));
    }

    /** Makes the connection back to {@code origin} (DL4J's 10 s attempts, until {@link #CONNECT_PATIENCE_MILLIS}), then delivers. */
    private static void connectAndDeliver(AeronUdpTransport t, VoidMessage m, int length, String origin) {
        long deadline = System.currentTimeMillis() + CONNECT_PATIENCE_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                if (!connected(t, origin)) {
                    TransportInternals.ADD_CONNECTION.invoke(t, origin);
                }
                if (attempt > 1) {
                    LOG.info("gradient-sharing transport: connected to {} at attempt {}; its {} is delivered", origin, attempt,
                            m.getClass().getSimpleName());
                }
                deliver(t, m, length, origin);
                return;
            } catch (Throwable e) {
                if (System.currentTimeMillis() >= deadline) {
                    drop(length, m.getClass().getSimpleName() + " from " + origin + ": no connection back after " + attempt + " attempts: " + e);
                    return;
                }
                LOG.warn("gradient-sharing transport: no connection to {} yet (attempt {}: {}); its {} waits", origin, attempt, e,
                        m.getClass().getSimpleName());
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Whether DL4J holds a connection back to {@code origin}. */
    @SuppressWarnings("unchecked")
    private static boolean connected(AeronUdpTransport t, String origin) {
        return ((Map<String, ?>) TransportInternals.CONNECTIONS.get(t)).containsKey(origin);
    }

    @SuppressWarnings("unchecked")
    private static void deliver(AeronUdpTransport t, VoidMessage m, int length, String origin) {
        try {
            ((BlockingQueue<VoidMessage>) TransportInternals.QUEUE.get(t)).put(m);
            ACCEPTED.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            drop(length, "handling " + m.getClass().getSimpleName() + " from " + origin + " failed: " + e);
        }
    }

    private static void drop(int length, String why) {
        long n = REJECTED.incrementAndGet();
        if (n <= 20 || Long.bitCount(n) == 1) {
            LOG.warn("gradient-sharing transport: dropped a message of {} bytes ({} dropped so far): {}", length, n, why);
        }
    }

    /** The message in {@code data}, read through {@link #filter}; anything else is an exception. */
    static VoidMessage decode(byte[] data) throws IOException, ClassNotFoundException {
        REFUSED.remove();
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(data))) {
            in.setObjectInputFilter(filter(data.length));
            Object o;
            try {
                o = in.readObject();
            } catch (java.io.InvalidClassException e) {
                throw REFUSED.get() == null ? e : new java.io.InvalidClassException(REFUSED.get(), "a class the transport does not accept");
            }
            if (!(o instanceof VoidMessage m)) {
                throw new InvalidObjectException("not a gradient-sharing message: " + (o == null ? "null" : o.getClass().getName()));
            }
            return m;
        }
    }

    /** Allows DL4J's message classes, ND4J arrays and plain JDK values; no array longer than the datagram. */
    static ObjectInputFilter filter(long datagramBytes) {
        return info -> {
            if (info.depth() > MAX_DEPTH || info.arrayLength() > datagramBytes) {
                REFUSED.set(info.depth() > MAX_DEPTH ? "nesting over " + MAX_DEPTH : "an array of " + info.arrayLength() + " elements");
                return ObjectInputFilter.Status.REJECTED;
            }
            Class<?> c = info.serialClass();
            if (c == null) {
                return ObjectInputFilter.Status.UNDECIDED;
            }
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (c.isPrimitive() || allowed(c.getName())) {
                return ObjectInputFilter.Status.ALLOWED;
            }
            REFUSED.set(c.getName());
            return ObjectInputFilter.Status.REJECTED;
        };
    }

    static boolean allowed(String className) {
        if (JDK_CLASSES.contains(className)) {
            return true;
        }
        for (String p : ND4J_PACKAGES) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
