package io.fusionpipe.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.fusionpipe.cli.DemoStage;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.train.TrainCommand;
import io.fusionpipe.train.TrainDemoStage;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

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
        return TrainCommand.SPARK_CONF;
    }

    @Override
    public String run(FusionConfig config, PrintWriter out) throws IOException {
        FusionRoot root = FusionRoot.of(config);
        SparkSession spark = SparkSessions.getOrCreate(config, "demo", TrainCommand.SPARK_CONF);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        List<String> runs = EvalCommand.latestRuns(root, hadoop, TrainDemoStage.DATASET, null);
        JsonNode metrics = existing(root, hadoop, runs);
        if (metrics != null) {
            out.println("  reusing eval " + metrics.path("eval_id").asText() + " of runs " + runs);
        } else {
            out.println("  decoding and scoring " + runs.size() + " runs ...");
            out.flush();
            EvalPipeline.Result r = EvalPipeline.evaluate(spark, config, EvalSettings.of(config), runs);
            EvalCommand.print(out, r);
            metrics = r.metrics();
        }
        String primary = metrics.path("primary_metric").asText();
        List<String> parts = new ArrayList<>();
        metrics.path("variants").fields().forEachRemaining(e -> {
            JsonNode m = e.getValue().path("metrics").path(primary);
            parts.add(String.format(Locale.ROOT, "%s %.3f [%.3f, %.3f]", e.getKey(), m.path("value").asDouble(), m.path("lo").asDouble(),
                    m.path("hi").asDouble()));
        });
        return primary + ": " + String.join(", ", parts) + " -> " + root.eval(metrics.path("eval_id").asText());
    }

    /** metrics.json of the newest earlier evaluation of exactly these runs, or null. */
    private static JsonNode existing(FusionRoot root, Configuration hadoop, List<String> runs) {
        JsonNode newest = null;
        for (JsonNode metrics : Evals.list(root, hadoop)) {
            if (new HashSet<>(Evals.runIds(metrics)).equals(new HashSet<>(runs))) {
                newest = metrics;
            }
        }
        return newest;
    }
}
