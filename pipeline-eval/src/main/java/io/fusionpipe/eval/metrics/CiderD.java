package io.fusionpipe.eval.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * CIDEr-D as the COCO toolkit's cider_scorer implements it: TF-IDF weights with document frequency
 * counted over the references of exactly the images being scored (N = their number), clipped
 * numerator, per-n cosine, a Gaussian length penalty (sigma 6) on the bigram-count difference,
 * 10 x the mean over n of the summed similarity divided by the number of references.
 */
public final class CiderD {

    private static final double SIGMA = 6.0;

    private CiderD() {
    }

    /** Per-image CIDEr-D of candidates against their references, as n-gram counts from one {@link NGrams} index. */
    static double[] score(List<NGrams.Counts> candidates, List<List<NGrams.Counts>> references, int grams) {
        int images = candidates.size();
        if (references.size() != images) {
            throw new IllegalArgumentException(images + " candidates but " + references.size() + " reference sets");
        }
        // document frequency: in how many images' references each n-gram occurs
        int[] df = new int[grams];
        int[] lastImage = new int[grams];
        Arrays.fill(lastImage, -1);
        for (int i = 0; i < images; i++) {
            List<NGrams.Counts> refs = references.get(i);
            if (refs.isEmpty()) {
                throw new IllegalArgumentException("CIDEr-D needs at least one reference per image");
            }
            for (NGrams.Counts r : refs) {
                for (int[] ids : r.ids()) {
                    for (int g : ids) {
                        if (lastImage[g] != i) {
                            lastImage[g] = i;
                            df[g]++;
                        }
                    }
                }
            }
        }
        // the toolkit's weight is tf * (log N - log max(1, df)); the factor is computed once per n-gram
        double logN = RoundedMath.log(images);
        double[] logDf = new double[images + 1]; // df is a whole number 0..N: each log once
        Arrays.fill(logDf, Double.NaN);
        double[] idf = new double[grams];
        for (int g = 0; g < grams; g++) {
            int d = Math.max(1, df[g]);
            if (Double.isNaN(logDf[d])) {
                logDf[d] = RoundedMath.log(d);
            }
            idf[g] = logN - logDf[d];
        }
        double[] out = new double[images];
        for (int i = 0; i < images; i++) {
            Vec hyp = new Vec(candidates.get(i), idf);
            double[] sum = new double[NGrams.MAX_N];
            for (NGrams.Counts ref : references.get(i)) {
                Vec r = new Vec(ref, idf);
                double delta = hyp.length - r.length;
                double penalty = RoundedMath.pow(Math.E, -(delta * delta) / (2 * SIGMA * SIGMA));
                for (int n = 0; n < NGrams.MAX_N; n++) {
                    // summed in the hypothesis' order of first appearance, as the toolkit's dict iterates;
                    // an n-gram the reference lacks adds min(w, 0) * 0 = 0 and is skipped
                    double val = 0;
                    int[] ri = r.ids[n];
                    for (int a : hyp.firstSeen[n]) {
                        int b = Arrays.binarySearch(ri, hyp.ids[n][a]);
                        if (b >= 0) {
                            val += Math.min(hyp.weights[n][a], r.weights[n][b]) * r.weights[n][b];
                        }
                    }
                    if (hyp.norm[n] != 0 && r.norm[n] != 0) {
                        val /= hyp.norm[n] * r.norm[n];
                    }
                    sum[n] += val * penalty;
                }
            }
            double mean = 0;
            for (double v : sum) {
                mean += v;
            }
            mean /= NGrams.MAX_N;
            out[i] = mean / references.get(i).size() * 10.0;
        }
        return out;
    }

    /** TF-IDF vector of one caption: per n its n-gram ids (ascending) and weights, the norm, and its number of bigrams. */
    private static final class Vec {
        final int[][] ids;
        final int[][] firstSeen;
        final double[][] weights = new double[NGrams.MAX_N][];
        final double[] norm = new double[NGrams.MAX_N];
        final long length;

        Vec(NGrams.Counts counts, double[] idf) {
            ids = counts.ids();
            firstSeen = counts.firstSeen();
            long bigrams = 0;
            for (int n = 0; n < NGrams.MAX_N; n++) {
                int[] c = counts.counts()[n];
                double[] w = new double[c.length];
                double sq = 0;
                // the norm's squares summed in order of first appearance, as the toolkit does
                for (int k : firstSeen[n]) {
                    w[k] = c[k] * idf[ids[n][k]];
                    sq += w[k] * w[k];
                    if (n == 1) {
                        bigrams += c[k];
                    }
                }
                weights[n] = w;
                norm[n] = Math.sqrt(sq);
            }
            length = bigrams;
        }
    }
}
