package io.fusionpipe.eval;

import io.fusionpipe.config.ConfigProblem;
import io.fusionpipe.config.ConfigValidationException;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.train.model.CaptionDecoder;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Typed view of {@code fusionpipe.eval.*}. */
public record EvalSettings(String split, String decode, int beamWidth, double lengthPenalty, int maxTokens, int batchSize,
                           List<CaptionDecoder.Condition> conditions, String primaryMetric, int resamples, double confidence,
                           long seed, double significance) implements Serializable {

    public static EvalSettings of(FusionConfig config) {
        var c = config.config();
        String p = "fusionpipe.eval.";
        List<CaptionDecoder.Condition> conditions = new ArrayList<>();
        for (String s : c.getStringList(p + "conditions")) {
            try {
                conditions.add(CaptionDecoder.Condition.valueOf(s.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ConfigValidationException(List.of(new ConfigProblem(p + "conditions", s, null,
                        "expected full, no_image or no_text")));
            }
        }
        if (!conditions.contains(CaptionDecoder.Condition.FULL)) {
            conditions.add(0, CaptionDecoder.Condition.FULL); // the reference point of every drop
        }
        return new EvalSettings(c.getString(p + "split"), c.getString(p + "decode"), c.getInt(p + "beam-width"),
                c.getDouble(p + "length-penalty"), c.getInt(p + "max-tokens"), c.getInt(p + "batch-size"), conditions,
                c.getString(p + "primary-metric"), c.getInt(p + "bootstrap.resamples"), c.getDouble(p + "bootstrap.confidence"),
                c.getLong(p + "bootstrap.seed"), c.getDouble(p + "bootstrap.significance"));
    }
}
