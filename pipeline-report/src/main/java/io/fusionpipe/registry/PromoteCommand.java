package io.fusionpipe.registry;

import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.Fusionpipe;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.spark.SparkSessions;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;

/** {@code fusionpipe promote EVAL_ID}: champion/challenger decision recorded in ROOT/registry/. */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = {"Make a challenger (a run of the evaluation; default its best variant) the champion if its primary metric is",
                "higher and the paired bootstrap says the gain is not noise. The champion must be part of the same evaluation.",
                "Exit 0: promoted or kept (no regression); 3: the challenger is significantly worse; 2: bad usage."})
public final class PromoteCommand implements FusionCommand {

    @Mixin
    ConfigOptions options;

    @Parameters(index = "0", paramLabel = "EVAL_ID", description = "Evaluation holding the challenger (and the current champion).")
    String evalId;

    @Option(names = "--run", paramLabel = "RUN_ID", description = "The challenger run (default: the evaluation's best variant).")
    String run;

    @Option(names = "--model", paramLabel = "NAME", description = "Model name in the registry (default: fusionpipe.registry.model-name).")
    String model;

    @Spec
    CommandSpec spec;

    /** The spark-submit main class of this stage. */
    public static void main(String[] args) {
        System.exit(Fusionpipe.run(new PromoteCommand(), args));
    }

    @Override
    public Integer call() {
        FusionConfig config = options.load();
        Configuration hadoop = SparkSessions.hadoopConfiguration(config);
        PromotePipeline.Result r = PromotePipeline.promote(config, hadoop, evalId, run, model);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s: %s -> %s%n", r.model(), r.decision().outcome().id(), r.decision().reason());
        out.printf("champion of %s: run %s (registry revision %d, %s)%n", r.model(),
                r.registry().champion(r.model()) == null ? "none" : r.registry().champion(r.model()).runId(), r.registry().revision(),
                new io.fusionpipe.registry.Registry(io.fusionpipe.layout.FusionRoot.of(config), hadoop).file());
        out.flush();
        return r.decision().outcome() == Promotion.Outcome.REGRESSION ? ExitCodes.REGRESSION : ExitCodes.OK;
    }
}
