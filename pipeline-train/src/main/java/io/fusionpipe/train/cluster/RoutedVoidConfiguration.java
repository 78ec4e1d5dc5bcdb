package io.fusionpipe.train.cluster;

import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.nd4j.parameterserver.distributed.v2.ModelParameterServer;
import org.nd4j.parameterserver.distributed.v2.transport.PortSupplier;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * DL4J's transport configuration, with one difference: on an executor, unless a network mask was
 * configured, {@link #getNetworkMask()} answers a mask that selects the address this host's route
 * to the driver leaves from ({@link TransportAddress}). DL4J's worker asks for the mask first when
 * it chooses the address to bind, so each executor binds its own reachable address on any cluster
 * manager, with nothing set per host. On the driver it answers the configured mask (or none).
 * Asking also starts the JVM's {@link TransportGuard}. When DL4J launches the JVM's transport it asks
 * for the port supplier: the moment its receive threads get their timer slack ({@link TransportPolling}).
 */
public final class RoutedVoidConfiguration extends VoidConfiguration {

    private static final long serialVersionUID = 1L;

    private String configuredMask;
    private long pollSlackNanos;

    public RoutedVoidConfiguration() {
    }

    /**
     * A copy of {@code base} (every field), with {@code mask} ("" for none) as the configured mask and
     * {@code pollSlackNanos} (0: DL4J's own polling) as the receive threads' timer slack.
     */
    public static RoutedVoidConfiguration of(VoidConfiguration base, String mask, long pollSlackNanos) {
        RoutedVoidConfiguration c = new RoutedVoidConfiguration();
        for (Field f : VoidConfiguration.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            try {
                f.setAccessible(true);
                f.set(c, f.get(base));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("copying VoidConfiguration." + f.getName(), e);
            }
        }
        c.configuredMask = mask == null || mask.isBlank() ? null : mask.strip();
        c.pollSlackNanos = pollSlackNanos;
        return c;
    }

    @Override
    public PortSupplier getPortSupplier() {
        // ModelParameterServer.launch() asks right before it launches the transport it was configured with
        TransportPolling.quiet(ModelParameterServer.getInstance().getTransport(), pollSlackNanos);
        return super.getPortSupplier();
    }

    @Override
    public String getNetworkMask() {
        // DL4J asks for the mask in each JVM before it builds that JVM's transport: the moment to guard it.
        TransportGuard.install();
        if (configuredMask != null) {
            return configuredMask;
        }
        if (TransportPorts.onDriver() || getControllerAddress() == null) {
            return null;
        }
        return TransportAddress.maskSelecting(TransportAddress.towards(getControllerAddress(), getUnicastControllerPort()),
                TransportAddress.localAddresses());
    }

    /** The address an executor's transport binds: what DL4J's matcher picks with {@link #getNetworkMask()}. */
    public String executorAddress() {
        String mask = getNetworkMask();
        if (mask == null) {
            String env = System.getenv("DL4J_VOID_IP");
            return env != null && !env.isBlank() ? env : "127.0.0.1";
        }
        return new org.nd4j.parameterserver.distributed.util.NetworkOrganizer(mask).getMatchingAddress();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RoutedVoidConfiguration r && super.equals(o) && java.util.Objects.equals(configuredMask, r.configuredMask)
                && pollSlackNanos == r.pollSlackNanos;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * super.hashCode() + java.util.Objects.hashCode(configuredMask)) + Long.hashCode(pollSlackNanos);
    }
}
