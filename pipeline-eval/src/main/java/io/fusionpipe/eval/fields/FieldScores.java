package io.fusionpipe.eval.fields;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Card-field accuracy of one system over images: per field, the share of images whose reference
 * states the field where the prediction states the same value; all-fields accuracy (every field the
 * reference states is right); hallucination rate (fields the prediction states that are wrong or not in
 * the reference, over all fields it states).
 */
public final class FieldScores {

    private final Map<String, long[]> perField = new LinkedHashMap<>(); // [right, stated in reference]
    private long allRight;
    private long images;
    private long predictedStated;
    private long predictedWrong;

    public FieldScores() {
        for (String f : CardFields.FIELDS) {
            perField.put(f, new long[2]);
        }
    }

    /**
     * One image's check: for each field its reference states, whether the prediction states the same
     * value; and every field the prediction got wrong, including ones the reference does not state.
     */
    public record Check(Map<String, Boolean> referenceFields, java.util.List<String> wrong) {
        public boolean allRight() {
            return referenceFields.values().stream().allMatch(Boolean::booleanValue);
        }
    }

    /** Adds one image. */
    public Check add(Map<String, String> reference, Map<String, String> predicted) {
        Map<String, Boolean> correct = new LinkedHashMap<>();
        java.util.List<String> wrong = new java.util.ArrayList<>();
        for (String f : CardFields.FIELDS) {
            String ref = reference.get(f);
            String pred = predicted.get(f);
            if (ref != null) {
                boolean ok = ref.equals(pred);
                long[] c = perField.get(f);
                c[1]++;
                if (ok) {
                    c[0]++;
                }
                correct.put(f, ok);
                if (!ok) {
                    wrong.add(f);
                }
            }
            if (pred != null) {
                predictedStated++;
                if (!pred.equals(ref)) {
                    predictedWrong++;
                    if (ref == null) {
                        wrong.add(f);
                    }
                }
            }
        }
        images++;
        Check check = new Check(correct, wrong);
        if (check.allRight()) {
            allRight++;
        }
        return check;
    }

    /** field -> accuracy, then "all_fields" and "hallucination_rate". */
    public Map<String, Double> summary() {
        Map<String, Double> out = new LinkedHashMap<>();
        perField.forEach((f, c) -> out.put(f, c[1] == 0 ? Double.NaN : c[0] / (double) c[1]));
        out.put("all_fields", images == 0 ? Double.NaN : allRight / (double) images);
        out.put("hallucination_rate", predictedStated == 0 ? 0.0 : predictedWrong / (double) predictedStated);
        return out;
    }
}
