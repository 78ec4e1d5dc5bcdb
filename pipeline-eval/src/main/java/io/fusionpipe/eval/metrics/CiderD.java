package io.fusionpipe.eval.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /** Per-image CIDEr-D of tokenized candidates (str.split() tokens) against their tokenized references. */
    public static double[] score(List<List<String>> candidates, List<List<List<String>>> references) {
        int images = candidates.size();
        if (references.size() != images) {
            throw new IllegalArgumentException(images + " candidates but " + references.size() + " reference sets");
        }
        List<List<List<Map<String, Integer>>>> refCounts = new ArrayList<>(images);
        Map<String, Integer> df = new HashMap<>();
        for (List<List<String>> refs : references) {
            if (refs.isEmpty()) {
                throw new IllegalArgumentException("CIDEr-D needs at least one reference per image");
            }
            List<List<Map<String, Integer>>> counted = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (List<String> r : refs) {
                List<Map<String, Integer>> c = NGrams.count(r);
                counted.add(c);
                for (Map<String, Integer> byN : c) {
                    seen.addAll(byN.keySet());
                }
            }
            for (String g : seen) {
                df.merge(g, 1, Integer::sum);
            }
            refCounts.add(counted);
        }
        double logN = Math.log(images);
        double[] out = new double[images];
        for (int i = 0; i < images; i++) {
            Vec hyp = new Vec(NGrams.count(candidates.get(i)), df, logN);
            double[] sum = new double[NGrams.MAX_N];
            for (List<Map<String, Integer>> ref : refCounts.get(i)) {
                Vec r = new Vec(ref, df, logN);
                double delta = hyp.length - r.length;
                double penalty = Math.pow(Math.E, -(delta * delta) / (2 * SIGMA * SIGMA));
                for (int n = 0; n < NGrams.MAX_N; n++) {
                    double val = 0;
                    for (Map.Entry<String, Double> e : hyp.weights.get(n).entrySet()) {
                        double wr = r.weights.get(n).getOrDefault(e.getKey(), 0.0);
                        val += Math.min(e.getValue(), wr) * wr;
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
            out[i] = mean / refCounts.get(i).size() * 10.0;
        }
        return out;
    }

    /** TF-IDF vector of one caption: weights and norm per n, and its number of bigrams. */
    private static final class Vec {
        final List<Map<String, Double>> weights = new ArrayList<>(NGrams.MAX_N);
        final double[] norm = new double[NGrams.MAX_N];
        final long length;

        Vec(List<Map<String, Integer>> counts, Map<String, Integer> df, double logN) {
            long bigrams = 0;
            for (int n = 0; n < NGrams.MAX_N; n++) {
                Map<String, Double> w = new HashMap<>();
                double sq = 0;
                for (Map.Entry<String, Integer> e : counts.get(n).entrySet()) {
                    double v = e.getValue() * (logN - Math.log(Math.max(1.0, df.getOrDefault(e.getKey(), 0))));
                    w.put(e.getKey(), v);
                    sq += v * v;
                    if (n == 1) {
                        bigrams += e.getValue();
                    }
                }
                weights.add(w);
                norm[n] = Math.sqrt(sq);
            }
            length = bigrams;
        }
    }
}
