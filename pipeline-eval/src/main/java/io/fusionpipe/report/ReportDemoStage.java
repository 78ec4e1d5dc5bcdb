package io.fusionpipe.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.fusionpipe.cli.DemoStage;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.eval.Evals;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.registry.PromotePipeline;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.train.TrainDemoStage;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/**
 * The demo's report stage: the newest evaluation of the demo dataset, with every earlier one for the
 * trend; promotes its best variant (first champion, or against a champion evaluated alongside). A
 * report newer than the evaluation is reused.
 */
public final class ReportDemoStage implements DemoStage {

    @Override
    public String name() {
        return "report";
    }

    @Override
    public String run(FusionConfig config, PrintWriter out) throws IOException {
        FusionRoot root = FusionRoot.of(config);
        SparkSession spark = SparkSessions.getOrCreate(config, "demo");
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        List<JsonNode> evals = Evals.ofDataset(root, hadoop, TrainDemoStage.DATASET);
        if (evals.isEmpty()) {
            throw new IllegalStateException("no evaluation of " + TrainDemoStage.DATASET + " under " + root.evals() + " (the eval stage runs first)");
        }
        String evalId = evals.get(evals.size() - 1).path("eval_id").asText();
        Path html = new Path(new Path(root.reports(), evalId), "report.html");
        Path metrics = new Path(root.eval(evalId), "metrics.json");
        var fs = html.getFileSystem(hadoop);
        if (fs.exists(html) && fs.getFileStatus(html).getModificationTime() >= fs.getFileStatus(metrics).getModificationTime()) {
            out.println("  reusing report of eval " + evalId);
            return "report " + html;
        }
        String promotion = "";
        try {
            PromotePipeline.Result r = PromotePipeline.promote(config, hadoop, evalId, null, null);
            promotion = r.model() + " " + r.decision().outcome().id() + "; ";
            out.println("  promote: " + r.decision().outcome().id() + " -> " + r.decision().reason());
        } catch (io.fusionpipe.cli.UsageException e) {
            out.println("  promote skipped: " + e.getMessage());
        }
        ReportPipeline.Result r = ReportPipeline.report(spark, config, evalId, evals.stream().map(n -> n.path("eval_id").asText()).toList());
        return promotion + "report " + r.html();
    }
}
