package io.fusionpipe.eval;

import io.fusionpipe.cli.DemoStage;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.records.EvalRecord;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.train.TrainPipeline;
import io.fusionpipe.train.Runs;
import io.fusionpipe.train.TrainDemoStage;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The demo's eval stage: scores the newest run of each variant on the demo dataset. An evaluation
 * of exactly those runs is reused.
 */
public final class EvalDemoStage implements DemoStage {

    @Override
    public String name() {
        return "eval";
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
        List<String> runs = Runs.latestOnDataset(root, hadoop, TrainDemoStage.DATASET, null);
        EvalRecord metrics = existing(root, hadoop, runs);
        if (metrics != null) {
            out.println("  reusing eval " + metrics.evalId() + " of runs " + runs);
        } else {
            out.println("  decoding and scoring " + runs.size() + " runs ...");
            out.flush();
            EvalPipeline.Result r = EvalPipeline.evaluate(spark, config, EvalSettings.of(config), runs);
            EvalSummary.print(out, r);
            metrics = r.metrics();
        }
        String primary = metrics.primaryMetric();
        List<String> parts = new ArrayList<>();
        metrics.variants().forEach((label, v) -> parts.add(label + " " + EvalSummary.format(v.metrics().get(primary))));
        return primary + ": " + String.join(", ", parts) + " -> " + root.eval(metrics.evalId());
    }

    /** Every evaluation of the demo dataset, oldest first; the stages after eval fail when there is none. */
    public static List<EvalRecord> evaluations(FusionRoot root, Configuration hadoop) {
        List<EvalRecord> evals = Evals.ofDataset(root, hadoop, TrainDemoStage.DATASET);
        if (evals.isEmpty()) {
            throw new IllegalStateException("no evaluation of " + TrainDemoStage.DATASET + " under " + root.evals() + " (the eval stage runs first)");
        }
        return evals;
    }

    /** metrics.json of the newest earlier evaluation of exactly these runs, or null. */
    private static EvalRecord existing(FusionRoot root, Configuration hadoop, List<String> runs) {
        EvalRecord newest = null;
        for (EvalRecord metrics : Evals.list(root, hadoop)) {
            if (new HashSet<>(metrics.runIds()).equals(new HashSet<>(runs))) {
                newest = metrics;
            }
        }
        return newest;
    }
}
