package io.fusionpipe.train.cluster;

import io.aeron.FragmentAssembler;
import org.nd4j.parameterserver.distributed.v2.transport.impl.AeronUdpTransport;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;

/**
 * The non-public parts of DL4J's {@link AeronUdpTransport} (and Aeron's assembler) that {@link TransportGuard}
 * (to do what {@code AeronUdpTransport.jointMessageHandler} does, filtered) and {@link TransportPolling} reach
 * into, looked up once. Written against DL4J 1.0.0-M2 and Aeron 1.39: a
 * version that renamed any of them fails here, at class initialisation, naming what changed.
 */
final class TransportInternals {
    static final VarHandle HANDLER;
    static final VarHandle CONNECTIONS;
    static final VarHandle QUEUE;
    static final VarHandle SUBSCRIPTION;
    static final VarHandle EXECUTOR;
    static final MethodHandle ADD_CONNECTION;
    /** Final in Aeron, so set through reflection (Aeron is not a named module: no add-opens needed). */
    static final java.lang.reflect.Field DELEGATE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(AeronUdpTransport.class, MethodHandles.lookup());
            HANDLER = l.findVarHandle(AeronUdpTransport.class, "messageHandler", FragmentAssembler.class);
            CONNECTIONS = l.findVarHandle(AeronUdpTransport.class, "remoteConnections", Map.class);
            QUEUE = l.findVarHandle(AeronUdpTransport.class, "messageQueue", BlockingQueue.class);
            SUBSCRIPTION = l.findVarHandle(AeronUdpTransport.class, "ownSubscription", io.aeron.Subscription.class);
            EXECUTOR = l.findVarHandle(AeronUdpTransport.class, "messagesExecutorService", ExecutorService.class);
            ADD_CONNECTION = l.findVirtual(AeronUdpTransport.class, "addConnection",
                    java.lang.invoke.MethodType.methodType(void.class, String.class));
            DELEGATE = FragmentAssembler.class.getDeclaredField("delegate");
            DELEGATE.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("DL4J's AeronUdpTransport or Aeron's FragmentAssembler changed"
                    + " (written against DL4J 1.0.0-M2 and Aeron 1.39): " + e);
        }
    }

    private TransportInternals() {
    }
}
