package io.fusionpipe.export;

import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.spark.SparkSessions;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/** {@code fusionpipe export}: a dataset version as WebDataset tars or a Hugging Face Parquet dataset. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a published dataset version as WebDataset tar shards or a Hugging Face Parquet dataset (with its card).")
public final class ExportCommand implements FusionCommand {

    @Mixin
    ConfigOptions options;

    @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "The dataset.")
    String dataset;

    @Option(names = "--version", paramLabel = "K", description = "Its version (default: the latest).")
    Integer version;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "webdataset or hf.")
    String format;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "A new directory (any Hadoop file system).")
    String out;

    @Option(names = "--samples-per-shard", paramLabel = "N", defaultValue = "1000", description = "Samples per tar or Parquet file (default 1000).")
    int samplesPerShard;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        FusionConfig config = options.load();
        ExportPipeline.Format f = ExportPipeline.Format.parse(format);
        SparkSession spark = SparkSessions.getOrCreate(config, "export");
        DatasetVersion ds = DatasetVersion.open(FusionRoot.of(config), dataset, version, spark.sparkContext().hadoopConfiguration());
        ExportPipeline.Result r = ExportPipeline.export(spark, ds, f, new Path(out), samplesPerShard);
        PrintWriter w = spec.commandLine().getOut();
        w.printf("exported %s v%d as %s: %s samples in %s files per split -> %s%n", ds.name(), ds.version(), format, r.samplesBySplit(),
                r.filesBySplit(), r.out());
        w.flush();
        return ExitCodes.OK;
    }
}
