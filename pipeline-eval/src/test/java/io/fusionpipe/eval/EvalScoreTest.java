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
        RunRecord r = RunRecord.started(id, v.id(), new RunRecord.DatasetRef("d", 1, "p", "x"), "h", null, Map.of("total", 7L),
                Map.of(), "plain", "t", null);
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
                null, null, List.of("r1", "r2"), scored.variants(), List.of(), Map.of(), scored.fieldBaseline());
        List<org.apache.spark.sql.Row> rows = MetricsTable.rows(record);
        assertEquals(2 * (6 + 2 * 6), rows.size(), "2 variants x (6 metrics + 2 missing-input conditions x 6)");
        org.apache.spark.sql.Row ciderRow = rows.stream().filter(r -> r.getString(4).equals("early") && r.getString(7).equals("full")
                && r.getString(9).equals("CIDEr")).findFirst().orElseThrow();
        assertEquals(early.value("CIDEr"), ciderRow.getDouble(10));
        assertEquals(early.metrics().get("CIDEr").lo(), ciderRow.get(11));
        assertTrue(rows.stream().filter(r -> r.getString(8).equals("robustness")).allMatch(r -> !r.isNullAt(14)), "drops filled");
        assertEquals(MetricsTable.SCHEMA.size(), ciderRow.size());
    }
}
