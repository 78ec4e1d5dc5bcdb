package io.fusionpipe.eval;

import io.fusionpipe.config.ConfigLoader;
import io.fusionpipe.records.EvalRecord;
import io.fusionpipe.records.RunRecord;
import io.fusionpipe.train.model.CaptionDecoder.Condition;
import io.fusionpipe.train.model.Variant;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The eval's scoring step on hand-made captions, without Spark or a model. */
class EvalScoreTest {

    private static final Map<String, String> REFERENCES = new LinkedHashMap<>();

    static {
        REFERENCES.put("a", "a red apple on a wooden table");
        REFERENCES.put("b", "two dogs running on the beach");
        REFERENCES.put("c", "a man riding a blue bicycle");
        REFERENCES.put("d", "a bowl of soup with bread");
    }

    private static EvalPipeline.LoadedRun run(String id, Variant v) {
        return run(id, v, 42, v.id() + "-group");
    }

    private static EvalPipeline.LoadedRun run(String id, Variant v, long seed, String seedGroup) {
        RunRecord r = RunRecord.started(id, v.id(), new RunRecord.DatasetRef("d", 1, "p", "x"), "h", null, Map.of("total", 7L),
                Map.of(), "plain", "t", null, seed, seedGroup);
        return new EvalPipeline.LoadedRun(id, v, null, null, r);
    }

    @Test
    void perfectCaptionsBeatEmptyOnesAndTheDropsShowWhichInputMatters() {
        EvalSettings s = EvalSettings.of(ConfigLoader.fromClasspath().systemProperties(new Properties())
                .set("eval.bootstrap.resamples", "50").load());
        Map<String, String> empty = Map.of();
        Map<String, Map<Condition, Map<String, String>>> predictions = new LinkedHashMap<>();
        // early reads the image: without it, nothing; late ignores it: the same captions everywhere
        predictions.put("early", Map.of(Condition.FULL, REFERENCES, Condition.NO_IMAGE, empty, Condition.NO_TEXT, REFERENCES));
        predictions.put("late", Map.of(Condition.FULL, Map.of("a", "a dog", "b", "a dog", "c", "a dog", "d", "a dog"),
                Condition.NO_IMAGE, Map.of("a", "a dog", "b", "a dog", "c", "a dog", "d", "a dog"),
                Condition.NO_TEXT, Map.of("a", "a dog", "b", "a dog", "c", "a dog", "d", "a dog")));
        EvalPipeline.Decoded decoded = new EvalPipeline.Decoded(predictions, Map.of("early", 10.0, "late", 20.0));
        EvalRecord.Training training = new EvalRecord.Training(1.0, 2, 3.0, 4.0, List.of());
        EvalPipeline.Scored scored = EvalPipeline.score(List.of(run("r1", Variant.EARLY), run("r2", Variant.LATE)), REFERENCES, decoded, s,
                Map.of(), r -> training);

        EvalRecord.VariantResult early = scored.variants().get("early");
        EvalRecord.VariantResult late = scored.variants().get("late");
        assertEquals(1.0, early.value("Bleu_1"), 1e-9, "a caption equal to its reference");
        assertTrue(early.value("CIDEr") > late.value("CIDEr"), early.metrics() + " vs " + late.metrics());
        EvalRecord.Estimate cider = early.metrics().get("CIDEr");
        assertTrue(cider.hasInterval() && cider.lo() <= cider.value() && cider.value() <= cider.hi(), cider.toString());
        assertTrue(early.robustness().get("no_image").get("CIDEr").drop() > 0, "early loses everything without the image");
        assertEquals(0.0, late.robustness().get("no_image").get("CIDEr").drop(), 1e-12, "late never used it");
        assertNull(early.fields(), "not card captions: no field accuracy");
        assertEquals(7L, early.parameters());
        assertEquals(training, early.training());
        assertEquals(10.0, early.captionsPerSecond());
        assertTrue(!scored.cards());
        assertNull(scored.fieldBaseline(), "not card captions: no baseline");
        assertEquals(4 * 3 * 2, scored.predictionRows().size(), "images x conditions x variants");
        assertEquals(50, scored.distributions().get("early").get("CIDEr").length);

        // metrics.parquet's long table: one row per variant, condition and figure
        EvalRecord record = new EvalRecord(EvalRecord.VERSION, "ev", "t", new EvalRecord.Dataset("d", 1, "test", 4, false), "CIDEr",
                null, null, List.of("r1", "r2"), scored.variants(), List.of(), Map.of(), scored.fieldBaseline(),
                scored.seeds().groups(), scored.seeds().pairwise(), scored.fieldPairwise());
        List<org.apache.spark.sql.Row> rows = MetricsTable.rows(record);
        assertEquals(2 * (6 + 2 * 6), rows.size(), "2 variants x (6 metrics + 2 missing-input conditions x 6)");
        org.apache.spark.sql.Row ciderRow = rows.stream().filter(r -> r.getString(4).equals("early") && r.getString(7).equals("full")
                && r.getString(9).equals("CIDEr")).findFirst().orElseThrow();
        assertEquals(early.value("CIDEr"), ciderRow.getDouble(10));
        assertEquals(early.metrics().get("CIDEr").lo(), ciderRow.get(11));
        assertTrue(rows.stream().filter(r -> r.getString(8).equals("robustness")).allMatch(r -> !r.isNullAt(14)), "drops filled");
        assertEquals(MetricsTable.SCHEMA.size(), ciderRow.size());
    }

