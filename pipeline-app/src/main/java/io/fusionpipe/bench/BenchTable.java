package io.fusionpipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one table {@code fusionpipe bench} prints: each benchmark's figure against its baseline, measured
 * in the same run, and the ratio the performance targets are stated in. Built from the JSON lines
 * the benchmark commands print, so it reads nothing they do not publish.
 */
public final class BenchTable {

    /** One ratio: what was measured, against what, and the target it is held to (NaN: none). */
    public record Row(String bench, String measure, double value, String baseline, double baselineValue, double target) {
        public double ratio() {
            return value / baselineValue;
        }

        /** "yes", "no", or "" without a target. */
        public String met() {
            return Double.isNaN(target) ? "" : ratio() >= target ? "yes" : "no";
        }
    }

    private BenchTable() {
    }

    /**
     * Rows from the benchmarks' JSON lines, keyed by benchmark: {@code generate}, {@code ingest},
     * {@code score} and {@code train <variant>}; a missing or partial benchmark gives fewer rows.
     */
    public static List<Row> rows(Map<String, JsonNode> results) {
        List<Row> rows = new ArrayList<>();
        JsonNode g = results.get("generate");
        if (has(g, "photo_cards_per_s", "scan_cards_per_s")) {
            rows.add(new Row("generate", "photo cards/s (1 thread)", d(g, "photo_cards_per_s"), "scan cards/s", d(g, "scan_cards_per_s"), 0.5));
        }
        JsonNode in = results.get("ingest");
        if (in != null) {
            int cores = 1;
            var names = in.fieldNames();
            while (names.hasNext()) {
                String n = names.next();
                if (n.startsWith("pipeline_local_") && n.endsWith("_images_per_s")) {
                    cores = Math.max(cores, Integer.parseInt(n.substring("pipeline_local_".length(), n.length() - "_images_per_s".length())));
                }
            }
            String bare = "bare_decode_resize_encode_images_per_s_1_thread";
            String rate = "pipeline_local_" + cores + "_images_per_s";
            if (has(in, bare, rate)) {
                rows.add(new Row("ingest", "images/s per core, local[" + cores + "]", d(in, rate) / cores, "bare decode+resize+encode/s",
                        d(in, bare), 0.8));
            }
            if (cores > 1 && has(in, rate, "pipeline_local_1_images_per_s")) {
                rows.add(new Row("ingest", "images/s, local[" + cores + "]", d(in, rate), "local[1]", d(in, "pipeline_local_1_images_per_s"),
                        0.9 * cores));
            }
        }
        JsonNode s = results.get("score");
        if (has(s, "toolkit_process_s", "score_process_s", "tokenize_s", "metrics_s")) {
            // times: the ratio is baseline time over ours, so speed-ups are stated as rates (1/s)
            rows.add(new Row("score", "whole process, 1/s", 1 / d(s, "score_process_s"), "COCO toolkit process, 1/s",
                    1 / d(s, "toolkit_process_s"), 5));
            rows.add(new Row("score", "in-process tokenize+metrics, 1/s", 1 / (d(s, "tokenize_s") + d(s, "metrics_s")),
                    "COCO toolkit process, 1/s", 1 / d(s, "toolkit_process_s"), 20));
        }
        for (Map.Entry<String, JsonNode> e : results.entrySet()) {
            JsonNode t = e.getValue();
            if (e.getKey().startsWith("train ") && has(t, "plain_gflops", "gemm_gflops", "spark_samples_per_s", "plain_samples_per_s")) {
                String v = e.getKey().substring("train ".length());
                rows.add(new Row("train " + v, "plain fit GFLOP/s", d(t, "plain_gflops"), "ND4J GEMM GFLOP/s", d(t, "gemm_gflops"), 0.2));
                rows.add(new Row("train " + v, "Spark trainer samples/s", d(t, "spark_samples_per_s"), "plain fit samples/s",
                        d(t, "plain_samples_per_s"), 0.9));
            }
        }
        return rows;
    }

    /** The table as fixed-width text. */
    public static String text(List<Row> rows) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-20s %-34s %10s  %-30s %10s %8s %7s %4s%n",
                "benchmark", "measured", "value", "baseline (same run)", "value", "ratio", "target", "met"));
        for (Row r : rows) {
            out.append(String.format(Locale.ROOT, "%-20s %-34s %10s  %-30s %10s %7.2fx %7s %4s%n", r.bench(), r.measure(), figure(r.value()),
                    r.baseline(), figure(r.baselineValue()), r.ratio(), Double.isNaN(r.target()) ? "" : String.format(Locale.ROOT, ">=%.2g", r.target()),
                    r.met()));
        }
        return out.toString();
    }

    /** The rows as JSON, with every benchmark's own line under {@code benchmarks}. */
    public static ObjectNode json(List<Row> rows, Map<String, JsonNode> results) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode table = out.putArray("ratios");
        for (Row r : rows) {
            ObjectNode o = table.addObject();
            o.put("bench", r.bench()).put("measure", r.measure()).put("value", round(r.value())).put("baseline", r.baseline())
                    .put("baseline_value", round(r.baselineValue())).put("ratio", round(r.ratio()));
            if (!Double.isNaN(r.target())) {
                o.put("target", r.target()).put("met", r.ratio() >= r.target());
            }
        }
        ObjectNode each = out.putObject("benchmarks");
        results.forEach(each::set);
        return out;
    }

    private static boolean has(JsonNode n, String... fields) {
        if (n == null) {
            return false;
        }
        for (String f : fields) {
            if (!n.path(f).isNumber() || n.path(f).asDouble() <= 0) {
                return false;
            }
        }
        return true;
    }

    private static double d(JsonNode n, String field) {
        return n.path(field).asDouble();
    }

    private static String figure(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 1 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.4f", v);
    }

    private static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
