package io.fusionpipe.eval.metrics;

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
        java.util.Arrays.fill(lastImage, -1);
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
        double logN = Math.log(images);
        double[] out = new double[images];
        for (int i = 0; i < images; i++) {
            Vec hyp = new Vec(candidates.get(i), df, logN);
            double[] sum = new double[NGrams.MAX_N];
            for (NGrams.Counts ref : references.get(i)) {
                Vec r = new Vec(ref, df, logN);
                double delta = hyp.length - r.length;
                double penalty = Math.pow(Math.E, -(delta * delta) / (2 * SIGMA * SIGMA));
                for (int n = 0; n < NGrams.MAX_N; n++) {
                    double val = 0;
                    int[] hi = hyp.ids[n];
                    int[] ri = r.ids[n];
                    // both ascending: the n-grams they share, each term min(hyp, ref) * ref
                    for (int a = 0, b = 0; a < hi.length && b < ri.length; ) {
                        if (hi[a] < ri[b]) {
                            a++;
                        } else if (hi[a] > ri[b]) {
                            b++;
                        } else {
                            val += Math.min(hyp.weights[n][a], r.weights[n][b]) * r.weights[n][b];
                            a++;
                            b++;
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
        final double[][] weights = new double[NGrams.MAX_N][];
        final double[] norm = new double[NGrams.MAX_N];
        final long length;

        Vec(NGrams.Counts counts, int[] df, double logN) {
            ids = counts.ids();
            long bigrams = 0;
            for (int n = 0; n < NGrams.MAX_N; n++) {
                int[] c = counts.counts()[n];
                double[] w = new double[c.length];
                double sq = 0;
                for (int k = 0; k < c.length; k++) {
                    w[k] = c[k] * (logN - Math.log(Math.max(1.0, df[ids[n][k]])));
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
