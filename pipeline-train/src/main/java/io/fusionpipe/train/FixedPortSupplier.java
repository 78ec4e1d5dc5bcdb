package io.fusionpipe.train;

import org.nd4j.parameterserver.distributed.v2.transport.PortSupplier;

/** Always the configured port (DL4J's StaticPortSupplier ignores its argument: notes, pitfall 4). */
final class FixedPortSupplier implements PortSupplier {

    private final int port;

    FixedPortSupplier(int port) {
        this.port = port;
    }

    @Override
    public int getPort() {
        return port;
    }
}
