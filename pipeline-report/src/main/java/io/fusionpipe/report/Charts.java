package io.fusionpipe.report;

import io.fusionpipe.eval.fields.CardFields;
import io.fusionpipe.eval.metrics.CaptionScorer;
import io.fusionpipe.records.EvalRecord;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The report's charts drawn from an evaluation's metrics.json (and, for the trend, from several):
 * what report.html embeds and what notebooks/ show, so both draw the same thing the same way.
 */
public final class Charts {

    private static final String BASELINE_COLOR = "#9e9e9e";

    private Charts() {
    }

    private static Svg.Bar bar(String label, String color, EvalRecord.Estimate x) {
        return x == null ? new Svg.Bar(label, color, Double.NaN, Double.NaN, Double.NaN)
                : new Svg.Bar(label, color, x.value(), x.lo() == null ? Double.NaN : x.lo(), x.hi() == null ? Double.NaN : x.hi());
    }

    /** The evaluation's variant labels, in its order. */
    static List<String> labels(EvalRecord metrics) {
        return new ArrayList<>(metrics.variants().keySet());
    }

    /**
     * A colour per label that stays the same across reports: the variant's own colour, or, for a
     * second run of a variant (labelled by run id), a colour chosen by the label.
     */
    static String color(EvalRecord metrics, String label) {
        EvalRecord.VariantResult v = metrics.variants().get(label);
        String variant = v == null || v.variant() == null ? label : v.variant();
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
    static List<String> scoredFields(EvalRecord metrics) {
        List<String> fields = new ArrayList<>();
        for (String f : CardFields.FIELDS) {
            if (metrics.variants().values().stream().anyMatch(v -> v.fields() != null && v.fields().containsKey(f))) {
                fields.add(f);
            }
        }
        return fields;
    }

    /** Each caption metric per variant, with its bootstrap interval as whiskers. */
    public static String metricBars(EvalRecord metrics) {
        return bars("metric-bars", "Caption metrics with " + metrics.bootstrap().confidence() + " intervals", "score",
                metrics, EvalRecord.VariantResult::metrics, CaptionScorer.METRICS, null);
    }

    /** Card-field accuracy per field per variant, with intervals, and the majority baseline's in grey when recorded. */
    public static String fieldAccuracy(EvalRecord metrics) {
        List<String> fields = scoredFields(metrics);
        EvalRecord.FieldBaseline base = metrics.fieldBaseline();
        return bars("field-accuracy", fields.isEmpty() ? "Card-field accuracy (not card captions: no fields)"
                        : "Card-field accuracy per field (exact match, with intervals)" + (base == null ? "" : "; grey: majority baseline"),
                "accuracy", metrics, EvalRecord.VariantResult::fields, fields, base == null ? null : base.fields());
    }

    /**
     * One group per key of a variant's {@code section}, one bar (value, lo, hi) per variant, then one for
     * {@code baseline} when not null.
     */
    private static String bars(String id, String title, String yLabel, EvalRecord metrics,
                               Function<EvalRecord.VariantResult, Map<String, EvalRecord.Estimate>> section, List<String> keys,
                               Map<String, EvalRecord.Estimate> baseline) {
        List<List<Svg.Bar>> groups = new ArrayList<>();
        for (String key : keys) {
            List<Svg.Bar> g = new ArrayList<>();
            for (String l : labels(metrics)) {
                Map<String, EvalRecord.Estimate> values = section.apply(metrics.variants().get(l));
                g.add(bar(l, color(metrics, l), values == null ? null : values.get(key)));
            }
            if (baseline != null) {
                g.add(bar("majority baseline", BASELINE_COLOR, baseline.get(key)));
            }
            groups.add(g);
        }
        return Svg.groupedBars(id, title, yLabel, keys, groups, true);
    }

    /**
     * The primary metric per variant across {@code evals} (oldest first), points of
     * {@code championRuns} starred.
     */
    public static String trend(List<EvalRecord> evals, Collection<String> championRuns, String primary) {
        List<String> xLabels = new ArrayList<>();
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        Map<String, List<Boolean>> marks = new LinkedHashMap<>();
        for (int i = 0; i < evals.size(); i++) {
            EvalRecord e = evals.get(i);
            xLabels.add(shortDate(e.created(), e.evalId()));
            for (Map.Entry<String, EvalRecord.VariantResult> v : e.variants().entrySet()) {
                String variant = v.getValue().variant() == null ? v.getKey() : v.getValue().variant();
                points.computeIfAbsent(variant, k -> new ArrayList<>()).add(new double[]{i, v.getValue().value(primary)});
                marks.computeIfAbsent(variant, k -> new ArrayList<>()).add(championRuns.contains(v.getValue().runId()));
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
