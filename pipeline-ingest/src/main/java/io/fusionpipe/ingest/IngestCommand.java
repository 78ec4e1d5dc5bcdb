package io.fusionpipe.ingest;

import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.Fusionpipe;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.ingest.source.InputSpec;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code fusionpipe ingest}: image/caption inputs to a validated, deduplicated, published dataset version. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Read image/caption pairs (JSONL/CSV/Parquet manifests, COCO captions, WebDataset tars, generator output),",
                "validate, deduplicate, resize, tokenize and split them, and publish ROOT/datasets/NAME/v<k>/."})
public final class IngestCommand implements FusionCommand {

    @Mixin
    ConfigOptions options;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Dataset name (letters, digits, . _ -).")
    String name;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "An input file or folder; repeatable (each is a source).")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT", description = "jsonl, csv, parquet, coco or webdataset (default: inferred per input).")
    String format;

    @Option(names = "--mode", paramLabel = "MODE", description = "overwrite or append (default: fusionpipe.ingest.mode).")
    String mode;

    @Spec
    CommandSpec spec;

    /** The spark-submit main class of this stage. */
    public static void main(String[] args) {
        System.exit(Fusionpipe.run(new IngestCommand(), args));
    }

    @Override
    public Integer call() {
        if (format != null) {
            options.set("fusionpipe.ingest.format", format);
        }
        if (mode != null) {
            options.set("fusionpipe.ingest.mode", mode);
        }
        FusionConfig config = options.load();
        IngestSettings settings = IngestSettings.of(config);
        FusionRoot.checkName("dataset name", name); // before Spark starts
        SparkSession spark = SparkSessions.getOrCreate(config, "ingest");
        IngestPipeline.Result r = IngestPipeline.run(spark, config, settings, new IngestPipeline.Request(name, InputSpec.resolveAll(inputs, settings.format(), spark.sparkContext().hadoopConfiguration())));
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "published %s (v%d): %d samples %s from %d input rows; %d rows written, %d rejected%n",
                r.path(), r.version(), r.samples(), r.samplesBySplit(), r.rowsIn(), r.rowsWritten(), r.rowsRejected());
        out.println("committed: " + r.marker());
        if (!r.rejectsByReason().isEmpty()) {
            out.println("rejects by reason: " + r.rejectsByReason() + " (details in " + r.path() + "/_rejects)");
        }
        out.printf(Locale.ROOT, "vocabulary: %d tokens, hash %s%n", r.vocabSize(), r.vocabHash().substring(0, 16));
        out.flush();
        return ExitCodes.OK;
    }
}
