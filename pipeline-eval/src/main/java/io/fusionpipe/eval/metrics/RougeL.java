package io.fusionpipe.eval.metrics;

import java.util.List;

/**
 * ROUGE-L as the COCO toolkit computes it: tokens by str.split(" ") (so an empty caption is one empty
 * token and U+00A0 does not split), P and R each maximised over the references on its own, F with
 * beta = 1.2, 0 when either is 0. The corpus score is the mean of the per-image scores.
 */
public final class RougeL {

    private static final double BETA = 1.2;

    private RougeL() {
    }

    public static double score(String candidate, List<String> references) {
        return score(candidate, references, new NGrams());
    }

    /** The same, with tokens interned in {@code index} (one per scoring call: equal words get equal ids). */
    static double score(String candidate, List<String> references, NGrams index) {
        int[][] refs = new int[references.size()][];
        for (int k = 0; k < refs.length; k++) {
            refs[k] = tokens(references.get(k), null, index);
        }
        return score(tokens(candidate, null, index), refs);
    }

    /**
     * A caption's token ids by str.split(" "): {@code splitIds} (its ids by str.split(), from the same
     * index) when the two splits agree, else split again.
     */
    static int[] tokens(String caption, int[] splitIds, NGrams index) {
        return splitIds != null && PythonStrings.splitsAlike(caption) ? splitIds : index.tokens(PythonStrings.splitSpace(caption));
    }

    /** ROUGE-L of a candidate against references, all as token ids by str.split(" "). */
    static double score(int[] candidate, int[][] references) {
        if (references.length == 0) {
            throw new IllegalArgumentException("ROUGE-L needs at least one reference");
        }
        double precision = 0;
        double recall = 0;
        for (int[] r : references) {
            int lcs = lcs(r, candidate);
            precision = Math.max(precision, lcs / (double) candidate.length);
            recall = Math.max(recall, lcs / (double) r.length);
        }
        if (precision == 0 || recall == 0) {
            return 0.0;
        }
        return (1 + BETA * BETA) * precision * recall / (recall + BETA * BETA * precision);
    }

    /** Length of the longest common subsequence of two token lists (one row of the DP table at a time). */
    static int lcs(List<String> a, List<String> b) {
        NGrams index = new NGrams();
        return lcs(index.tokens(a), index.tokens(b));
    }

    static int lcs(int[] a, int[] b) {
        int[] prev = new int[b.length + 1];
        int[] cur = new int[b.length + 1];
        for (int i = 1; i <= a.length; i++) {
            int x = a[i - 1];
            for (int j = 1; j <= b.length; j++) {
                cur[j] = x == b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length];
    }
}
