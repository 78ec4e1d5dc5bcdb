package io.fusionpipe.ingest;

import io.fusionpipe.cli.DemoStage;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetSchema;
import io.fusionpipe.dataset.DatasetVersions;
import io.fusionpipe.ingest.source.InputSpec;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.records.DatasetManifest;
import io.fusionpipe.spark.SparkSessions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * The demo's ingest stage: the generated cards become dataset {@value #DATASET}. The latest version
 * is reused when it was made from the same manifest (same path, size and modification time).
 */
public final class IngestDemoStage implements DemoStage {

    public static final String DATASET = "demo-cards";

    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public String run(FusionConfig config, PrintWriter out) throws IOException {
        FusionRoot root = FusionRoot.of(config);
        SparkSession spark = SparkSessions.getOrCreate(config, "demo");
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path cards = new Path(new Path(root.demo(), "cards"), "manifest.jsonl");
        DatasetVersions versions = new DatasetVersions(root.dataset(DATASET), hadoop);
        OptionalInt latest = versions.latest();
        if (latest.isPresent() && sameInput(hadoop, new Path(versions.version(latest.getAsInt()), DatasetSchema.MANIFEST), cards)) {
            return "reusing " + versions.version(latest.getAsInt()) + " (made from the same generated cards)";
        }
        out.println("  ingesting " + cards + " ...");
        out.flush();
        IngestSettings settings = IngestSettings.of(config);
        IngestPipeline.Result r = IngestPipeline.run(spark, config, settings, new IngestPipeline.Request(DATASET,
                List.of(InputSpec.resolve(cards.getParent().toString(), "auto", "demo-cards", hadoop))));
        return String.format(Locale.ROOT, "published %s: %d samples %s, %d rejected %s", r.path(), r.samples(), r.samplesBySplit(),
                r.rowsRejected(), r.rejectsByReason());
    }

    private static boolean sameInput(Configuration hadoop, Path manifest, Path input) throws IOException {
        if (!input.getFileSystem(hadoop).exists(input)) {
            return false;
        }
        FileStatus st = input.getFileSystem(hadoop).getFileStatus(input);
        List<DatasetManifest.Input> inputs = DatasetManifest.fromJson(HadoopFiles.readString(hadoop, manifest), manifest.toString()).inputs();
        return inputs.size() == 1 && inputs.get(0).path().equals(st.getPath().toString())
                && inputs.get(0).bytes() != null && inputs.get(0).bytes() == st.getLen() && inputs.get(0).modified() == st.getModificationTime();
    }
}
