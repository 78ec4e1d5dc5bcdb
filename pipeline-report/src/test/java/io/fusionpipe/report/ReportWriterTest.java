package io.fusionpipe.report;

import io.fusionpipe.records.EvalRecord;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's seed and card-field sections from a hand-made metrics.json, without Spark. */
class ReportWriterTest {

    private static EvalRecord.Estimate est(double v, double lo, double hi) {
        return new EvalRecord.Estimate(v, 20L, lo, hi, null);
    }

    private static EvalRecord.VariantResult run(String id, String variant, double cider, double hp) {
        Map<String, EvalRecord.Estimate> metrics = new LinkedHashMap<>();
        for (String m : io.fusionpipe.eval.metrics.CaptionScorer.METRICS) {
            metrics.put(m, est(cider, cider - 0.05, cider + 0.05));
        }
        return new EvalRecord.VariantResult(id, variant, 10, new EvalRecord.Training(1, 1, 1, 1, List.of()), 1, metrics, Map.of(),
                Map.of("hp", est(hp, hp - 0.1, hp + 0.1), "types", est(0.9, 0.8, 0.95)));
    }

    private static EvalRecord record(boolean seeds) {
        return record(seeds, null);
    }

    private static EvalRecord record(boolean seeds, List<EvalRecord.Pair> fieldPairs) {
        Map<String, EvalRecord.VariantResult> v = new LinkedHashMap<>();
        v.put("e1", run("e1", "early", 0.80, 0.12));
        v.put("e2", run("e2", "early", 0.70, 0.60));
        v.put("late", run("late", "late", 0.50, 0.03));
        Map<String, EvalRecord.SeedGroup> groups = null;
        List<EvalRecord.Pair> seedPairs = null;
        if (seeds) {
            groups = new LinkedHashMap<>();
            groups.put("early", new EvalRecord.SeedGroup("early", List.of("e1", "e2"), List.of(42L, 43L),
                    Map.of("CIDEr", new EvalRecord.Spread(0.75, 0.0707, 0.70, 0.80)), Map.of("hp", new EvalRecord.Spread(0.36, 0.34, 0.12, 0.60))));
            groups.put("late", new EvalRecord.SeedGroup("late", List.of("late"), List.of(42L),
                    Map.of("CIDEr", new EvalRecord.Spread(0.50, 0, 0.50, 0.50)), Map.of("hp", new EvalRecord.Spread(0.14, 0, 0.14, 0.14))));
            seedPairs = List.of(new EvalRecord.Pair("early", "late", "CIDEr", 0.25, 0.21));
        }
        return new EvalRecord(EvalRecord.VERSION, "ev", "t", new EvalRecord.Dataset("cards", 1, "test", 20, true), "CIDEr",
                new EvalRecord.Decode("greedy", 1, 0, 40, List.of("full")), new EvalRecord.Bootstrap(100, 0.95, 7, "n"),
                List.of("e1", "e2", "late"), v, List.of(), Map.of("CIDEr", "e1"),
                new EvalRecord.FieldBaseline("train", Map.of("hp", "60", "types", "water"), Map.of("hp", est(0.15, 0.05, 0.25), "types", est(0.3, 0.2, 0.4))),
                groups, seedPairs, fieldPairs);
    }

    private static ReportWriter writer(EvalRecord m) {
        return new ReportWriter(new ReportData(m, List.of(), List.of(), null, "m", List.of(), Map.of(), 0.05));
    }

    @Test
    void seedGroupsShowTheirSpreadAndTheTestOverSeeds() {
        ReportWriter w = writer(record(true));
        String html = w.html();
        assertTrue(html.contains("<h2>Over seeds</h2>") && html.contains("0.750 ± 0.071 <small>[0.700, 0.800]</small>"), "seed table");
        assertTrue(html.contains("e1 <small>(42)</small><br>e2 <small>(43)</small>"), "runs with their seeds");
        assertTrue(html.contains("+0.250 <small>(0.210)</small></td>"), "not significant over seeds: no star");
        String md = w.markdown("report.html");
        assertTrue(md.contains("| early | 2 | 0.750 ± 0.071 [0.700, 0.800] |"), md);
        assertTrue(md.contains("early − late: +0.250 (p = 0.210 over images and seeds)."), md);
        assertFalse(writer(record(false)).html().contains("Over seeds"), "no groups, no section");
    }

    @Test
    void fieldAccuraciesSitBesideTheMajorityBaselineAndThoseNotAboveItAreMarked() {
        ReportWriter w = writer(record(false));
        String html = w.html();
        assertTrue(html.contains("<tr class='baseline'><td>majority baseline</td>"), "baseline row");
        assertTrue(html.contains("types water, hp 60"), "the baseline's values are named, in field order");
        // late's hp 0.03 [-0.07, 0.13] stays at or below the baseline's 0.15; e1's 0.12 [0.02, 0.22] reaches above it
        assertTrue(html.contains("title='not above the majority baseline'>0.030 <small>"), "late's hp is shaded");
        assertFalse(html.contains("title='not above the majority baseline'>0.120"), "e1's hp is not");
        assertFalse(html.contains("title='not above the majority baseline'>0.900"), "types is above");
        String md = w.markdown("report.html");
        assertTrue(md.contains("| majority baseline | 0.300 | 0.150 |"), md);
        assertTrue(md.contains("| late | 0.900 | 0.030° |"), md);
        assertFalse(html.contains("field-pairs"), "no paired field tests recorded, no table");
    }

    @Test
    void variantsAreComparedFieldByFieldWithTheirPairedTest() {
        String html = writer(record(false, List.of(new EvalRecord.Pair("e1", "late", "hp", 0.09, 0.4),
                new EvalRecord.Pair("e1", "late", "types", 0.2, 0.001)))).html();
        assertTrue(html.contains("<table class='field-pairs'>"), html);
        assertTrue(html.contains("<tr><td>e1</td><td>late</td><td class='num sig'>+0.200 <small>(0.001)</small> *</td>"
                + "<td class='num'>+0.090 <small>(0.400)</small></td>"), "types significant, hp not, in the field columns' order");
        assertTrue(html.contains("McNemar"), "the test is named");
        String md = writer(record(false, List.of(new EvalRecord.Pair("e1", "late", "hp", 0.09, 0.4),
                new EvalRecord.Pair("e1", "late", "types", 0.2, 0.001)))).markdown("report.html");
        assertTrue(md.contains("Paired field tests (McNemar, p < 0.05): e1 − late types +0.200 (p = 0.00100)."), md);
    }
}
