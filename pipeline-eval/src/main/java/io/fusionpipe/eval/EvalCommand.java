package io.fusionpipe.eval;

import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.Fusionpipe;
import io.fusionpipe.cli.UsageException;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.train.Runs;
import io.fusionpipe.train.TrainPipeline;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;

/** {@code fusionpipe eval}: decode and score trained runs on a dataset split. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Decode captions with trained runs and score them: COCO-exact BLEU/ROUGE-L/CIDEr-D with bootstrap intervals,",
                "paired tests between variants, card-field accuracy and missing-modality robustness. Writes ROOT/evals/<eval-id>/."})
public final class EvalCommand implements FusionCommand {

    @Mixin
    ConfigOptions options;

    @Option(names = "--runs", paramLabel = "ID[,ID...]", split = ",",
            description = "Runs to evaluate (same dataset version, unless --on-version is given).")
    List<String> runs;

    @Option(names = "--on-version", paramLabel = "K",
            description = "With --runs: score on this version of the runs' dataset (runs of other versions with the same vocabulary take part).")
    Integer onVersion;

    @Option(names = "--dataset", paramLabel = "NAME",
            description = "Instead of --runs: the latest completed run of each variant trained on this dataset's version.")
    String dataset;

    @Option(names = "--version", paramLabel = "K", description = "With --dataset: the dataset version (default: the latest).")
    Integer version;

    @Spec
    CommandSpec spec;

    /** The spark-submit main class of this stage. */
    public static void main(String[] args) {
        System.exit(Fusionpipe.run(new EvalCommand(), args));
    }

    @Override
    public Integer call() {
        if ((runs == null) == (dataset == null)) {
            throw new UsageException("give either --runs ID[,ID...] or --dataset NAME");
        }
        if (onVersion != null && runs == null) {
            throw new UsageException("--on-version goes with --runs (with --dataset use --version)");
        }
        FusionConfig config = options.load();
        EvalSettings settings = EvalSettings.of(config);
        SparkSession spark = SparkSessions.getOrCreate(config, "eval", TrainPipeline.SPARK_CONF);
        FusionRoot root = FusionRoot.of(config);
        var hadoop = spark.sparkContext().hadoopConfiguration();
        List<String> ids = runs != null ? runs : Runs.latestOnDataset(root, hadoop, dataset, version);
        DatasetVersion on = null;
        if (onVersion != null) {
            String name = Runs.read(hadoop, root.run(ids.get(0))).dataset().name();
            on = DatasetVersion.open(root, name, onVersion, hadoop);
        }
        EvalPipeline.Result r = EvalPipeline.evaluate(spark, config, settings, ids, on);
        EvalSummary.print(spec.commandLine().getOut(), r);
        return ExitCodes.OK;
    }

}
