package io.fusionpipe.cli;

import io.fusionpipe.config.FusionConfig;

import java.io.PrintWriter;

/**
 * One step of {@code fusionpipe demo}, implemented by the module that owns the stage (the demo
 * in pipeline-app lists them in order). A stage reuses its previous output when it is still valid
 * for the current configuration instead of recomputing it.
 */
public interface DemoStage {

    /** The stage's name, as the demo prints it. */
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
