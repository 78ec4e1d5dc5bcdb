package io.fusionpipe.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fusionpipe.cli.DemoStage;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.layout.HadoopFiles;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.train.model.Variant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The demo's train stage: each variant of {@code fusionpipe.train.variants} trains for
 * {@code fusionpipe.demo.epochs} on the demo dataset's latest version. A completed run of the same
 * variant, dataset version and epoch count is reused.
 */
public final class TrainDemoStage implements DemoStage {

    /** The dataset the demo's ingest stage publishes. */
    public static final String DATASET = "demo-cards";

    @Override
    public String name() {
        return "train";
    }

    @Override
    public java.util.Map<String, String> sparkConf() {
        return TrainCommand.SPARK_CONF;
    }

    @Override
    public String run(FusionConfig config, PrintWriter out) throws IOException {
        FusionRoot root = FusionRoot.of(config);
        SparkSession spark = SparkSessions.getOrCreate(config, "demo", TrainCommand.SPARK_CONF);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        DatasetVersion ds = DatasetVersion.open(root, DATASET, null, hadoop);
        int epochs = config.config().getInt("fusionpipe.demo.epochs");
        TrainSettings s = TrainSettings.of(config).withEpochs(epochs);
        List<String> results = new ArrayList<>();
        for (Variant v : s.variants()) {
            Optional<String> done = completedRun(root, hadoop, ds, v, epochs);
            if (done.isPresent()) {
                out.println("  " + v.id() + ": reusing run " + done.get());
                results.add(v.id() + " (reused)");
                continue;
            }
            out.printf(Locale.ROOT, "  %s: training %d epochs on %s v%d (progress on stderr) ...%n", v.id(), epochs, ds.name(), ds.version());
            out.flush();
            TrainPipeline.Result r = TrainPipeline.train(spark, config, s, ds, v);
            out.printf(Locale.ROOT, "  %s: best val loss %.2f per caption, %,d parameters -> %s%n", v.id(), r.bestValLoss(), r.parameters(),
                    r.runId());
            results.add(String.format(Locale.ROOT, "%s %.2f", v.id(), r.bestValLoss()));
        }
        return "trained " + String.join(", ", results);
    }

    /** The newest completed run of {@code v} on this dataset version with {@code epochs} epochs, if any. */
    static Optional<String> completedRun(FusionRoot root, Configuration hadoop, DatasetVersion ds, Variant v, int epochs) throws IOException {
        Path runs = root.runs();
        if (!runs.getFileSystem(hadoop).exists(runs)) {
            return Optional.empty();
        }
        String best = null;
        ObjectMapper json = new ObjectMapper();
        for (FileStatus st : runs.getFileSystem(hadoop).listStatus(runs)) {
            Path runJson = new Path(st.getPath(), "run.json");
            if (!st.isDirectory() || !runJson.getFileSystem(hadoop).exists(runJson)) {
                continue;
            }
            JsonNode run = json.readTree(HadoopFiles.readString(hadoop, runJson));
            if (run.path("status").asText().equals("completed") && run.path("variant").asText().equals(v.id())
                    && run.path("epochs").asInt() == epochs && run.path("dataset").path("name").asText().equals(ds.name())
                    && run.path("dataset").path("version").asInt() == ds.version()
                    && run.path("vocab_hash").asText().equals(ds.vocabulary().hash())
                    && (best == null || st.getPath().getName().compareTo(best) > 0)) {
                best = st.getPath().getName();
            }
        }
        return Optional.ofNullable(best);
    }
}
