package io.fusionpipe.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.json.Json;

import java.util.List;
import java.util.Map;

/**
 * {@code evals/<eval id>/metrics.json}: one evaluation of one or more runs on one dataset split.
 * {@code variants} is keyed by label (the variant's name, or the run id when a variant appears
 * twice), in the order the runs were given; {@code metrics.parquet} next to it holds the same
 * figures as a long table. {@code fieldBaseline} (card captions only; absent in evaluations written
 * before it) is the per-field majority-class baseline the field accuracies are read against.
 * {@code seedGroups} and {@code seedPairwise} appear when some variant was evaluated with several
 * runs that differ only in their seed ({@code train --seeds N}): every label's group, each group's
 * mean and spread, and the groups compared on each caption metric: the difference of their means and a
 * two-level bootstrap p-value (images resampled as for {@code pairwise}, and each group's runs resampled
 * with replacement). {@code fieldPairwise} (card captions only) compares every two labels on each card
 * field and on all fields at once: the difference of their accuracies over the images whose reference
 * states the field, and McNemar's exact p-value on the images where one is right and the other not.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvalRecord(int schemaVersion, String evalId, String created, Dataset dataset, String primaryMetric, Decode decode,
                         Bootstrap bootstrap, List<String> runIds, Map<String, VariantResult> variants, List<Pair> pairwise,
                         Map<String, String> best, FieldBaseline fieldBaseline, Map<String, SeedGroup> seedGroups,
                         List<Pair> seedPairwise, List<Pair> fieldPairwise) {

    public static final String FILE = "metrics.json";
    public static final int VERSION = 1;

    /** The dataset split evaluated; {@code cardFields} when its references are card captions (field accuracy applies). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Dataset(String name, int version, String split, long images, boolean cardFields) {
    }

    /** How captions were decoded; {@code conditions} are the input conditions (full, no_image, no_text). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Decode(String strategy, int beamWidth, double lengthPenalty, int maxTokens, List<String> conditions) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Bootstrap(int resamples, double confidence, long seed, String note) {
    }

    /**
     * One run's results: caption metrics with bootstrap intervals, the metrics under each missing-modality
     * condition with their drop from full, and card-field accuracy (absent when the split has no card fields).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VariantResult(String runId, String variant, long parameters, Training training, double captionsPerSecond,
                                Map<String, Estimate> metrics, Map<String, Map<String, Estimate>> robustness,
                                Map<String, Estimate> fields) {

        /** The value of a caption metric (NaN when absent). */
        public double value(String metric) {
            Estimate e = metrics == null ? null : metrics.get(metric);
            return e == null ? Double.NaN : e.value();
        }

        /** The accuracy of a card field (NaN when absent). */
        public double field(String field) {
            Estimate e = fields == null ? null : fields.get(field);
            return e == null ? Double.NaN : e.value();
        }
    }

    /**
     * A captioner that states each field's most common value in the {@code fromSplit} split's captions
     * ({@code values}) for every image, scored like a variant's {@code fields}.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record FieldBaseline(String fromSplit, Map<String, String> values, Map<String, Estimate> fields) {

        /** The baseline's accuracy on a field (NaN when absent). */
        public double field(String field) {
            Estimate e = fields == null ? null : fields.get(field);
            return e == null ? Double.NaN : e.value();
        }
    }

    /**
     * A variant's runs (by label) that differ only in their seed, and each caption metric's and field's
     * spread over them. A run on its own is a group of one.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SeedGroup(String variant, List<String> labels, List<Long> seeds, Map<String, Spread> metrics, Map<String, Spread> fields) {

        /** The group's mean of a caption metric (NaN when absent). */
        public double mean(String metric) {
            Spread s = metrics == null ? null : metrics.get(metric);
            return s == null ? Double.NaN : s.mean();
        }
    }

    /** Mean, sample standard deviation (0 for one run), lowest and highest over a group's runs. */
    public record Spread(double mean, double sd, double min, double max) {

        /** The spread of {@code values} (not empty). */
        public static Spread of(List<Double> values) {
            double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double ss = values.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
            return new Spread(mean, values.size() < 2 ? 0 : Math.sqrt(ss / (values.size() - 1)),
                    values.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                    values.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        }
    }

    /** The run's training summary and its per-epoch curve (metrics.jsonl). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Training(double bestValLoss, int epochs, double seconds, double samplesPerSecond, List<EpochMetrics> curve) {
    }

    /**
     * A figure with what is known about it: a bootstrap interval {@code [lo, hi]}, the images it is
     * over (field accuracy), its drop from the full condition (robustness). Absent parts are null.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Estimate(double value, Long images, Double lo, Double hi, Double drop) {

        public static Estimate of(double value) {
            return new Estimate(value, null, null, null, null);
        }

        public boolean hasInterval() {
            return lo != null && hi != null;
        }
    }

    /** Paired bootstrap test of two labels on one metric ({@code pValue} null when either has no per-image scores). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Pair(String a, String b, String metric, double difference, Double pValue) {
    }

    /** The seed group {@code label} belongs to, or null when the evaluation has no seed groups. */
    public String seedGroupOf(String label) {
        if (seedGroups != null) {
            for (Map.Entry<String, SeedGroup> e : seedGroups.entrySet()) {
                if (e.getValue().labels().contains(label)) {
                    return e.getKey();
                }
            }
        }
        return null;
    }

    /** Seed-level p-value between two groups on a metric (NaN when not recorded). */
    public double seedPValue(String a, String b, String metric) {
        return pValue(seedPairwise, a, b, metric);
    }

    /** McNemar p-value between two labels on a card field or all_fields (NaN when not recorded). */
    public double fieldPValue(String a, String b, String field) {
        return pValue(fieldPairwise, a, b, field);
    }

    /** The run ids evaluated, in order. */
    public List<String> runIds() {
        return runIds == null ? List.of() : runIds;
    }

    /** The label under which {@code runId} is reported, or null. */
    public String labelOf(String runId) {
        for (Map.Entry<String, VariantResult> e : variants.entrySet()) {
            if (e.getValue().runId().equals(runId)) {
                return e.getKey();
            }
        }
        return null;
    }

    /** Value of {@code metric} for {@code label} (NaN when absent). */
    public double value(String label, String metric) {
        VariantResult v = variants.get(label);
        return v == null ? Double.NaN : v.value(metric);
    }

    /** Paired bootstrap p-value between two labels for a metric (NaN when the evaluation has none). */
    public double pValue(String a, String b, String metric) {
        return pValue(pairwise, a, b, metric);
    }

    private static double pValue(List<Pair> pairs, String a, String b, String metric) {
        if (pairs != null) {
            for (Pair p : pairs) {
                if (p.metric().equals(metric) && (p.a().equals(a) && p.b().equals(b) || p.a().equals(b) && p.b().equals(a))) {
                    return p.pValue() == null ? Double.NaN : p.pValue();
                }
            }
        }
        return Double.NaN;
    }

    /** The label with the highest value of {@code metric}, as recorded, or null. */
    public String best(String metric) {
        return best == null ? null : best.get(metric);
    }

    public String toJson() {
        return Json.pretty(this);
    }

    /** Parses metrics.json text; {@code file} names it in errors. */
    public static EvalRecord fromJson(String text, String file) {
        EvalRecord r = Json.read(text, EvalRecord.class, file);
        SchemaVersion.check(file, r.schemaVersion(), VERSION);
        if (r.evalId() == null || r.variants() == null || r.dataset() == null) {
            throw new BadInputException(file + " is not an evaluation's metrics.json (eval_id, dataset and variants are required)");
        }
        return r;
    }
}
