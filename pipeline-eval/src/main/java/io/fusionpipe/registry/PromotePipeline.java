package io.fusionpipe.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fusionpipe.cli.UsageException;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.eval.EvalSettings;
import io.fusionpipe.eval.Evals;
import io.fusionpipe.layout.FusionRoot;
import org.apache.hadoop.conf.Configuration;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Champion/challenger promotion on one evaluation: the challenger (a run of the evaluation, by
 * default its best variant on the primary metric) against the registry's champion, which must be
 * evaluated on the same images in the same evaluation so that the paired bootstrap applies.
 */
public final class PromotePipeline {

    /** The decision, the labels compared, and the registry state written. */
    public record Result(Promotion.Decision decision, String model, String challengerRun, String championRun, ObjectNode registry) {
    }

    /** Typed view of {@code fusionpipe.registry.*}. */
    public record Settings(String modelName, double minGain, Duration lockWait) {
        public static Settings of(FusionConfig config) {
            var c = config.config();
            return new Settings(c.getString("fusionpipe.registry.model-name"), c.getDouble("fusionpipe.registry.min-gain"),
                    c.getDuration("fusionpipe.registry.lock-wait"));
        }
    }

    private PromotePipeline() {
    }

    /**
     * @param challengerRun a run id of the evaluation, or null for its best variant
     * @param model         model name, or null for {@code fusionpipe.registry.model-name}
     */
    public static Result promote(FusionConfig config, Configuration hadoop, String evalId, String challengerRun, String model) {
        FusionRoot root = FusionRoot.of(config);
        EvalSettings eval = EvalSettings.of(config);
        Settings s = Settings.of(config);
        String name = model != null ? model : s.modelName();
        String metric = eval.primaryMetric();
        JsonNode metrics = Evals.read(root, hadoop, evalId);
        String challenger;
        if (challengerRun != null) {
            challenger = Evals.labelOf(metrics, challengerRun);
            if (challenger == null) {
                throw new UsageException("run " + challengerRun + " is not part of eval " + evalId + " (its runs: " + Evals.runIds(metrics) + ")");
            }
        } else {
            challenger = Evals.best(metrics, metric);
            if (challenger == null) {
                throw new UsageException("eval " + evalId + " has no variants");
            }
        }
        String challengerId = metrics.path("variants").path(challenger).path("run_id").asText();
        double challengerValue = Evals.value(metrics, challenger, metric);
        if (Double.isNaN(challengerValue)) {
            throw new UsageException("eval " + evalId + " has no " + metric + " for " + challenger + " (eval.primary-metric)");
        }
        Registry registry = new Registry(root, hadoop);
        Promotion.Decision[] decided = new Promotion.Decision[1];
        String[] championRun = new String[1];
        ObjectNode state = registry.update(current -> {
            JsonNode champion = current.path("champions").path(name);
            Promotion.Decision d;
            double championValue = Double.NaN;
            double p = Double.NaN;
            if (champion.isMissingNode() || champion.isNull()) {
                d = Promotion.decide(metric, Double.NaN, challengerValue, Double.NaN, s.minGain(), eval.significance());
            } else {
                championRun[0] = champion.path("run_id").asText();
                String championLabel = Evals.labelOf(metrics, championRun[0]);
                if (championRun[0].equals(challengerId)) {
                    d = new Promotion.Decision(Promotion.Outcome.KEPT, "run " + challengerId + " is already the champion of " + name);
                } else if (championLabel == null) {
                    throw new UsageException("the champion of " + name + ", run " + championRun[0] + ", is not part of eval " + evalId
                            + ": the paired test needs both on the same images; run fusionpipe eval --runs " + championRun[0] + "," + challengerId);
                } else {
                    championValue = Evals.value(metrics, championLabel, metric);
                    p = Evals.pValue(metrics, challenger, championLabel, metric);
                    d = Promotion.decide(metric, championValue, challengerValue, p, s.minGain(), eval.significance());
                }
            }
            decided[0] = d;
            ObjectNode entry = ((com.fasterxml.jackson.databind.node.ArrayNode) current.withArray("history")).addObject();
            entry.put("time", ZonedDateTime.now(ZoneOffset.UTC).toString());
            entry.put("model", name);
            entry.put("outcome", d.outcome().id());
            entry.put("eval_id", evalId);
            entry.put("created", metrics.path("created").asText());
            entry.put("metric", metric);
            entry.put("challenger_run", challengerId);
            entry.put("challenger_variant", metrics.path("variants").path(challenger).path("variant").asText());
            entry.put("challenger_value", challengerValue);
            if (championRun[0] != null) {
                entry.put("champion_run", championRun[0]);
                entry.put("champion_value", championValue);
            }
            if (!Double.isNaN(p)) {
                entry.put("p_value", p);
            }
            entry.put("reason", d.reason());
            if (d.outcome().crowns()) {
                ObjectNode c = current.with("champions").putObject(name);
                c.put("run_id", challengerId);
                c.put("variant", metrics.path("variants").path(challenger).path("variant").asText());
                c.put("eval_id", evalId);
                c.put("metric", metric);
                c.put("value", challengerValue);
                c.put("dataset", metrics.path("dataset").path("name").asText() + " v" + metrics.path("dataset").path("version").asInt());
                c.put("since", entry.path("time").asText());
            }
            return current;
        }, s.lockWait());
        return new Result(decided[0], name, challengerId, championRun[0], state);
    }
}
