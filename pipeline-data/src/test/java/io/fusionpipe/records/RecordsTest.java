package io.fusionpipe.records;

import com.fasterxml.jackson.databind.JsonNode;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.json.Json;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each record's file form: field names, round trips, old files without a version, newer versions refused. */
class RecordsTest {

    private static RunRecord run() {
        return RunRecord.started("cards-v1-early-x", "early", new RunRecord.DatasetRef("cards", 1, "file:/r/datasets/cards/v1", "abc"),
                "hash", null, Map.of("total", 42L), Map.of("fusionpipe", "0.1"), "shared", "2026-12-01T00:00:00Z", null, 42L, "g1");
    }

    @Test
    void aRunRecordIsWrittenSnakeCaseWithoutEmptyFields() {
        RunRecord done = run().completed(1.5, 3, "2026-12-01T01:00:00Z");
        JsonNode n = Json.tree(done.toJson(), "run.json");
        assertEquals(1, n.path("schema_version").asInt());
        assertEquals("completed", n.path("status").asText());
        assertEquals("abc", n.path("dataset").path("inputs_sha256").asText());
        assertEquals(1.5, n.path("best_val_loss").asDouble());
        assertFalse(n.has("init_from") || n.has("error") || n.has("resumed_after_epoch"), n.toString());
        assertEquals(done, RunRecord.fromJson(done.toJson(), "run.json"));
        assertEquals(42L, done.totalParameters());
        assertTrue(done.isCompleted());
        assertEquals("boom", run().failed("boom").error());
    }

    @Test
    void aFileWithoutAVersionReadsAsVersionOneAndANewerMajorIsRefused() {
        String old = "{\"run_id\":\"r\",\"variant\":\"late\",\"status\":\"running\",\"dataset\":{\"name\":\"d\",\"version\":2},\"extra\":1}";
        RunRecord r = RunRecord.fromJson(old, "runs/r/run.json");
        assertEquals(RunRecord.Status.RUNNING, r.status());
        assertEquals(1, SchemaVersion.of(r.schemaVersion()));
        BadInputException newer = assertThrows(BadInputException.class,
                () -> RunRecord.fromJson(old.replace("{\"run_id\"", "{\"schema_version\":2,\"run_id\""), "runs/r/run.json"));
        assertTrue(newer.getMessage().contains("runs/r/run.json") && newer.getMessage().contains("schema_version 2"), newer.getMessage());
        BadInputException notARun = assertThrows(BadInputException.class, () -> RunRecord.fromJson("{\"hello\":1}", "x/run.json"));
        assertTrue(notARun.getMessage().contains("x/run.json") && notARun.getMessage().contains("run_id"), notARun.getMessage());
        BadInputException notJson = assertThrows(BadInputException.class, () -> RunRecord.fromJson("{", "y/run.json"));
        assertTrue(notJson.getMessage().contains("y/run.json"), notJson.getMessage());
    }

    @Test
    void epochLinesKeepTheirNamesAndNaN() {
        EpochMetrics m = new EpochMetrics(1, 0.005, Double.NaN, 43.8, 0.72, 3.4, 9.9, 19.6, 241);
        String line = m.toJsonLine();
        assertTrue(line.contains("\"trainLoss\":\"NaN\"") && line.contains("\"peakHeapMiB\":241"), line);
        EpochMetrics back = EpochMetrics.fromJsonLine(line, "metrics.jsonl line 1");
        assertTrue(Double.isNaN(back.trainLoss()));
        assertEquals(m.valLoss(), back.valLoss());
    }

    @Test
    void anEvalRecordAnswersLookupsByLabel() {
        Map<String, EvalRecord.VariantResult> variants = new LinkedHashMap<>();
        variants.put("early", variant("run-e", 0.9));
        variants.put("late", variant("run-l", 0.7));
        EvalRecord e = new EvalRecord(EvalRecord.VERSION, "ev", "2026-12-01", new EvalRecord.Dataset("cards", 1, "test", 20, true), "CIDEr",
                new EvalRecord.Decode("greedy", 1, 0.7, 48, List.of("full")), new EvalRecord.Bootstrap(100, 0.95, 7, "n"),
                List.of("run-e", "run-l"), variants, List.of(new EvalRecord.Pair("early", "late", "CIDEr", 0.2, 0.01)), Map.of("CIDEr", "early"),
                new EvalRecord.FieldBaseline("train", Map.of("hp", "60"), Map.of("hp", new EvalRecord.Estimate(0.15, 20L, 0.05, 0.3, null))),
                Map.of("early", new EvalRecord.SeedGroup("early", List.of("early"), List.of(42L), Map.of("CIDEr", new EvalRecord.Spread(0.9, 0, 0.9, 0.9)), null),
                        "late", new EvalRecord.SeedGroup("late", List.of("late"), List.of(42L), null, null)),
                List.of(new EvalRecord.Pair("early", "late", "CIDEr", 0.2, 0.03)), List.of(new EvalRecord.Pair("early", "late", "hp", 0.1, 0.04)));
        EvalRecord back = EvalRecord.fromJson(e.toJson(), "metrics.json");
        assertEquals(e, back);
        assertEquals("late", back.labelOf("run-l"));
        assertNull(back.labelOf("other"));
        assertEquals(0.9, back.value("early", "CIDEr"));
        assertTrue(Double.isNaN(back.value("early", "BLEU")));
        assertEquals(0.01, back.pValue("late", "early", "CIDEr"), "either order");
        assertEquals("early", back.best("CIDEr"));
        assertEquals("late", back.seedGroupOf("late"));
        assertNull(back.seedGroupOf("other"));
        assertEquals(0.03, back.seedPValue("late", "early", "CIDEr"), "either order");
        assertTrue(Double.isNaN(back.seedPValue("late", "early", "Bleu_4")));
        assertEquals(0.04, back.fieldPValue("late", "early", "hp"), "a field's McNemar p-value, either order");
        assertTrue(Double.isNaN(back.fieldPValue("early", "late", "types")));
        JsonNode n = Json.tree(e.toJson(), "metrics.json");
        assertTrue(n.path("variants").path("early").path("metrics").path("CIDEr").has("lo"));
        assertFalse(n.path("variants").path("early").path("metrics").path("CIDEr").has("drop"), "absent parts are left out");
        assertTrue(n.path("dataset").path("card_fields").asBoolean());
    }

