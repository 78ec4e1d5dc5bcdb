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

    /** Adds one image; returns the fields the prediction got wrong (for highlighting). */
    public Map<String, Boolean> add(Map<String, String> reference, Map<String, String> predicted) {
        Map<String, Boolean> correct = new LinkedHashMap<>();
        boolean all = true;
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
                all &= ok;
                correct.put(f, ok);
            }
            if (pred != null) {
                predictedStated++;
                if (!pred.equals(ref)) {
                    predictedWrong++;
                    correct.putIfAbsent(f, false);
                }
            }
        }
        images++;
        if (all) {
            allRight++;
        }
        return correct;
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
