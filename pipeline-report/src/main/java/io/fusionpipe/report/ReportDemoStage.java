package io.fusionpipe.report;

import io.fusionpipe.cli.DemoStage;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.eval.EvalDemoStage;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.records.EvalRecord;
import io.fusionpipe.spark.SparkSessions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/**
 * The demo's report stage: the newest evaluation of the demo dataset, with every earlier one for the
 * trend, after the promote stage decided on it. A report newer than the evaluation is reused.
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
        List<EvalRecord> evals = EvalDemoStage.evaluations(root, hadoop);
        String evalId = evals.get(evals.size() - 1).evalId();
        Path html = new Path(new Path(root.reports(), evalId), "report.html");
        Path metrics = new Path(root.eval(evalId), "metrics.json");
        var fs = html.getFileSystem(hadoop);
        if (fs.exists(html) && fs.getFileStatus(html).getModificationTime() >= fs.getFileStatus(metrics).getModificationTime()) {
            out.println("  reusing report of eval " + evalId);
            return "report " + html;
        }
        ReportPipeline.Result r = ReportPipeline.report(spark, config, evalId, evals.stream().map(EvalRecord::evalId).toList());
        return "report " + r.html();
    }
}
