package io.fusionpipe.quality;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fusionpipe.json.Json;
import io.fusionpipe.records.EvalRecord;
import io.fusionpipe.train.model.CaptionDecoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The quality benchmark's figures for one split, from its evaluation: per model (a variant, or the
 * text-only baseline) the mean and spread over seeds of CIDEr, of the card fields read and of the CIDEr
 * lost with the image blanked, the seeds in which it beats the text-only baseline on CIDEr (paired
 * bootstrap) and on type, stage and HP (McNemar's exact test) significantly, and the majority
 * baseline's field accuracies. Pure: no Spark, no I/O.
 */
final class QualityTable {

    /** The fields the benchmark's targets are stated in. */
    static final List<String> FIELDS = List.of("types", "stage", "hp", "rarity", "name");
    static final String METRIC = "CIDEr";
    static final String TEXT_ONLY = "text-only";
    /** The fields each variant must read better than the text-only baseline in every seed (issue 20's target). */
    static final List<String> AGAINST_TEXT_ONLY = List.of("types", "stage", "hp");

    /**
     * One model's figures over its seeds; {@code beatsTextOnly} (CIDEr) and {@code fieldsBeatTextOnly}
     * (per field of {@link #AGAINST_TEXT_ONLY}) count the seeds it is significantly above the text-only
     * run of the same seed; null for the text-only model itself.
     */
    record Row(String model, int seeds, EvalRecord.Spread cider, Map<String, EvalRecord.Spread> fields, EvalRecord.Spread noImageDrop,
               Integer beatsTextOnly, Map<String, Integer> fieldsBeatTextOnly) {
    }

    /** A split's rows and its majority baseline ({@code baseline} empty when the references are not card captions). */
    record Split(String name, String evalId, List<Row> rows, Map<String, Double> baseline) {
    }

    private QualityTable() {
    }

    /**
     * @param runs per model, its runs' ids in seed order (the same seeds for every model)
     * @param significance the paired test's level
     */
    static Split of(String name, EvalRecord eval, Map<String, List<String>> runs, double significance) {
        List<String> textOnly = runs.getOrDefault(TEXT_ONLY, List.of());
        List<Row> rows = new ArrayList<>();
        runs.forEach((model, ids) -> {
            List<EvalRecord.VariantResult> results = ids.stream().map(id -> eval.variants().get(label(eval, id))).toList();
            Map<String, EvalRecord.Spread> fields = new LinkedHashMap<>();
            for (String f : FIELDS) {
                List<Double> v = results.stream().map(r -> r.field(f)).filter(x -> !Double.isNaN(x)).toList();
                if (!v.isEmpty()) {
                    fields.put(f, EvalRecord.Spread.of(v));
                }
            }
            List<Double> drops = results.stream().map(QualityTable::noImageDrop).filter(x -> !Double.isNaN(x)).toList();
            Integer beats = null;
            Map<String, Integer> fieldBeats = null;
            if (!model.equals(TEXT_ONLY) && textOnly.size() == ids.size()) {
                beats = 0;
                fieldBeats = new LinkedHashMap<>();
                for (int i = 0; i < ids.size(); i++) {
                    String a = label(eval, ids.get(i));
                    String b = label(eval, textOnly.get(i));
                    beats += eval.value(a, METRIC) > eval.value(b, METRIC) && eval.pValue(a, b, METRIC) < significance ? 1 : 0;
                    for (String f : AGAINST_TEXT_ONLY) {
                        boolean above = eval.variants().get(a).field(f) > eval.variants().get(b).field(f) && eval.fieldPValue(a, b, f) < significance;
                        fieldBeats.merge(f, above ? 1 : 0, Integer::sum);
                    }
                }
            }
            rows.add(new Row(model, ids.size(), EvalRecord.Spread.of(results.stream().map(r -> r.value(METRIC)).toList()), fields,
                    drops.isEmpty() ? null : EvalRecord.Spread.of(drops), beats, fieldBeats));
        });
        Map<String, Double> baseline = new LinkedHashMap<>();
        if (eval.fieldBaseline() != null) {
            for (String f : FIELDS) {
                double v = eval.fieldBaseline().field(f);
                if (!Double.isNaN(v)) {
                    baseline.put(f, v);
                }
            }
        }
        return new Split(name, eval.evalId(), rows, baseline);
    }

    private static String label(EvalRecord eval, String runId) {
        String label = eval.labelOf(runId);
        if (label == null) {
            throw new IllegalStateException("run " + runId + " is not in evaluation " + eval.evalId());
        }
        return label;
    }

    private static double noImageDrop(EvalRecord.VariantResult r) {
        Map<String, EvalRecord.Estimate> noImage = r.robustness() == null ? null : r.robustness().get(CaptionDecoder.Condition.NO_IMAGE.id());
        EvalRecord.Estimate e = noImage == null ? null : noImage.get(METRIC);
        return e == null || e.drop() == null ? Double.NaN : e.drop();
    }

    /** The splits as one plain-text table. */
    static String text(List<Split> splits) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-10s %-13s %5s %15s", "split", "model", "seeds", METRIC));
        for (String f : FIELDS) {
            b.append(String.format(Locale.ROOT, " %13s", f));
        }
        b.append(String.format(Locale.ROOT, " %15s %12s %18s", "no-image drop", "> text-only", "type/stage/hp >")).append('\n');
        for (Split s : splits) {
            for (Row r : s.rows()) {
                b.append(String.format(Locale.ROOT, "%-10s %-13s %5d %15s", s.name(), r.model(), r.seeds(), fmt(r.cider())));
                for (String f : FIELDS) {
                    b.append(String.format(Locale.ROOT, " %13s", fmt(r.fields().get(f))));
                }
                b.append(String.format(Locale.ROOT, " %15s %12s %18s", fmt(r.noImageDrop()),
                        r.beatsTextOnly() == null ? "-" : r.beatsTextOnly() + "/" + r.seeds(), fieldBeats(r))).append('\n');
            }
            if (!s.baseline().isEmpty()) {
                b.append(String.format(Locale.ROOT, "%-10s %-13s %5s %15s", s.name(), "majority", "-", "-"));
                for (String f : FIELDS) {
                    Double v = s.baseline().get(f);
                    b.append(String.format(Locale.ROOT, " %13s", v == null ? "-" : String.format(Locale.ROOT, "%.3f", v)));
                }
                b.append(String.format(Locale.ROOT, " %15s %12s %18s", "-", "-", "-")).append('\n');
            }
        }
        b.append("mean ± sd over seeds; fields: exact-match accuracy on the test split; > text-only: seeds in which ").append(METRIC)
                .append(" beats the text-only run of the same seed with a significant paired bootstrap test; type/stage/hp >: the same\n")
                .append("for each of those fields' accuracy, with McNemar's exact test\n");
        return b.toString();
    }

    private static String fieldBeats(Row r) {
        if (r.fieldsBeatTextOnly() == null) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        for (String f : AGAINST_TEXT_ONLY) {
            parts.add(r.fieldsBeatTextOnly().getOrDefault(f, 0) + "/" + r.seeds());
        }
        return String.join(" ", parts);
    }

    private static String fmt(EvalRecord.Spread s) {
        return s == null ? "-" : String.format(Locale.ROOT, "%.3f±%.3f", s.mean(), s.sd());
    }

    /** The splits as one JSON object (the same figures as {@link #text}). */
    static ObjectNode json(List<Split> splits) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        for (Split s : splits) {
            ObjectNode split = out.putObject(s.name());
            split.put("eval_id", s.evalId());
            ObjectNode models = split.putObject("models");
            for (Row r : s.rows()) {
                ObjectNode m = models.putObject(r.model());
                m.put("seeds", r.seeds());
                m.set(METRIC, Json.MAPPER.valueToTree(r.cider()));
                m.set("fields", Json.MAPPER.valueToTree(r.fields()));
                if (r.noImageDrop() != null) {
                    m.set("no_image_drop", Json.MAPPER.valueToTree(r.noImageDrop()));
                }
                if (r.beatsTextOnly() != null) {
                    m.put("seeds_significantly_above_text_only", r.beatsTextOnly());
                }
                if (r.fieldsBeatTextOnly() != null) {
                    m.set("seeds_significantly_above_text_only_by_field", Json.MAPPER.valueToTree(r.fieldsBeatTextOnly()));
                }
            }
            split.set("majority_baseline", Json.MAPPER.valueToTree(s.baseline()));
        }
        return out;
    }
}
