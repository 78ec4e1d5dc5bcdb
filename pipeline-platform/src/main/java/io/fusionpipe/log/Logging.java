package io.fusionpipe.log;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

import java.util.List;

/** Log levels: Fusionpipe's own loggers at INFO, library internals at the configured level. */
public final class Logging {

    /** Logger name prefixes of the libraries whose chatter is turned down by default. */
    public static final List<String> INTERNALS = List.of(
            "org.apache.spark", "org.sparkproject", "org.apache.hadoop", "org.apache.parquet", "org.apache.orc",
            "org.deeplearning4j", "org.nd4j", "org.bytedeco", "io.aeron", "org.apache.ivy", "io.netty");

    private Logging() {
    }

    public static void quietInternals(String level) {
        Level l = Level.toLevel(level, Level.WARN);
        for (String name : INTERNALS) {
            Configurator.setLevel(name, l);
        }
        // Warns on every fit in gradient-sharing mode, where parameters are shared, never averaged.
        Configurator.setLevel("org.deeplearning4j.parallelism.ParallelWrapper", Level.ERROR);
        Configurator.setLevel("io.fusionpipe", Level.INFO);
    }
}
