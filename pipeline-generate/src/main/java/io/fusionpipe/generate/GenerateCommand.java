package io.fusionpipe.generate;

import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.Fusionpipe;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.layout.ConfigSnapshot;
import io.fusionpipe.spark.SparkSessions;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;

/** {@code fusionpipe generate}: a synthetic (or given) Pokémon-card dataset in the ordinary input layout. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Render Pokemon cards with captions into DIR/images/ + DIR/manifest.jsonl (the layout ingest reads).",
                "Same seed and options give byte-identical output on any number of partitions."})
public final class GenerateCommand implements FusionCommand {

    @Mixin
    ConfigOptions options;

    @Option(names = "--count", paramLabel = "N", description = "Number of cards (default with --cards: every record).")
    Integer count;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory (local, hdfs://, s3a://).")
    String out;

    @Option(names = "--cards", paramLabel = "FILE.jsonl",
            description = "Render these card records (format of ../shared/data/pokemon-cards) instead of sampling synthetic ones.")
    String cards;

    @Option(names = "--style", paramLabel = "STYLE",
            description = "scan, photo or mixed (default: fusionpipe.generate.style).")
    GenerateSettings.Style style;

    @Option(names = "--strict", description = "Fail on the first malformed --cards line instead of skipping and counting it.")
    boolean strict;

    @Option(names = "--overwrite", description = "Replace a previous generator run in a non-empty --out.")
    boolean overwrite;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (same as --set spark.master=URL).")
    String master;

    @Spec
    CommandSpec spec;

    /** The spark-submit main class of this stage. */
    public static void main(String[] args) {
        System.exit(Fusionpipe.run(new GenerateCommand(), args));
    }

    @Override
    public Integer call() {
        if (master != null) {
            options.set("fusionpipe.spark.master", master);
        }
        FusionConfig config = options.load();
        GenerateSettings settings = GenerateSettings.of(config);
        GenerateSettings.Style chosen = style != null ? style : settings.defaultStyle();
        SparkSession spark = SparkSessions.getOrCreate(config, "generate");
        GeneratePipeline.Summary s = GeneratePipeline.run(spark, settings,
                new GeneratePipeline.Request(out, count, seed, chosen, cards, strict, overwrite));
        ConfigSnapshot.write(spark.sparkContext().hadoopConfiguration(), config, new Path(out));
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "generated %d cards (%d scan, %d photo, %.1f MiB of images) in %.1f s (%.1f cards/s) -> %s/%s%n",
                s.cards(), s.scans(), s.photos(), s.imageBytes() / 1048576.0, s.seconds(), s.cards() / Math.max(1e-9, s.seconds()),
                s.out(), GeneratePipeline.MANIFEST);
        if (s.skippedTotal() > 0) {
            w.printf(Locale.ROOT, "skipped %d malformed --cards records (use --strict to fail instead); first ones:%n", s.skippedTotal());
            s.skippedRecords().stream().limit(5).forEach(m -> w.println("  " + m));
        }
        w.flush();
        return ExitCodes.OK;
    }
}
