package io.fusionpipe.eval.metrics;

/**
 * NumPy's float64 {@code np.mean} as the toolkit's corpus ROUGE-L and CIDEr-D use it: {@code 0.0 +}
 * NumPy's pairwise sum (blocks of up to 128 summed in 8 interleaved lanes, halved above that), then
 * divided by n. A plain left-to-right sum differs in the last bits once there are 8 or more values.
 */
final class NumpySums {

    private static final int BLOCK = 128;

    private NumpySums() {
    }

    static double mean(double[] v) {
        return (0.0 + pairwise(v, 0, v.length)) / v.length;
    }

    static double pairwise(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        if (n <= BLOCK) {
            double[] r = new double[8];
            System.arraycopy(a, from, r, 0, 8);
            int i = 8;
            for (; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[from + i + j];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        int half = n / 2;
        half -= half % 8;
        return pairwise(a, from, half) + pairwise(a, from + half, n - half);
    }
}
