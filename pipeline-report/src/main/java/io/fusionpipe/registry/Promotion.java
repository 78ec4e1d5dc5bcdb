package io.fusionpipe.registry;

import java.util.Locale;

/**
 * The champion/challenger rule, a pure function: the challenger replaces the champion only when its
 * primary metric is higher by more than {@code minGain} and the paired bootstrap p-value is below
 * {@code significance}. A challenger that is lower by more than {@code minGain} with a significant
 * p-value is a regression.
 */
public final class Promotion {

    /** What promote decided. */
    public enum Outcome {
        /** No champion yet: the challenger becomes the first. */
        FIRST,
        PROMOTED,
        /** Not promoted: the gain is zero, below min-gain, or not significant; no regression either. */
        KEPT,
        /** Not promoted: the challenger is significantly worse than the champion. */
        REGRESSION;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether this outcome made the challenger champion (first or promoted). */
        public boolean crowns() {
            return this == FIRST || this == PROMOTED;
        }

        /** {@link #crowns} of an outcome as the registry history records it ({@link #id}). */
        public static boolean crowns(String id) {
            return FIRST.id().equals(id) || PROMOTED.id().equals(id);
        }
    }

    /** The decision and a sentence saying why. */
    public record Decision(Outcome outcome, String reason) {
    }

    private Promotion() {
    }

    /**
     * @param metric       the primary metric's name (for the reason)
     * @param champion     the champion's value on the same images, or NaN when there is no champion
     * @param challenger   the challenger's value
     * @param pValue       paired bootstrap p-value of challenger vs champion (NaN when unavailable)
     */
    public static Decision decide(String metric, double champion, double challenger, double pValue, double minGain, double significance) {
        if (Double.isNaN(champion)) {
            return new Decision(Outcome.FIRST, String.format(Locale.ROOT, "no champion yet: the challenger becomes champion with %s %.4f",
                    metric, challenger));
        }
        double diff = challenger - champion;
        String figures = String.format(Locale.ROOT, "%s %.4f vs champion %.4f (difference %+.4f, paired bootstrap p = %s)", metric, challenger,
                champion, diff, Double.isNaN(pValue) ? "n/a" : String.format(Locale.ROOT, "%.3f", pValue));
        boolean significant = !Double.isNaN(pValue) && pValue < significance;
        if (diff == 0) {
            return new Decision(Outcome.KEPT, "tie: " + figures);
        }
        if (diff > minGain && significant) {
            return new Decision(Outcome.PROMOTED, "better: " + figures);
        }
        if (diff < -minGain && significant) {
            return new Decision(Outcome.REGRESSION, "regression: " + figures + String.format(Locale.ROOT, " is significantly worse (p < %s)",
                    fmt(significance)));
        }
        if (Math.abs(diff) <= minGain) {
            return new Decision(Outcome.KEPT, String.format(Locale.ROOT, "gain within min-gain %s: %s", fmt(minGain), figures));
        }
        if (Double.isNaN(pValue)) {
            return new Decision(Outcome.KEPT, "no paired test available (bootstrap resamples = 0): " + figures);
        }
        return new Decision(Outcome.KEPT, (diff > 0 ? "not significant, may be noise: " : "worse but not significantly: ") + figures
                + String.format(Locale.ROOT, " (needs p < %s)", fmt(significance)));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }
}
