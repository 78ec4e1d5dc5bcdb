package io.fusionpipe.registry;

import io.fusionpipe.cli.DemoStage;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.errors.BadInputException;
import io.fusionpipe.eval.EvalDemoStage;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.records.EvalRecord;
import io.fusionpipe.records.RegistryRecord;
import io.fusionpipe.spark.SparkSessions;
import org.apache.hadoop.conf.Configuration;

import java.io.PrintWriter;
import java.util.List;

/**
 * The demo's promote stage: the best variant of the newest evaluation of the demo dataset against
 * the registry's champion (the first one is crowned). An evaluation already decided on is not
 * decided again.
 */
public final class PromoteDemoStage implements DemoStage {

    @Override
    public String name() {
        return "promote";
    }

    @Override
    public String run(FusionConfig config, PrintWriter out) {
        FusionRoot root = FusionRoot.of(config);
        Configuration hadoop = SparkSessions.getOrCreate(config, "demo").sparkContext().hadoopConfiguration();
        List<EvalRecord> evals = EvalDemoStage.evaluations(root, hadoop);
        String evalId = evals.get(evals.size() - 1).evalId();
        String model = PromotePipeline.Settings.of(config).modelName();
        for (RegistryRecord.Decision entry : new Registry(root, hadoop).history()) {
            if (evalId.equals(entry.evalId()) && model.equals(entry.model())) {
                out.println("  reusing the decision on eval " + evalId);
                return model + " " + entry.outcome() + " (" + entry.reason() + ")";
            }
        }
        try {
            PromotePipeline.Result r = PromotePipeline.promote(config, hadoop, evalId, null, null);
            return r.model() + " " + r.decision().outcome().id() + " (" + r.decision().reason() + ")";
        } catch (BadInputException e) {
            return "skipped: " + e.getMessage();
        }
    }
}
