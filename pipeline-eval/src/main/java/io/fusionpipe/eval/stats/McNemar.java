package io.fusionpipe.eval.stats;

/**
 * McNemar's exact test for two systems judged right or wrong on the same items: only the items
 * where they disagree count, and under "equally good" each disagreement goes either way with
 * probability 1/2. Deterministic (no resampling), so a field's paired test reads the same every run.
 */
public final class McNemar {

    private McNemar() {
    }

    /**
     * Two-sided exact p-value from the disagreements: {@code aOnly} items only the first system got
     * right, {@code bOnly} only the second. 1 when they never disagree.
     */
    public static double exactPValue(int aOnly, int bOnly) {
        if (aOnly < 0 || bOnly < 0) {
            throw new IllegalArgumentException("counts must not be negative: " + aOnly + ", " + bOnly);
        }
        int n = aOnly + bOnly;
        int k = Math.min(aOnly, bOnly);
        if (n == 0) {
            return 1.0;
        }
        // P(X <= k) for X ~ Binomial(n, 1/2), summed in log space (n may be thousands of images)
        double logTerm = -n * Math.log(2);   // log C(n,0) + n log(1/2)
        double tail = Math.exp(logTerm);
        for (int i = 1; i <= k; i++) {
            logTerm += Math.log(n - i + 1) - Math.log(i);
            tail += Math.exp(logTerm);
        }
        return Math.min(1.0, 2 * tail);
    }
}