    @Test
    void runsThatDifferOnlyInTheSeedAreGroupedWithTheirSpreadAndAComparisonOverSeeds() {
        EvalSettings s = EvalSettings.of(ConfigLoader.fromClasspath().systemProperties(new Properties())
                .set("eval.bootstrap.resamples", "200").set("eval.conditions", "[full]").load());
        Map<String, String> dog = Map.of("a", "a dog", "b", "a dog", "c", "a dog", "d", "a dog");
        Map<String, String> half = new LinkedHashMap<>(REFERENCES);
        half.put("c", "a dog");
        half.put("d", "a dog");
        Map<String, Map<Condition, Map<String, String>>> predictions = new LinkedHashMap<>();
        // early's two seeds: one perfect, one right on half the images; late reads nothing; a third early run is
        // trained otherwise (another group) and so not pooled with the seeds
        predictions.put("e1", Map.of(Condition.FULL, REFERENCES));
        predictions.put("e2", Map.of(Condition.FULL, half));
        predictions.put("late", Map.of(Condition.FULL, dog));
        predictions.put("e3", Map.of(Condition.FULL, dog));
        EvalPipeline.Decoded decoded = new EvalPipeline.Decoded(predictions, Map.of("e1", 1.0, "e2", 1.0, "late", 1.0, "e3", 1.0));
        EvalPipeline.Scored scored = EvalPipeline.score(List.of(run("e1", Variant.EARLY, 42, "g-early"), run("e2", Variant.EARLY, 43, "g-early"),
                run("late", Variant.LATE, 42, "g-late"), run("e3", Variant.EARLY, 42, "g-other")), REFERENCES, decoded, s, Map.of(),
                r -> new EvalRecord.Training(1.0, 1, 1.0, 1.0, List.of()));

        Map<String, EvalRecord.SeedGroup> groups = scored.seeds().groups();
        assertEquals(List.of("e1", "late", "e3"), List.copyOf(groups.keySet()), "early has two groups here: each named by its first run");
        EvalRecord.SeedGroup early = groups.get("e1");
        assertEquals(List.of("e1", "e2"), early.labels());
        assertEquals(List.of(42L, 43L), early.seeds());
        double c1 = scored.variants().get("e1").value("CIDEr");
        double c2 = scored.variants().get("e2").value("CIDEr");
        EvalRecord.Spread cider = early.metrics().get("CIDEr");
        assertEquals((c1 + c2) / 2, cider.mean(), 1e-12);
        assertEquals(Math.abs(c1 - c2) / Math.sqrt(2), cider.sd(), 1e-12, "sample standard deviation of two");
        assertEquals(Math.min(c1, c2), cider.min());
        assertEquals(0.0, groups.get("late").metrics().get("CIDEr").sd(), "one run: no spread");
        EvalRecord.Pair vsLate = scored.seeds().pairwise().stream().filter(p -> p.a().equals("e1") && p.b().equals("late")
                && p.metric().equals("CIDEr")).findFirst().orElseThrow();
        assertEquals(cider.mean() - scored.variants().get("late").value("CIDEr"), vsLate.difference(), 1e-12);
        assertTrue(vsLate.pValue() >= 0 && vsLate.pValue() <= 1, vsLate.toString());
        EvalRecord.Pair lateVsOther = scored.seeds().pairwise().stream().filter(p -> p.a().equals("late") && p.b().equals("e3")
                && p.metric().equals("CIDEr")).findFirst().orElseThrow();
        assertEquals(1.0, lateVsOther.pValue(), "identical captions: no difference");
    }

    @Test
    void withOneRunPerGroupThereAreNoSeedGroupsAndTheTwoLevelTestIsThePairedOne() {
        assertNull(SeedGroups.of(List.of(new SeedGroups.Member("early", "early", "g1", 42L), new SeedGroups.Member("late", "late", null, null)),
                Map.of(), Map.of(), 7).groups());
        double[] a = {0.5, 0.7, 0.6, 0.9, 0.4};
        double[] b = {0.6, 0.5, 0.5, 0.8, 0.5};
        assertEquals(io.fusionpipe.eval.stats.Bootstrap.pairedPValue(a, b),
                SeedGroups.twoLevelPValue(List.of(a), List.of(b), new java.util.SplittableRandom(1)), 1e-15);
    }

    @Test
    void seedSpreadWidensTheTwoLevelTest() {
        // group a's two runs disagree wildly; group b sits between them: over images alone the runs differ from b,
        // over seeds the groups do not
        int n = 400;
        double[] a1 = new double[n];
        double[] a2 = new double[n];
        double[] b = new double[n];
        java.util.SplittableRandom noise = new java.util.SplittableRandom(3);
        for (int r = 0; r < n; r++) {
            double e = noise.nextDouble() * 0.01;
            a1[r] = 0.9 + e;
            a2[r] = 0.3 + e;
            b[r] = 0.6 + e;
        }
        assertEquals(0.0, io.fusionpipe.eval.stats.Bootstrap.pairedPValue(a1, b), "one seed against b: significant");
        double p = SeedGroups.twoLevelPValue(List.of(a1, a2), List.of(b), new java.util.SplittableRandom(5));
        assertTrue(p > 0.5, "over seeds: " + p);
    }
}
