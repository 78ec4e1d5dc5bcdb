package io.fusionpipe.eval.metrics;

import java.util.List;

/**
 * BLEU-1..4 exactly as the COCO toolkit's bleu_scorer (option "closest"): clipped n-gram matches,
 * the closest reference length (ties: the shorter), the 1e-15 / 1e-9 smoothing constants, and a
 * brevity penalty when the candidate is shorter. Per-image and corpus scores use the same formula on
 * one image's or on the summed counts; the counts are kept so a corpus score can be recomputed on
 * any resample of images (bootstrap).
 */
public final class Bleu {

    private static final double TINY = 1e-15;
    private static final double SMALL = 1e-9;

    private Bleu() {
    }

    /** One image's sufficient statistics. */
    public record Stats(long testLength, long refLength, long[] guess, long[] correct) {
    }

    /** Statistics of a candidate against its references, as n-gram counts and token lengths (tokens by Python str.split()). */
    static Stats stats(NGrams.Counts candidate, int candidateLength, List<NGrams.Counts> references, int[] referenceLengths) {
        int testLen = candidateLength;
        long refLen = -1;
        long bestGap = Long.MAX_VALUE;
        for (int len : referenceLengths) {
            long gap = Math.abs(len - testLen);
            if (gap < bestGap || (gap == bestGap && len < refLen)) {
                bestGap = gap;
                refLen = len;
            }
        }
        long[] guess = new long[NGrams.MAX_N];
        long[] correct = new long[NGrams.MAX_N];
        for (int k = 0; k < NGrams.MAX_N; k++) {
            guess[k] = Math.max(0, testLen - k);
            int[] ids = candidate.ids()[k];
            int[] counts = candidate.counts()[k];
            // the largest count of each candidate n-gram in any reference: both id lists are ascending
            int[] maxRef = new int[ids.length];
            for (NGrams.Counts ref : references) {
                int[] rids = ref.ids()[k];
                int[] rcounts = ref.counts()[k];
                for (int a = 0, b = 0; a < ids.length && b < rids.length; ) {
                    if (ids[a] < rids[b]) {
                        a++;
                    } else if (ids[a] > rids[b]) {
                        b++;
                    } else {
                        maxRef[a] = Math.max(maxRef[a], rcounts[b]);
                        a++;
                        b++;
                    }
                }
            }
            for (int g = 0; g < ids.length; g++) {
                correct[k] += Math.min(maxRef[g], counts[g]);
            }
        }
        return new Stats(testLen, refLen, guess, correct);
    }

    /** BLEU-1..4 of one image. */
    public static double[] score(Stats s) {
        return compute(s.testLength(), s.refLength(), s.guess(), s.correct());
    }

    /** Corpus BLEU-1..4: the formula on the counts summed over images (not the mean of per-image scores). */
    public static double[] corpus(Iterable<Stats> images) {
        long test = 0;
        long ref = 0;
        long[] guess = new long[NGrams.MAX_N];
        long[] correct = new long[NGrams.MAX_N];
        for (Stats s : images) {
            test += s.testLength();
            ref += s.refLength();
            for (int k = 0; k < NGrams.MAX_N; k++) {
                guess[k] += s.guess()[k];
                correct[k] += s.correct()[k];
            }
        }
        return compute(test, ref, guess, correct);
    }

    static double[] compute(long testLen, long refLen, long[] guess, long[] correct) {
        double[] out = new double[NGrams.MAX_N];
        double bleu = 1.0;
        for (int k = 0; k < NGrams.MAX_N; k++) {
            bleu *= (correct[k] + TINY) / (guess[k] + SMALL);
            out[k] = RoundedMath.pow(bleu, 1.0 / (k + 1));
        }
        double ratio = (testLen + TINY) / (refLen + SMALL);
        if (ratio < 1) {
            double penalty = RoundedMath.exp(1 - 1 / ratio);
            for (int k = 0; k < NGrams.MAX_N; k++) {
                out[k] *= penalty;
            }
        }
        return out;
    }
}
