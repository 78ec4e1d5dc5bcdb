package io.fusionpipe.train;

import io.fusionpipe.cli.DemoStage;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.dataset.DatasetVersion;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.train.model.Variant;
import org.apache.hadoop.conf.Configuration;
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
 * variant, dataset version, epoch count and result-shaping train settings is reused.
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
        return TrainPipeline.SPARK_CONF;
    }

    @Override
    public String run(FusionConfig config, PrintWriter out) throws IOException {
        FusionRoot root = FusionRoot.of(config);
        SparkSession spark = SparkSessions.getOrCreate(config, "demo", TrainPipeline.SPARK_CONF);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        DatasetVersion ds = DatasetVersion.open(root, DATASET, null, hadoop);
        int epochs = config.config().getInt("fusionpipe.demo.epochs");
        TrainSettings s = TrainSettings.of(config).withEpochs(epochs);
        List<String> results = new ArrayList<>();
        for (Variant v : s.variants()) {
            Optional<String> done = completedRun(root, hadoop, ds, v, epochs, config.config());
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
        return "runs: " + String.join(", ", results);
    }

    /**
     * The newest completed run of {@code v} on this dataset version with {@code epochs} epochs that was
     * trained with the same result-shaping settings as {@code current} ({@link Runs#resultSettings}), if any.
     */
    static Optional<String> completedRun(FusionRoot root, Configuration hadoop, DatasetVersion ds, Variant v, int epochs,
                                         com.typesafe.config.Config current) {
        String wanted = Runs.resultSettings(current);
        String found = null;
        for (Runs.Run r : Runs.completed(root, hadoop, ds)) {
            if (r.variant().equals(v.id()) && r.record().epochs() != null && r.record().epochs() == epochs
                    && Runs.resultSettings(hadoop, root.run(r.id())).equals(wanted)) {
                found = r.id();
            }
        }
        return Optional.ofNullable(found);
    }
}
