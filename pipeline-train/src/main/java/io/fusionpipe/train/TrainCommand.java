package io.fusionpipe.train;

import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.FusionCommand;
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
import java.util.Map;

/** {@code fusionpipe train}: fit fusion variants on a dataset version with DL4J on Spark. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train the fusion variants (early, intermediate, late) on a dataset version with DL4J's Spark trainer",
                "(gradient sharing by default); each variant gets a run directory ROOT/runs/<run-id>/."})
public final class TrainCommand implements FusionCommand {

    /** Spark properties training needs: Kryo with ND4J's registrator. */
    public static final Map<String, String> SPARK_CONF = Map.of(
            "spark.serializer", "org.apache.spark.serializer.KryoSerializer",
            "spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator");

    @Mixin
    ConfigOptions options;

    @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "Dataset name (under ROOT/datasets).")
    String dataset;

    @Option(names = "--version", paramLabel = "K", description = "Dataset version (default: the latest).")
    Integer version;

    @Option(names = "--variants", paramLabel = "LIST", description = "Comma-separated variants (default: fusionpipe.train.variants).")
    String variants;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: fusionpipe.train.epochs).")
    Integer epochs;

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
        FusionConfig config = options.load();
        TrainSettings settings = TrainSettings.of(config);
        SparkSession spark = SparkSessions.getOrCreate(config, "train", SPARK_CONF);
        DatasetVersion ds = DatasetVersion.open(FusionRoot.of(config), dataset, version, spark.sparkContext().hadoopConfiguration());
        PrintWriter out = spec.commandLine().getOut();
        for (Variant v : settings.variants()) {
            TrainPipeline.Result r = TrainPipeline.train(spark, config, settings, ds, v);
            TrainPipeline.EpochMetrics last = r.epochs().get(r.epochs().size() - 1);
            out.printf(Locale.ROOT, "%-12s %,9d params  val loss %.4f (best %.4f)  %.1f samples/s  -> %s%n", v.id(), r.parameters(),
                    last.valLoss(), r.bestValLoss(), last.samplesPerSecond(), r.runDir());
            out.flush();
        }
        return ExitCodes.OK;
    }
}
