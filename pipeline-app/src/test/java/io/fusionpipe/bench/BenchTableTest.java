package io.fusionpipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.fusionpipe.cli.JsonLine;
import io.fusionpipe.json.Json;
import io.fusionpipe.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchTableTest {

    static JsonNode json(String s) {
        return Json.tree(s, "test");
    }

    @Test
    void ratiosComeFromTheBenchmarksOwnLinesAgainstTheirTargets() {
        Map<String, JsonNode> results = new LinkedHashMap<>();
        results.put("generate", json("{\"scan_cards_per_s\": 40.0, \"photo_cards_per_s\": 10.0}"));
        results.put("ingest", json("{\"bare_decode_resize_encode_images_per_s_1_thread\": 100.0, \"pipeline_local_1_images_per_s\": 60.0,"
                + " \"pipeline_local_2_images_per_s\": 110.0}"));
        results.put("score", json("{\"tokenize_s\": 0.5, \"metrics_s\": 0.5, \"score_process_s\": 2.0, \"toolkit_process_s\": 30.0}"));
        results.put("train early", json("{\"plain_gflops\": 2.0, \"gemm_gflops\": 40.0, \"plain_samples_per_s\": 20.0, \"spark_samples_per_s\": 19.0}"));
        List<BenchTable.Row> rows = BenchTable.rows(results);
        assertEquals(List.of("generate", "ingest", "ingest", "score", "score", "train early", "train early"), rows.stream().map(BenchTable.Row::bench).toList());
        assertEquals(0.25, rows.get(0).ratio(), 1e-12);
        assertEquals("no", rows.get(0).met());
        assertEquals(0.55, rows.get(1).ratio(), 1e-12, "per core of local[2] against the bare rate of one thread");
        assertEquals(110.0 / 60.0, rows.get(2).ratio(), 1e-12);
        assertEquals(1.8, rows.get(2).target(), 1e-12);
        assertEquals("yes", rows.get(2).met());
        assertEquals(15.0, rows.get(3).ratio(), 1e-9, "whole process: the toolkit's time over ours");
        assertEquals(30.0, rows.get(4).ratio(), 1e-9, "in-process: tokenize + metrics");
        assertEquals(0.05, rows.get(5).ratio(), 1e-12);
        assertEquals(0.95, rows.get(6).ratio(), 1e-12);
        String text = BenchTable.text(rows);
        assertTrue(text.contains("photo cards/s") && text.contains("0.25x") && text.contains(">=0.5"), text);
        JsonNode out = BenchTable.json(rows, results);
        assertEquals(7, out.path("ratios").size());
        assertTrue(out.path("ratios").get(6).path("met").asBoolean());
        assertEquals(40.0, out.path("benchmarks").path("generate").path("scan_cards_per_s").asDouble());
    }

    @Test
    void aBenchmarkWithoutItsBaselineGivesNoRow() {
        Map<String, JsonNode> results = new LinkedHashMap<>();
        results.put("score", json("{\"tokenize_s\": 0.5, \"metrics_s\": 0.5, \"candidates_per_s\": 5000}"));
        results.put("ingest", json("{\"bare_decode_resize_encode_images_per_s_1_thread\": 100.0, \"pipeline_local_1_images_per_s\": 60.0}"));
        List<BenchTable.Row> rows = BenchTable.rows(results);
        assertEquals(1, rows.size(), "score without --coco-toolkit has no ratio; one core has no scaling row");
        assertEquals(0.6, rows.get(0).ratio(), 1e-12);
    }

    @Test
    void theLastJsonLineOfACommandsOutputIsItsResult() {
        assertEquals(2, JsonLine.last("table\n{\"a\": 1}\nmore\n{\"a\": 2}\n", "x").path("a").asInt());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> JsonLine.last("no json here\n", "generate-bench"));
        assertTrue(e.getMessage().contains("generate-bench"), e.getMessage());
    }

    @Test
    void badSizesAreAUsageError() {
        Cli.Run r = Cli.run("bench", "--train-cards", "5");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--train-cards"), r.err());
    }
}
