package io.fusionpipe.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.fusionpipe.eval.fields.CardFields;
import io.fusionpipe.eval.metrics.CaptionScorer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's charts drawn from an evaluation's metrics.json (and, for the trend, from several):
 * what report.html embeds and what notebooks/ show, so both draw the same thing the same way.
 */
public final class Charts {

    private Charts() {
    }

    /** The evaluation's variant labels, in its order. */
    static List<String> labels(JsonNode metrics) {
        List<String> labels = new ArrayList<>();
        metrics.path("variants").fieldNames().forEachRemaining(labels::add);
        return labels;
    }

    /**
     * A colour per label that stays the same across reports: the variant's own colour, or, for a
     * second run of a variant (labelled by run id), a colour chosen by the label.
     */
    static String color(JsonNode metrics, String label) {
        String variant = metrics.path("variants").path(label).path("variant").asText(label);
        return label.equals(variant) ? variantColor(variant) : otherColor(label);
    }

    /** early, intermediate and late always get the first three colours. */
    private static String variantColor(String variant) {
        return switch (variant) {
            case "early" -> Svg.PALETTE.get(0);
            case "intermediate" -> Svg.PALETTE.get(1);
            case "late" -> Svg.PALETTE.get(2);
            default -> otherColor(variant);
        };
    }

    private static String otherColor(String key) {
        return Svg.PALETTE.get(3 + Math.floorMod(key.hashCode(), Svg.PALETTE.size() - 3));
    }

    /** The card fields at least one variant was scored on, in {@link CardFields#FIELDS} order. */
    static List<String> scoredFields(JsonNode metrics) {
        List<String> fields = new ArrayList<>();
        for (String f : CardFields.FIELDS) {
            if (labels(metrics).stream().anyMatch(l -> metrics.path("variants").path(l).path("fields").has(f))) {
                fields.add(f);
            }
        }
        return fields;
    }

    /** Each caption metric per variant, with its bootstrap interval as whiskers. */
    public static String metricBars(JsonNode metrics) {
        return bars("metric-bars", "Caption metrics with " + metrics.path("bootstrap").path("confidence").asText() + " intervals", "score",
                metrics, "metrics", CaptionScorer.METRICS);
    }

    /** Card-field accuracy per field per variant, with intervals. */
    public static String fieldAccuracy(JsonNode metrics) {
        List<String> fields = scoredFields(metrics);
        return bars("field-accuracy", fields.isEmpty() ? "Card-field accuracy (not card captions: no fields)"
                : "Card-field accuracy per field (exact match, with intervals)", "accuracy", metrics, "fields", fields);
    }

    /** One group per key of {@code variants.<label>.<section>}, one bar (value, lo, hi) per variant. */
    private static String bars(String id, String title, String yLabel, JsonNode metrics, String section, List<String> keys) {
        List<List<Svg.Bar>> groups = new ArrayList<>();
        for (String key : keys) {
            List<Svg.Bar> g = new ArrayList<>();
            for (String l : labels(metrics)) {
                JsonNode x = metrics.path("variants").path(l).path(section).path(key);
                g.add(new Svg.Bar(l, color(metrics, l), x.path("value").asDouble(Double.NaN), x.path("lo").asDouble(Double.NaN),
                        x.path("hi").asDouble(Double.NaN)));
            }
            groups.add(g);
        }
        return Svg.groupedBars(id, title, yLabel, keys, groups, true);
    }

    /**
     * The primary metric per variant across {@code evals} (oldest first), points of
     * {@code championRuns} starred.
     */
    public static String trend(List<JsonNode> evals, Collection<String> championRuns, String primary) {
        List<String> xLabels = new ArrayList<>();
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        Map<String, List<Boolean>> marks = new LinkedHashMap<>();
        for (int i = 0; i < evals.size(); i++) {
            JsonNode e = evals.get(i);
            xLabels.add(shortDate(e.path("created").asText(), e.path("eval_id").asText()));
            var it = e.path("variants").fields();
            while (it.hasNext()) {
                var v = it.next();
                String variant = v.getValue().path("variant").asText(v.getKey());
                points.computeIfAbsent(variant, k -> new ArrayList<>()).add(new double[]{i, v.getValue().path("metrics").path(primary).path("value").asDouble(Double.NaN)});
                marks.computeIfAbsent(variant, k -> new ArrayList<>()).add(championRuns.contains(v.getValue().path("run_id").asText()));
            }
        }
        List<Svg.Series> series = new ArrayList<>();
        for (var e : points.entrySet()) {
            series.add(new Svg.Series(e.getKey(), variantColor(e.getKey()), false, e.getValue(), marks.get(e.getKey())));
        }
        return Svg.lineChart("trend", "Trend of " + primary + " across evaluations (nightly runs), champion runs starred", "evaluation", primary,
                series, xLabels);
    }

    private static String shortDate(String created, String id) {
        return created.length() >= 16 ? created.substring(5, 16).replace('T', ' ') : id;
    }
}
