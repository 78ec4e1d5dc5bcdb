package io.fusionpipe.quality;

import com.fasterxml.jackson.databind.JsonNode;
import io.fusionpipe.records.EvalRecord;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quality benchmark's table from a hand-made evaluation: spreads over seeds, wins over text-only, baselines. */
class QualityTableTest {

    private static EvalRecord.Estimate est(double v) {
        return new EvalRecord.Estimate(v, 10L, v - 0.1, v + 0.1, null);
    }

    private static EvalRecord.VariantResult run(String id, String variant, double cider, double hp, double drop) {
        return new EvalRecord.VariantResult(id, variant, 10, new EvalRecord.Training(1, 1, 1, 1, List.of()), 1, Map.of("CIDEr", est(cider)),
                Map.of("no_image", Map.of("CIDEr", new EvalRecord.Estimate(cider - drop, null, null, null, drop))),
                Map.of("hp", est(hp), "types", est(0.9)));
    }

    private static EvalRecord eval() {
        Map<String, EvalRecord.VariantResult> v = new LinkedHashMap<>();
        v.put("e1", run("e1", "early", 1.2, 0.5, 0.8));
        v.put("e2", run("e2", "early", 1.0, 0.3, 0.6));
        v.put("t1", run("t1", "late", 0.9, 0.15, 0.0));
        v.put("t2", run("t2", "late", 0.95, 0.15, 0.0));
        return new EvalRecord(EvalRecord.VERSION, "ev-1", "t", new EvalRecord.Dataset("quality-id", 1, "test", 10, true), "CIDEr", null, null,
                List.of("e1", "e2", "t1", "t2"), v,
                List.of(new EvalRecord.Pair("e1", "t1", "CIDEr", 0.3, 0.01), new EvalRecord.Pair("e2", "t2", "CIDEr", 0.05, 0.2)),
                Map.of("CIDEr", "e1"), new EvalRecord.FieldBaseline("train", Map.of("hp", "60"), Map.of("hp", est(0.15))), null, null,
                List.of(new EvalRecord.Pair("e1", "t1", "hp", 0.35, 0.01), new EvalRecord.Pair("e2", "t2", "hp", 0.15, 0.2),
                        new EvalRecord.Pair("e1", "t1", "types", 0.0, 1.0), new EvalRecord.Pair("e2", "t2", "types", 0.0, 1.0)));
    }

    private static Map<String, List<String>> runs() {
        Map<String, List<String>> runs = new LinkedHashMap<>();
        runs.put("early", List.of("e1", "e2"));
        runs.put(QualityTable.TEXT_ONLY, List.of("t1", "t2"));
        return runs;
    }

    @Test
    void eachModelIsSummarisedOverItsSeedsAndCountedAgainstTextOnlySeedBySeed() {
        QualityTable.Split s = QualityTable.of("id", eval(), runs(), 0.05);
        QualityTable.Row early = s.rows().get(0);
        assertEquals("early", early.model());
        assertEquals(1.1, early.cider().mean(), 1e-12);
        assertEquals(Math.sqrt(0.02), early.cider().sd(), 1e-12);
        assertEquals(0.4, early.fields().get("hp").mean(), 1e-12);
        assertEquals(0.7, early.noImageDrop().mean(), 1e-12);
        assertEquals(1, early.beatsTextOnly(), "seed 1 significantly above, seed 2 not significant");
        assertNull(s.rows().get(1).beatsTextOnly(), "text-only is not compared with itself");
        assertEquals(Map.of("types", 0, "stage", 0, "hp", 1), early.fieldsBeatTextOnly(),
                "hp significantly above in seed 1 only (McNemar p 0.01, then 0.2); types equal; stage not scored");
        assertNull(s.rows().get(1).fieldsBeatTextOnly());
        assertEquals(Map.of("hp", 0.15), s.baseline());
    }

    @Test
    void theTableAndTheJsonCarryTheSameFigures() {
        QualityTable.Split s = QualityTable.of("id", eval(), runs(), 0.05);
        String text = QualityTable.text(List.of(s));
        assertTrue(text.contains("1.100±0.141"), text);
        assertTrue(text.contains("1/2"), text);
        assertTrue(text.contains("0/2 0/2 1/2"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("id") && l.contains("majority") && l.contains("0.150")), text);
        JsonNode j = QualityTable.json(List.of(s));
        assertEquals("ev-1", j.path("id").path("eval_id").asText());
        assertEquals(1.1, j.path("id").path("models").path("early").path("CIDEr").path("mean").asDouble(), 1e-12);
        assertEquals(1, j.path("id").path("models").path("early").path("seeds_significantly_above_text_only").asInt());
        assertEquals(0.15, j.path("id").path("majority_baseline").path("hp").asDouble());
        assertEquals(1, j.path("id").path("models").path("early").path("seeds_significantly_above_text_only_by_field").path("hp").asInt());
    }

    @Test
    void badOptionsAreUsageErrorsBeforeAnythingStarts() {
        io.fusionpipe.testing.Cli.Run split = io.fusionpipe.testing.Cli.run("quality-bench", "--splits", "id,colour");
        assertEquals(2, split.code(), split.err());
        assertTrue(split.err().contains("'colour'"), split.err());
        io.fusionpipe.testing.Cli.Run style = io.fusionpipe.testing.Cli.run("quality-bench", "--style", "glossy");
        assertEquals(2, style.code());
        assertTrue(style.err().contains("glossy"), style.err());
    }
}
