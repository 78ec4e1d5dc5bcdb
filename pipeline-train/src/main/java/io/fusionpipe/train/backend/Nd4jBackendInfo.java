package io.fusionpipe.train.backend;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.Locale;
import java.util.Properties;

/**
 * What ND4J backend this JVM runs: CPU or CUDA, the instruction-set level the native binary was
 * built for against what this CPU offers, BLAS vendor, and how long the first load took.
 */
public record Nd4jBackendInfo(String backend, boolean cpu, int binaryLevel, int optimalLevel, boolean minimalMet,
                              boolean optimalMet, String blasVendor, int cores, double loadSeconds) {

    private static volatile Nd4jBackendInfo cached;

    /** Loads ND4J if needed (timing the first load) and describes it. */
    public static synchronized Nd4jBackendInfo load() {
        if (cached != null) {
            return cached;
        }
        long t0 = System.nanoTime();
        INDArray probe = Nd4j.create(new float[]{1f, 2f, 3f, 4f}, new long[]{2, 2});
        double sum = probe.mmul(probe).sumNumber().doubleValue();
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        if (Math.abs(sum - 54.0) > 1e-6) {
            throw new IllegalStateException("ND4J self-test: [[1,2],[3,4]]^2 sums to " + sum + ", expected 54");
        }
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        cached = new Nd4jBackendInfo(
                Nd4j.getBackend().getClass().getSimpleName(),
                Nd4j.getEnvironment().isCPU(),
                ops.binaryLevel(), ops.optimalLevel(), ops.isMinimalRequirementsMet(), ops.isOptimalRequirementsMet(),
                String.valueOf(env.getOrDefault("blas.vendor", "unknown")),
                Runtime.getRuntime().availableProcessors(),
                loadSeconds);
        return cached;
    }

    /** libnd4j's binary levels. */
    public static String levelName(int level) {
        switch (level) {
            case 0: return "generic x86";
            case 1: return "AVX";
            case 2: return "AVX2";
            case 3: return "AVX512";
            default: return "level " + level;
        }
    }

    public String describe() {
        return String.format(Locale.ROOT, "%s (%s), binary %s on a CPU good for %s, BLAS %s, %d cores, first load %.1f s",
                backend, cpu ? "CPU" : "CUDA", levelName(binaryLevel), levelName(optimalLevel), blasVendor, cores, loadSeconds);
    }
}
