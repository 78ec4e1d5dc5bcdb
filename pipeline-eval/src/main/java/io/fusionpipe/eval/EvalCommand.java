package io.fusionpipe.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.Fusionpipe;
import io.fusionpipe.cli.UsageException;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.eval.metrics.CaptionScorer;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.train.Runs;
import io.fusionpipe.train.TrainCommand;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

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
        SparkSession spark = SparkSessions.getOrCreate(config, "eval", TrainCommand.SPARK_CONF);
        FusionRoot root = FusionRoot.of(config);
        var hadoop = spark.sparkContext().hadoopConfiguration();
        List<String> ids = runs != null ? runs : latestRuns(root, hadoop, dataset, version);
        DatasetVersion on = null;
        if (onVersion != null) {
            String name = io.fusionpipe.train.Runs.read(hadoop, root.run(ids.get(0))).path("dataset").path("name").asText();
            on = DatasetVersion.open(root, name, onVersion, hadoop);
        }
        EvalPipeline.Result r = EvalPipeline.evaluate(spark, config, settings, ids, on);
        print(spec.commandLine().getOut(), r);
        return ExitCodes.OK;
    }

    /** The newest completed run per variant on dataset {@code name} (version {@code version}, default the latest). */
    public static List<String> latestRuns(FusionRoot root, Configuration hadoop, String name, Integer version) {
        DatasetVersion ds = DatasetVersion.open(root, name, version, hadoop);
        List<String> ids = Runs.latestPerVariant(root, hadoop, ds).values().stream().map(Runs.Run::id).toList();
        if (ids.isEmpty()) {
            throw new UsageException("no completed run on dataset " + name + " v" + ds.version() + " under " + root.runs()
                    + " (run: fusionpipe train --dataset " + name + ")");
        }
        return ids;
    }

    static void print(PrintWriter out, EvalPipeline.Result r) {
        JsonNode m = r.metrics();
        String primary = m.path("primary_metric").asText();
        out.printf(Locale.ROOT, "eval %s: %d images of %s v%d (%s split)%n", r.evalId(), m.path("dataset").path("images").asInt(),
                m.path("dataset").path("name").asText(), m.path("dataset").path("version").asInt(), m.path("dataset").path("split").asText());
        out.printf(Locale.ROOT, "%-14s %10s", "variant", "params");
        for (String metric : CaptionScorer.METRICS) {
            out.printf(Locale.ROOT, " %24s", metric.equals(primary) ? metric + " *" : metric);
        }
        out.printf(Locale.ROOT, " %8s %8s %8s%n", "type", "stage", "hp");
        m.path("variants").fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            out.printf(Locale.ROOT, "%-14s %,10d", e.getKey(), v.path("parameters").asLong());
            for (String metric : CaptionScorer.METRICS) {
                JsonNode x = v.path("metrics").path(metric);
                out.printf(Locale.ROOT, " %24s", x.has("lo")
                        ? String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", x.path("value").asDouble(), x.path("lo").asDouble(), x.path("hi").asDouble())
                        : String.format(Locale.ROOT, "%.3f", x.path("value").asDouble()));
            }
            for (String f : List.of("types", "stage", "hp")) {
                JsonNode x = v.path("fields").path(f);
                out.printf(Locale.ROOT, " %8s", x.isMissingNode() ? "-" : String.format(Locale.ROOT, "%.3f", x.path("value").asDouble()));
            }
            out.println();
        });
        out.println("-> " + r.dir());
        out.flush();
    }
}
