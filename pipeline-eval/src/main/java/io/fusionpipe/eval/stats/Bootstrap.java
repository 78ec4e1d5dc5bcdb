package io.fusionpipe.eval.stats;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Seeded bootstrap over images: the same resampled image indices for every metric and every system
 * (so paired tests compare systems on identical resamples). A statistic is a function of the indices
 * of one resample (e.g. a mean of per-image scores, or corpus BLEU recomputed from per-image counts).
 */
public final class Bootstrap {

    private final int[][] samples;

    /** {@code resamples} draws of {@code n} indices with replacement, from {@code seed}. */
    public Bootstrap(int n, int resamples, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException("nothing to resample: no images");
        }
        SplittableRandom random = new SplittableRandom(seed);
        samples = new int[resamples][n];
        for (int[] s : samples) {
            for (int i = 0; i < n; i++) {
                s[i] = random.nextInt(n);
            }
        }
    }

    public int resamples() {
        return samples.length;
    }

    /** A statistic on every resample. */
    public double[] distribution(Function<int[], Double> statistic) {
        double[] out = new double[samples.length];
        for (int r = 0; r < samples.length; r++) {
            out[r] = statistic.apply(samples[r]);
        }
        return out;
    }

    /** Percentile interval [lo, hi] at {@code confidence} (e.g. 0.95: 2.5th and 97.5th percentiles). */
    public static double[] interval(double[] distribution, double confidence) {
        double[] d = distribution.clone();
        Arrays.sort(d);
        double alpha = (1 - confidence) / 2;
        return new double[]{percentile(d, alpha), percentile(d, 1 - alpha)};
    }

    /**
     * Two-sided paired bootstrap p-value of "a and b differ": twice the smaller share of resamples
     * where the difference a - b is on either side of zero (at most 1).
     */
    public static double pairedPValue(double[] a, double[] b) {
        int le = 0;
        int ge = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            if (d <= 0) {
                le++;
            }
            if (d >= 0) {
                ge++;
            }
        }
        return Math.min(1.0, 2.0 * Math.min(le, ge) / a.length);
    }

    /** Mean of {@code values} over the resampled indices. */
    public static double mean(double[] values, int[] indices) {
        double s = 0;
        for (int i : indices) {
            s += values[i];
        }
        return s / indices.length;
    }

    /** Linear interpolation between closest ranks of a sorted array. */
    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