    private static EvalRecord.VariantResult variant(String run, double cider) {
        return new EvalRecord.VariantResult(run, run.endsWith("e") ? "early" : "late", 10, new EvalRecord.Training(1.0, 1, 2.0, 3.0, List.of()),
                5.0, Map.of("CIDEr", new EvalRecord.Estimate(cider, null, cider - 0.1, cider + 0.1, null)), Map.of(), null);
    }

    @Test
    void theRegistryAppendsDecisionsAndCrownsChampions() {
        RegistryRecord r = RegistryRecord.empty();
        RegistryRecord.Decision d = new RegistryRecord.Decision("t", "m", "first", "ev", "c", "CIDEr", "run-1", "early", 0.5, null, null, null, "no champion");
        RegistryRecord one = r.with(d, new RegistryRecord.Champion("run-1", "early", "ev", "CIDEr", 0.5, "cards v1", "t"), "t");
        assertEquals(1, one.revision());
        assertEquals("run-1", one.champion("m").runId());
        RegistryRecord two = one.with(d, null, "t2");
        assertEquals(2, two.history().size());
        assertEquals("run-1", two.champion("m").runId(), "a decision that crowns nobody keeps the champion");
        assertEquals(two, RegistryRecord.fromJson(two.toJson(), "registry.json"));
        assertTrue(two.toJson().contains("\"challenger_run\""), two.toJson());
    }

    @Test
    void aNightlyLogUpdatesStepsInOrder() {
        NightlyRecord n = NightlyRecord.start("2026-12-01", "cards", List.of("in/a"), 1)
                .withStep("ingest", NightlyRecord.Step.NEW.running("t0").ingestStarted(1))
                .withStep("train-early", NightlyRecord.Step.NEW.running("t1").trainStarted("run-1", null));
        n = n.withStep("ingest", n.step("ingest").ingested(2, 10L, 9L, 1L).ok("t2", "v2"));
        assertEquals(List.of("ingest", "train-early"), List.copyOf(n.steps().keySet()));
        assertTrue(n.step("ingest").isDone());
        assertFalse(n.step("eval").isDone());
        NightlyRecord back = NightlyRecord.fromJson(n.toJson(), "nightly.json");
        assertEquals(n, back);
        assertEquals(2, back.nextAttempt(List.of("in/a")).attempts());
        assertTrue(n.toJson().contains("\"before_version\" : 1"), n.toJson());
        assertNull(n.step("ingest").error());
        assertEquals("x", n.step("ingest").failed("x").running("t3").failed("x").error());
        assertNull(n.step("ingest").failed("x").running("t3").error(), "a new attempt clears the error");
    }

    @Test
    void aManifestWrittenBeforeTheRecordReadsBackWithTheSameInputFingerprint() {
        // as ingest wrote it from a map: a folder input has "bytes": null; runs hash the inputs' JSON text
        String old = "{\"schema_version\":1,\"name\":\"cards\",\"version\":2,\"mode\":\"append\",\"previous_version\":1,"
                + "\"rows_in\":10,\"rows_written\":9,\"rows_rejected\":1,\"samples_by_split\":{\"train\":7,\"val\":1,\"test\":1},"
                + "\"inputs\":[{\"source\":\"m\",\"format\":\"jsonl\",\"path\":\"file:/in/m.jsonl\",\"bytes\":120,\"modified\":17},"
                + "{\"source\":\"w\",\"format\":\"webdataset\",\"path\":\"file:/in/w\",\"bytes\":null,\"modified\":18}],"
                + "\"image\":{\"width\":96,\"height\":128,\"resize\":\"pad\",\"format\":\"png\"},\"max_tokens\":48,\"unknown_later\":true}";
        DatasetManifest m = DatasetManifest.fromJson(old, "_manifest.json");
        assertEquals(7, m.rows("train"));
        assertEquals(0, m.rows("nope"));
        assertEquals(96, m.image().width());
        assertNull(m.inputs().get(1).bytes());
        assertEquals(Json.tree(old, "m").path("inputs").toString(), Json.compact(m.inputs()), "inputs_sha256 of existing runs stays valid");
        assertEquals(m, DatasetManifest.fromJson(m.toJson(), "again"));
    }
}
