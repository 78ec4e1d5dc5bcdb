package io.fusionpipe.registry;

import io.fusionpipe.layout.LockSettings;

import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.eval.EvalSettings;
import io.fusionpipe.eval.Evals;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.records.EvalRecord;
import io.fusionpipe.records.RegistryRecord;
import org.apache.hadoop.conf.Configuration;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Champion/challenger promotion on one evaluation: the challenger (a run of the evaluation, by
 * default its best variant on the primary metric) against the registry's champion, which must be
 * evaluated on the same images in the same evaluation so that the paired bootstrap applies.
 */
public final class PromotePipeline {

    /** The decision, the labels compared, and the registry state written. */
    public record Result(Promotion.Decision decision, String model, String challengerRun, String championRun, RegistryRecord registry) {
    }

    /** Typed view of {@code fusionpipe.registry.*}. */
    public record Settings(String modelName, double minGain, LockSettings lock) {
        public static Settings of(FusionConfig config) {
            var c = config.config();
            return new Settings(c.getString("fusionpipe.registry.model-name"), c.getDouble("fusionpipe.registry.min-gain"),
                    LockSettings.of(config).withMaxWait(c.getDuration("fusionpipe.registry.lock-wait")));
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
        EvalRecord metrics = Evals.read(root, hadoop, evalId);
        String challenger;
        if (challengerRun != null) {
            challenger = metrics.labelOf(challengerRun);
            if (challenger == null) {
                throw new BadInputException("run " + challengerRun + " is not part of eval " + evalId + " (its runs: " + metrics.runIds() + ")");
            }
        } else {
            challenger = Contest.defaultChallenger(metrics, metric);
            if (challenger == null) {
                throw new BadInputException("eval " + evalId + " has no variants");
            }
        }
        EvalRecord.VariantResult challenging = metrics.variants().get(challenger);
        String challengerId = challenging.runId();
        double challengerValue = metrics.value(challenger, metric);
        if (Double.isNaN(challengerValue)) {
            throw new BadInputException("eval " + evalId + " has no " + metric + " for " + challenger + " (eval.primary-metric)");
        }
        Registry registry = new Registry(root, hadoop);
        Promotion.Decision[] decided = new Promotion.Decision[1];
        double[] decidedOn = {challengerValue};   // the challenger's side: its value, or its seed group's mean
        String[] championRun = new String[1];
        RegistryRecord state = registry.update(current -> {
            RegistryRecord.Champion champion = current.champion(name);
            Promotion.Decision d;
            double championValue = Double.NaN;
            double p = Double.NaN;
            if (champion == null) {
                d = Promotion.decide(metric, Double.NaN, challengerValue, Double.NaN, s.minGain(), eval.significance());
            } else {
                championRun[0] = champion.runId();
                String championLabel = metrics.labelOf(championRun[0]);
                if (championRun[0].equals(challengerId)) {
                    d = new Promotion.Decision(Promotion.Outcome.KEPT, "run " + challengerId + " is already the champion of " + name);
                } else if (championLabel == null) {
                    throw new BadInputException("the champion of " + name + ", run " + championRun[0] + ", is not part of eval " + evalId
                            + ": the paired test needs both on the same images; run fusionpipe eval --runs " + championRun[0] + "," + challengerId);
                } else {
                    Contest.Sides sides = Contest.sides(metrics, challenger, championLabel, metric);
                    championValue = sides.champion();
                    p = sides.pValue();
                    decidedOn[0] = sides.challenger();
                    Promotion.Decision raw = Promotion.decide(metric, championValue, sides.challenger(), p, s.minGain(), eval.significance());
                    d = sides.basis() == null ? raw : new Promotion.Decision(raw.outcome(), raw.reason() + " [" + sides.basis() + "]");
                }
            }
            decided[0] = d;
            String now = ZonedDateTime.now(ZoneOffset.UTC).toString();
            RegistryRecord.Decision entry = new RegistryRecord.Decision(now, name, d.outcome().id(), evalId, metrics.created(), metric,
                    challengerId, challenging.variant(), decidedOn[0], championRun[0],
                    championRun[0] == null ? null : championValue, Double.isNaN(p) ? null : p, d.reason());
            RegistryRecord.Champion crowned = !d.outcome().crowns() ? null : new RegistryRecord.Champion(challengerId, challenging.variant(),
                    evalId, metric, challengerValue, metrics.dataset().name() + " v" + metrics.dataset().version(), now);
            return current.with(entry, crowned, now);
        }, s.lock());
        return new Result(decided[0], name, challengerId, championRun[0], state);
    }
}
