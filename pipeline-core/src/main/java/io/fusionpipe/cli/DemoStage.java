package io.fusionpipe.cli;

import io.fusionpipe.config.FusionConfig;

import java.io.PrintWriter;

/**
 * One step of {@code fusionpipe demo}, contributed by the module that owns the stage through
 * {@code META-INF/services/io.fusionpipe.cli.DemoStage}. A stage reuses its previous output when it
 * is still valid for the current configuration instead of recomputing it.
 */
public interface DemoStage {

    /** The stage's name, one of {@link DemoCommand#STAGES}. */
    String name();

    /**
     * Spark properties the stage needs (e.g. a Kryo registrator). The demo runs every stage in one
     * SparkSession, created up front with the union of these.
     */
    default java.util.Map<String, String> sparkConf() {
        return java.util.Map.of();
    }

    /** Runs (or reuses) the stage; prints one progress line or more; returns a one-line result. */
    String run(FusionConfig config, PrintWriter out) throws Exception;
}
