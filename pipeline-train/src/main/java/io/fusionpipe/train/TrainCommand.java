package io.fusionpipe.train;

import io.fusionpipe.records.EpochMetrics;
import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.UsageException;
import io.fusionpipe.cli.Fusionpipe;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.train.model.Variant;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;

/** {@code fusionpipe train}: fit fusion variants on a dataset version with DL4J on Spark. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train the fusion variants (early, intermediate, late) on a dataset version with DL4J's Spark trainer",
                "(gradient sharing by default); each variant gets a run directory ROOT/runs/<run-id>/."})
public final class TrainCommand implements FusionCommand {

    @Mixin
    ConfigOptions options;

    @Option(names = "--dataset", paramLabel = "NAME", description = "Dataset name (under ROOT/datasets); not with --resume.")
    String dataset;

    @Option(names = "--resume", paramLabel = "RUN_ID", description = "Continue this run from its last checkpoint up to --epochs.")
    String resume;

    @Option(names = "--init-from", paramLabel = "RUN_ID", description = "Start from this earlier run's best model (same vocabulary and image size).")
    String initFrom;

    @Option(names = "--version", paramLabel = "K", description = "Dataset version (default: the latest).")
    Integer version;

    @Option(names = "--variants", paramLabel = "LIST", description = "Comma-separated variants (default: fusionpipe.train.variants).")
    String variants;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: fusionpipe.train.epochs).")
    Integer epochs;

    @Option(names = "--seeds", paramLabel = "N", description = {"Runs per variant with seeds seed, seed+1, ... (default: fusionpipe.train.seeds);",
            "eval and report show each variant's mean and spread over them."})
    Integer seeds;

    @Spec
    CommandSpec spec;

    /** The spark-submit main class of this stage. */
    public static void main(String[] args) {
        System.exit(Fusionpipe.run(new TrainCommand(), args));
    }

    @Override
    public Integer call() {
        if (variants != null) {
            options.set("fusionpipe.train.variants", "[" + variants + "]");
        }
        if (epochs != null) {
            options.set("fusionpipe.train.epochs", Integer.toString(epochs));
        }
        if (seeds != null) {
            options.set("fusionpipe.train.seeds", Integer.toString(seeds));
        }
        FusionConfig config = options.load();
        TrainSettings settings = TrainSettings.of(config);
        if ((resume == null) == (dataset == null)) {
            throw new UsageException("give either --dataset NAME (a new run) or --resume RUN_ID");
        }
        if (settings.seeds() > 1 && (resume != null || initFrom != null)) {
            throw new UsageException("--seeds " + settings.seeds() + " starts new runs from random weights: not with --resume or --init-from");
        }
        SparkSession spark = SparkSessions.getOrCreate(config, "train", TrainPipeline.SPARK_CONF);
        PrintWriter out = spec.commandLine().getOut();
        if (resume != null) {
            report(out, TrainPipeline.resume(spark, config, settings, resume));
            return ExitCodes.OK;
        }
        DatasetVersion ds = DatasetVersion.open(FusionRoot.of(config), dataset, version, spark.sparkContext().hadoopConfiguration());
        if (initFrom != null) {
            report(out, TrainPipeline.initFrom(spark, config, settings, ds, initFrom));
            return ExitCodes.OK;
        }
        // seed by seed, so an interrupted command leaves whole comparisons of the variants behind
        for (int i = 0; i < settings.seeds(); i++) {
            FusionConfig seeded = settings.seeds() == 1 ? config : config.with("fusionpipe.train.seed", settings.seed() + i);
            if (settings.seeds() > 1) {
                out.printf(Locale.ROOT, "seed %d (%d of %d):%n", settings.seed() + i, i + 1, settings.seeds());
            }
            for (Variant v : settings.variants()) {
                report(out, TrainPipeline.train(spark, seeded, TrainSettings.of(seeded), ds, v));
            }
        }
        return ExitCodes.OK;
    }

    private static void report(PrintWriter out, TrainPipeline.Result r) {
        if (r.epochs().isEmpty()) {
            out.println(r.variant().id() + ": nothing to train (already at the requested epochs) -> " + r.runDir());
        } else {
            EpochMetrics last = r.epochs().get(r.epochs().size() - 1);
            out.printf(Locale.ROOT, "%-12s %,9d params  val loss %.4f (best %.4f)  %.1f samples/s  -> %s%n", r.variant().id(), r.parameters(),
                    last.valLoss(), r.bestValLoss(), last.samplesPerSecond(), r.runDir());
        }
        out.flush();
    }
}
