package io.fusionpipe.report;

import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.Fusionpipe;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;

/** {@code fusionpipe report EVAL_ID [--against EVAL_ID...]}: one self-contained HTML page and a Markdown summary. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Compare the fusion variants of an evaluation: metrics with intervals and significance, loss curves, field accuracy,",
                "missing-modality drops, a sample gallery, config differences, and the trend across earlier evaluations.",
                "Writes ROOT/reports/<eval-id>/report.html and report.md."})
public final class ReportCommand implements FusionCommand {

    @Mixin
    ConfigOptions options;

    @Parameters(index = "0", paramLabel = "EVAL_ID", description = "The evaluation to report on.")
    String evalId;

    @Option(names = "--against", paramLabel = "EVAL_ID", split = ",",
            description = "Earlier evaluations for the trend (repeatable or comma-separated).")
    List<String> against = List.of();

    @Option(names = "--all", description = "Trend over every evaluation under ROOT/evals of the same dataset name.")
    boolean all;

    @Spec
    CommandSpec spec;

    /** The spark-submit main class of this stage. */
    public static void main(String[] args) {
        System.exit(Fusionpipe.run(new ReportCommand(), args));
    }

    @Override
    public Integer call() {
        FusionConfig config = options.load();
        SparkSession spark = SparkSessions.getOrCreate(config, "report");
        List<String> others = all ? ReportPipeline.sameDataset(spark, config, evalId) : against;
        ReportPipeline.Result r = ReportPipeline.report(spark, config, evalId, others);
        PrintWriter out = spec.commandLine().getOut();
        out.println("report: " + r.html());
        out.println("summary: " + r.markdown());
        out.flush();
        return ExitCodes.OK;
    }
}
