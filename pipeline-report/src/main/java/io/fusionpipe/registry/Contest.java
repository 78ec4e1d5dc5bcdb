package io.fusionpipe.registry;

import io.fusionpipe.records.EvalRecord;

import java.util.Locale;

/**
 * What promote compares within one evaluation, a pure function of its metrics.json. Without seed
 * groups: two runs, their values and the paired bootstrap over images. When a run belongs to a group
 * of several seeds, its side is the group: the decision is made on the group's mean and the two-level
 * bootstrap over images and seeds, so one lucky seed does not crown a configuration.
 */
final class Contest {

    /** The values and p-value {@link Promotion#decide} gets, and, for seed groups, a phrase saying what they are (else null). */
    record Sides(double challenger, double champion, double pValue, String basis) {
    }

    private Contest() {
    }

    /**
     * The default challenger's label: the best run on {@code metric}, or with seed groups, the best run
     * of the group with the best mean (null when there are no runs).
     */
    static String defaultChallenger(EvalRecord m, String metric) {
        if (m.seedGroups() == null) {
            return m.best(metric);
        }
        EvalRecord.SeedGroup best = null;
        for (EvalRecord.SeedGroup g : m.seedGroups().values()) {
            if (g.metrics() != null && g.metrics().containsKey(metric) && (best == null || g.mean(metric) > best.mean(metric))) {
                best = g;
            }
        }
        if (best == null) {
            return m.best(metric);
        }
        String run = null;
        for (String label : best.labels()) {
            if (run == null || m.value(label, metric) > m.value(run, metric)) {
                run = label;
            }
        }
        return run;
    }

    /** The two sides of {@code challenger} against {@code champion} (labels of {@code m}) on {@code metric}. */
    static Sides sides(EvalRecord m, String challenger, String champion, String metric) {
        String ga = m.seedGroupOf(challenger);
        String gb = m.seedGroupOf(champion);
        boolean seeds = ga != null && gb != null && (runs(m, ga) > 1 || runs(m, gb) > 1);
        if (!seeds) {
            return new Sides(m.value(challenger, metric), m.value(champion, metric), m.pValue(challenger, champion, metric), null);
        }
        return new Sides(m.seedGroups().get(ga).mean(metric), m.seedGroups().get(gb).mean(metric), ga.equals(gb) ? Double.NaN : m.seedPValue(ga, gb, metric),
                String.format(Locale.ROOT, "means over seeds: %d run(s) of group %s against %d of %s", runs(m, ga), ga, runs(m, gb), gb));
    }

    private static int runs(EvalRecord m, String group) {
        return m.seedGroups().get(group).labels().size();
    }
}
