package io.fusionpipe.eval.fields;

import io.fusionpipe.eval.stats.Bootstrap;
import io.fusionpipe.eval.stats.McNemar;
import io.fusionpipe.records.EvalRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Card-field scores of one system over images, each with a bootstrap interval:
 * <ul>
 *   <li>per field: accuracy over the images whose reference states it;</li>
 *   <li>{@value #ALL_FIELDS}: images whose every reference field is stated right;</li>
 *   <li>{@value #RECALL}: reference fields stated right over all reference fields (pooled);</li>
 *   <li>{@value #WRONG_PER_CAPTION}: fields a caption states with a wrong value, or that its reference
 *   does not state, per caption. A caption cannot lower it by stating less, unlike a share of the
 *   fields it states; read it beside recall, which omissions lower.</li>
 * </ul>
 */
public final class FieldScores {

    public static final String ALL_FIELDS = "all_fields";
    public static final String RECALL = "field_recall";
    public static final String WRONG_PER_CAPTION = "wrong_per_caption";
    /** Keys after the per-field accuracies, in report order. */
    public static final List<String> SUMMARIES = List.of(ALL_FIELDS, RECALL, WRONG_PER_CAPTION);

    private FieldScores() {
    }

    /**
     * One image's check: for each field its reference states, whether the prediction states the same
     * value ({@code referenceFields}); the fields it got wrong, whether omitted, misstated or stated
     * without being in the reference ({@code wrong}); how many it stated wrongly ({@code statedWrong}).
     */
    public record Check(Map<String, Boolean> referenceFields, List<String> wrong, int statedWrong) {
        public boolean allRight() {
            return referenceFields.values().stream().allMatch(Boolean::booleanValue);
        }

        public int right() {
            return (int) referenceFields.values().stream().filter(Boolean::booleanValue).count();
        }
    }

    /** Checks one prediction's fields against its reference's. */
    public static Check check(Map<String, String> reference, Map<String, String> predicted) {
        Map<String, Boolean> correct = new LinkedHashMap<>();
        List<String> wrong = new ArrayList<>();
        int statedWrong = 0;
        for (String f : CardFields.FIELDS) {
            String ref = reference.get(f);
            String pred = predicted.get(f);
            if (ref != null) {
                boolean ok = ref.equals(pred);
                correct.put(f, ok);
                if (!ok) {
                    wrong.add(f);
                }
            } else if (pred != null) {
                wrong.add(f);
            }
            if (pred != null && !pred.equals(ref)) {
                statedWrong++;
            }
        }
        return new Check(correct, wrong, statedWrong);
    }

    /**
     * Every field's accuracy, then {@link #SUMMARIES}, over {@code checks} (one per image, in the order
     * the bootstrap's indices refer to), with intervals when {@code bootstrap} is not null. A field no
     * reference states is left out.
     */
    public static Map<String, EvalRecord.Estimate> estimates(List<Check> checks, Bootstrap bootstrap, double confidence) {
        Map<String, EvalRecord.Estimate> out = new LinkedHashMap<>();
        for (String f : CardFields.FIELDS) {
            ratio(out, f, checks, c -> c.referenceFields().containsKey(f) && c.referenceFields().get(f) ? 1 : 0,
                    c -> c.referenceFields().containsKey(f) ? 1 : 0, bootstrap, confidence);
        }
        ratio(out, ALL_FIELDS, checks, c -> c.allRight() ? 1 : 0, c -> 1, bootstrap, confidence);
        ratio(out, RECALL, checks, Check::right, c -> c.referenceFields().size(), bootstrap, confidence);
        ratio(out, WRONG_PER_CAPTION, checks, Check::statedWrong, c -> 1, bootstrap, confidence);
        return out;
    }

    /**
     * Two systems' field accuracies on the same images ({@code a} and {@code b}: one check per image,
     * in the same image order) compared per field and on {@value #ALL_FIELDS}: the difference of the
     * accuracies (a - b) and McNemar's exact p-value on the images where one is right and the other not.
     */
    public static List<EvalRecord.Pair> paired(String labelA, List<Check> a, String labelB, List<Check> b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("paired field checks need the same images: " + a.size() + " vs " + b.size());
        }
        List<EvalRecord.Pair> out = new ArrayList<>();
        List<String> keys = new ArrayList<>(CardFields.FIELDS);
        keys.add(ALL_FIELDS);
        for (String key : keys) {
            int n = 0;
            int rightA = 0;
            int rightB = 0;
            int aOnly = 0;
            int bOnly = 0;
            for (int i = 0; i < a.size(); i++) {
                Boolean ra = right(a.get(i), key);
                Boolean rb = right(b.get(i), key);
                if (ra == null || rb == null) {
                    continue;
                }
                n++;
                rightA += ra ? 1 : 0;
                rightB += rb ? 1 : 0;
                aOnly += ra && !rb ? 1 : 0;
                bOnly += rb && !ra ? 1 : 0;
            }
            if (n > 0) {
                out.add(new EvalRecord.Pair(labelA, labelB, key, (rightA - rightB) / (double) n, McNemar.exactPValue(aOnly, bOnly)));
            }
        }
        return out;
    }

    /** Whether the check got {@code key} right; null when its reference does not state the field. */
    private static Boolean right(Check c, String key) {
        return key.equals(ALL_FIELDS) ? Boolean.valueOf(c.allRight()) : c.referenceFields().get(key);
    }

    /** sum(numerator) / sum(denominator) over the images, and over each resample for the interval. */
    private static void ratio(Map<String, EvalRecord.Estimate> out, String key, List<Check> checks, ToDoubleFunction<Check> numerator,
                              ToDoubleFunction<Check> denominator, Bootstrap bootstrap, double confidence) {
        double[] num = checks.stream().mapToDouble(numerator).toArray();
        double[] den = checks.stream().mapToDouble(denominator).toArray();
        double n = 0;
        double d = 0;
        long images = 0;
        for (int i = 0; i < num.length; i++) {
            n += num[i];
            d += den[i];
            images += den[i] > 0 ? 1 : 0;
        }
        if (d == 0) {
            return;
        }
        Double lo = null;
        Double hi = null;
        if (bootstrap != null) {
            // a resample without an image that states the field says nothing about it
            double[] ci = Bootstrap.interval(java.util.Arrays.stream(bootstrap.distribution(idx -> {
                double rn = 0;
                double rd = 0;
                for (int i : idx) {
                    rn += num[i];
                    rd += den[i];
                }
                return rd == 0 ? Double.NaN : rn / rd;
            })).filter(x -> !Double.isNaN(x)).toArray(), confidence);
            lo = ci[0];
            hi = ci[1];
        }
        out.put(key, new EvalRecord.Estimate(n / d, images, lo, hi, null));
    }
}
