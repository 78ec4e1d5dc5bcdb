package io.fusionpipe.eval;

import io.fusionpipe.eval.metrics.CaptionScorer;
import io.fusionpipe.records.EvalRecord;
import io.fusionpipe.eval.stats.Bootstrap;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Runs of a variant that differ only in their seed, grouped: each group's mean and spread of every
 * figure, and the groups compared so that a ranking holds over seeds as well as over images. No Spark.
 */
final class SeedGroups {

    /** One evaluated run: its label, variant, seed group (null for runs recorded before groups) and seed. */
    record Member(String label, String variant, String group, Long seed) {
    }

    /** The groups by key and their pairwise comparisons; both null when no group has two runs. */
    record Result(Map<String, EvalRecord.SeedGroup> groups, List<EvalRecord.Pair> pairwise) {
    }

    private SeedGroups() {
    }

    /**
     * @param distributions per label, each caption metric's bootstrap distribution (the same image
     *                      resamples for every label; empty without a bootstrap)
     * @param seed          seeds the resampling of runs within a group
     */
    static Result of(List<Member> members, Map<String, EvalRecord.VariantResult> results, Map<String, Map<String, double[]>> distributions,
                     long seed) {
        Map<String, List<Member>> byGroup = new LinkedHashMap<>();
        for (Member m : members) {
            byGroup.computeIfAbsent(m.group() == null ? "run:" + m.label() : m.group(), k -> new ArrayList<>()).add(m);
        }
        if (byGroup.values().stream().allMatch(g -> g.size() < 2)) {
            return new Result(null, null);
        }
        Map<String, Long> perVariant = new LinkedHashMap<>();
        byGroup.values().forEach(g -> perVariant.merge(g.get(0).variant(), 1L, Long::sum));
        Map<String, EvalRecord.SeedGroup> groups = new LinkedHashMap<>();
        for (List<Member> g : byGroup.values()) {
            String variant = g.get(0).variant();
            // the variant's name when it has one group here, else the group's first run
            String key = perVariant.get(variant) == 1 ? variant : g.get(0).label();
            List<String> labels = g.stream().map(Member::label).toList();
            List<EvalRecord.VariantResult> runs = labels.stream().map(results::get).toList();
            groups.put(key, new EvalRecord.SeedGroup(variant, labels, g.stream().map(Member::seed).toList(),
                    spreads(runs, EvalRecord.VariantResult::metrics), spreads(runs, EvalRecord.VariantResult::fields)));
        }
        return new Result(groups, pairwise(groups, distributions, seed));
    }

    /** Each key's spread over the runs that have it. */
    private static Map<String, EvalRecord.Spread> spreads(List<EvalRecord.VariantResult> runs,
                                                          Function<EvalRecord.VariantResult, Map<String, EvalRecord.Estimate>> section) {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (EvalRecord.VariantResult r : runs) {
            Map<String, EvalRecord.Estimate> s = section.apply(r);
            if (s != null) {
                s.forEach((k, e) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(e.value()));
            }
        }
        Map<String, EvalRecord.Spread> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, EvalRecord.Spread.of(v)));
        return out.isEmpty() ? null : out;
    }

    private static List<EvalRecord.Pair> pairwise(Map<String, EvalRecord.SeedGroup> groups, Map<String, Map<String, double[]>> distributions,
                                                  long seed) {
        List<EvalRecord.Pair> out = new ArrayList<>();
        List<String> keys = new ArrayList<>(groups.keySet());
        for (int i = 0; i < keys.size(); i++) {
            for (int j = i + 1; j < keys.size(); j++) {
                EvalRecord.SeedGroup a = groups.get(keys.get(i));
                EvalRecord.SeedGroup b = groups.get(keys.get(j));
                for (String metric : CaptionScorer.METRICS) {
                    if (a.metrics() == null || b.metrics() == null || !a.metrics().containsKey(metric) || !b.metrics().containsKey(metric)) {
                        continue;
                    }
                    double difference = a.mean(metric) - b.mean(metric);
                    List<double[]> da = runs(a, metric, distributions);
                    List<double[]> db = runs(b, metric, distributions);
                    Double p = da == null || db == null ? null
                            : twoLevelPValue(da, db, new SplittableRandom(seed * 31 + (keys.get(i) + "|" + keys.get(j) + "|" + metric).hashCode()));
                    out.add(new EvalRecord.Pair(keys.get(i), keys.get(j), metric, difference, p));
                }
            }
        }
        return out;
    }

    /** The group's runs' bootstrap distributions of {@code metric}, or null when one has none. */
    private static List<double[]> runs(EvalRecord.SeedGroup g, String metric, Map<String, Map<String, double[]>> distributions) {
        List<double[]> out = new ArrayList<>();
        for (String label : g.labels()) {
            double[] d = distributions.getOrDefault(label, Map.of()).get(metric);
            if (d == null) {
                return null;
            }
            out.add(d);
        }
        return out;
    }

    /**
     * Two-sided p-value of "the groups differ": on each image resample r, each group's runs are drawn
     * with replacement (as many as it has) and their values on r averaged; the difference of the two
     * averages over all resamples is tested as {@link Bootstrap#pairedPValue} tests two runs. With one run
     * per group it is that paired test.
     */
    static double twoLevelPValue(List<double[]> a, List<double[]> b, SplittableRandom random) {
        int resamples = a.get(0).length;
        double[] ma = new double[resamples];
        double[] mb = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            ma[r] = drawMean(a, r, random);
            mb[r] = drawMean(b, r, random);
        }
        return Bootstrap.pairedPValue(ma, mb);
    }

    private static double drawMean(List<double[]> runs, int r, SplittableRandom random) {
        if (runs.size() == 1) {
            return runs.get(0)[r];
        }
        double s = 0;
        for (int k = 0; k < runs.size(); k++) {
            s += runs.get(random.nextInt(runs.size()))[r];
        }
        return s / runs.size();
    }
}
