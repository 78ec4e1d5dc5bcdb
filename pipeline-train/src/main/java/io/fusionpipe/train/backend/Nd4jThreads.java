package io.fusionpipe.train.backend;

import io.fusionpipe.config.FusionConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * Threads one ND4J CPU op (libnd4j's own loops and BLAS) may use in this JVM: {@code fusionpipe.nd4j.threads}.
 * Process-wide: applied on the driver and, through the jobs' functions, on every executor before its
 * first op. Tasks that each run their own model at once (eval's decoding) get their share of the
 * executor's cores, not every core each (docs/training.md, "Threads per op").
 */
public final class Nd4jThreads {

    public static final String KEY = "fusionpipe.nd4j.threads";
    private static final Logger LOG = LoggerFactory.getLogger(Nd4jThreads.class);
    private static int applied = -1;
    private static final java.util.Set<Integer> LOGGED = new java.util.HashSet<>();

    private Nd4jThreads() {
    }

    /** The configured threads per op; 0 means per job (see reference.conf). */
    public static int of(FusionConfig config) {
        return config.config().getInt(KEY);
    }

    /** Threads per op for tasks that each run a model at once: the configured number, else spark.task.cpus. */
    public static int perTask(FusionConfig config, org.apache.spark.SparkConf spark) {
        int configured = of(config);
        return configured > 0 ? configured : Math.max(1, spark.getInt("spark.task.cpus", 1));
    }

    /**
     * Sets {@code threads} per op in this JVM when it differs from what is set: N > 0, or 0 for ND4J's
     * own choice (OMP_NUM_THREADS, else every core); below 0 changes nothing. A no-op on a GPU backend.
     */
    public static synchronized void apply(int threads) {
        if (threads < 0) {
            return;
        }
        int effective = threads == 0 ? Defaults.THREADS : threads;
        if (effective == applied) {
            return;
        }
        set(effective);
        applied = effective;
        if (LOGGED.add(effective)) {   // training and scoring switch every epoch: say each value once
            LOG.info("ND4J CPU ops use up to {} thread(s) each ({} = {})", effective, KEY, threads);
        }
    }

    /**
     * Runs {@code body} with {@code threads} per op, then restores what {@link #apply} set, or ND4J's
     * own choice (a benchmark's all-core reference).
     */
    public static synchronized <T> T with(int threads, Supplier<T> body) {
        set(threads);
        try {
            return body.get();
        } finally {
            set(Math.max(applied, 0));
        }
    }

    /** ND4J's own threads per op in this JVM (OMP_NUM_THREADS, else every core). */
    static int nd4jDefault() {
        return Defaults.THREADS;
    }

    /** Sets N threads per op, or ND4J's own choice for 0 (read on first use, before any change). */
    private static void set(int threads) {
        if (!Nd4j.getEnvironment().isCPU()) {
            return;
        }
        int n = threads > 0 ? threads : Defaults.THREADS;
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
        Nd4j.factory().blas().setMaxThreads(n);
    }

    /** ND4J's own choice, read before anything here changes it. */
    private static final class Defaults {
        static final int THREADS = Math.max(1, Nd4j.factory().blas().getMaxThreads());
    }
}
