package io.fusionpipe.quality;

import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.UsageException;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.eval.EvalPipeline;
import io.fusionpipe.eval.EvalSettings;
import io.fusionpipe.generate.GeneratePipeline;
import io.fusionpipe.generate.GenerateSettings;
import io.fusionpipe.ingest.IngestPipeline;
import io.fusionpipe.ingest.IngestSettings;
import io.fusionpipe.ingest.source.InputSpec;
import io.fusionpipe.json.Json;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.JvmEnvironment;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.train.TrainPipeline;
import io.fusionpipe.train.TrainSettings;
import io.fusionpipe.train.model.Variant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code fusionpipe quality-bench}: how well the fusion variants read generated cards, measured the
 * way the issue tracker states its targets. Generates a card set, ingests it split by card id and
 * split by species (a species' cards all in one split, so the test names were never seen in
 * training), trains every variant and the text-only baseline under several seeds, evaluates each
 * split, and prints one table and one JSON line. A benchmark, not a test: nothing is asserted.
 */
@Command(name = "quality-bench", mixinStandardHelpOptions = true,
        description = {"Generate cards, ingest them split by id and by species, train the variants and the text-only baseline",
                "over several seeds, evaluate, and print per-field accuracy with majority baselines, CIDEr, seed spread and",
                "the image-blanked drop as a table and JSON. Cards are reused when already generated under ROOT/quality/."})
public final class QualityBenchCommand implements FusionCommand {

    /** The splits the benchmark knows: name -> ingest.split.group-key. */
    static final Map<String, String> SPLITS = Map.of("id", "id", "species", "name");

    @Mixin
    ConfigOptions options;

    @Option(names = "--cards", paramLabel = "N", defaultValue = "1000", description = "Cards to generate (default ${DEFAULT-VALUE}).")
    int cards;

    @Option(names = "--style", paramLabel = "S", defaultValue = "mixed", description = "scan, photo or mixed (default ${DEFAULT-VALUE}).")
    String style;

    @Option(names = "--card-seed", paramLabel = "S", defaultValue = "42", description = "Seed of the generated cards (default ${DEFAULT-VALUE}).")
    long cardSeed;

    @Option(names = "--seeds", paramLabel = "N", defaultValue = "3", description = "Training seeds per model (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "2", description = "Epochs per run (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--variants", paramLabel = "LIST", defaultValue = "early,intermediate,late",
            description = "Fusion variants, each also against the text-only baseline (default ${DEFAULT-VALUE}).")
    String variants;

    @Option(names = "--splits", paramLabel = "LIST", defaultValue = "id,species", description = "id and/or species (default ${DEFAULT-VALUE}).")
    String splits;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        List<String> splitNames = List.of(splits.split(","));
        for (String s : splitNames) {
            if (!SPLITS.containsKey(s.trim())) {
                throw new UsageException("--splits: unknown split '" + s + "' (known: id, species)");
            }
        }
        if (cards < 20 || seeds < 1 || epochs < 1) {
            throw new UsageException("--cards must be at least 20, --seeds and --epochs at least 1");
        }
        GenerateSettings.Style cardStyle;
        try {
            cardStyle = GenerateSettings.Style.valueOf(style.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--style: expected scan, photo or mixed, not '" + style + "'");
        }
        List<Variant> models = new ArrayList<>();
        for (String v : variants.split(",")) {
            models.add(Variant.parse(v));
        }
        FusionConfig config = options.load();
        JvmEnvironment.of(config).apply();
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        SparkSession spark = SparkSessions.getOrCreate(config, "quality-bench", TrainPipeline.SPARK_CONF);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        FusionRoot root = FusionRoot.of(config);

        Path cardsDir = new Path(root.quality(),
                String.format(Locale.ROOT, "cards-%d-%s-%d", cards, cardStyle.name().toLowerCase(Locale.ROOT), cardSeed));
        if (GeneratePipeline.isGenerated(hadoop, cardsDir, cards, cardSeed, cardStyle)) {
            out.println("reusing " + cards + " cards in " + cardsDir);
        } else {
            out.println("generating " + cards + " cards into " + cardsDir + " ...");
            out.flush();
            GeneratePipeline.run(spark, GenerateSettings.of(config),
                    new GeneratePipeline.Request(cardsDir.toString(), cards, cardSeed, cardStyle, null, false, true));
        }
        List<QualityTable.Split> results = new ArrayList<>();
        for (String split : splitNames) {
            results.add(split(spark, config, split.trim(), cardsDir, hadoop, models, out));
        }
        out.println();
        out.print(QualityTable.text(results));
        var json = QualityTable.json(results);
        json.put("cards", cards).put("style", cardStyle.name().toLowerCase(Locale.ROOT)).put("card_seed", cardSeed).put("seeds", seeds)
                .put("epochs", epochs).put("seconds", Math.round((System.nanoTime() - t0) / 1e9));
        out.println(Json.compact(json));
        out.flush();
        return ExitCodes.OK;
    }

    /** Ingests the cards with the split's group key, trains every model under every seed, evaluates them together. */
    private QualityTable.Split split(SparkSession spark, FusionConfig base, String split, Path cardsDir, Configuration hadoop,
                                     List<Variant> models, PrintWriter out) {
        String dataset = "quality-" + split;
        FusionConfig config = options.loadWith("ingest.split.group-key=" + SPLITS.get(split));
        out.println("[" + split + "] ingesting " + dataset + " (split by " + SPLITS.get(split) + ") ...");
        out.flush();
        IngestPipeline.Result ingested = IngestPipeline.run(spark, config, IngestSettings.of(config), new IngestPipeline.Request(dataset,
                List.of(InputSpec.resolve(cardsDir.toString(), "auto", dataset, hadoop))));
        DatasetVersion ds = DatasetVersion.open(FusionRoot.of(base), dataset, ingested.version(), hadoop);
        Map<String, List<String>> runs = new LinkedHashMap<>();
        long trainSeed = TrainSettings.of(base).seed();
        for (int i = 0; i < seeds; i++) {
            for (Variant v : models) {
                train(spark, ds, v.id(), v, out, runs, "train.seed=" + (trainSeed + i), "train.epochs=" + epochs);
            }
            // the text-only baseline: late fusion's text branch alone (its image branch weighted 0)
            train(spark, ds, QualityTable.TEXT_ONLY, Variant.LATE, out, runs, "train.seed=" + (trainSeed + i), "train.epochs=" + epochs,
                    "train.model.late-image-weight=0");
        }
        List<String> ids = runs.values().stream().flatMap(List::stream).toList();
        out.println("[" + split + "] evaluating " + ids.size() + " runs ...");
        out.flush();
        EvalSettings evalSettings = EvalSettings.of(base);
        EvalPipeline.Result eval = EvalPipeline.evaluate(spark, base, evalSettings, ids, ds);
        return QualityTable.of(split, eval.metrics(), runs, evalSettings.significance());
    }

    private void train(SparkSession spark, DatasetVersion ds, String model, Variant variant, PrintWriter out, Map<String, List<String>> runs,
                       String... sets) {
        FusionConfig config = options.loadWith(sets);
        TrainPipeline.Result r = TrainPipeline.train(spark, config, TrainSettings.of(config), ds, variant);
        out.printf(Locale.ROOT, "  %-13s %s  best val loss %.3f -> %s%n", model, String.join(" ", sets), r.bestValLoss(), r.runId());
        out.flush();
        runs.computeIfAbsent(model, k -> new ArrayList<>()).add(r.runId());
    }
}
