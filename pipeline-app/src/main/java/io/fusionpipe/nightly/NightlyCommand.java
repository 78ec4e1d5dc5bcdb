package io.fusionpipe.nightly;

import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.cli.Fusionpipe;
import io.fusionpipe.cli.UsageException;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.layout.FusionRoot;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.train.TrainPipeline;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

/** {@code fusionpipe nightly}: what a scheduler runs once a day (see {@link NightlyPipeline}). */
@Command(name = "nightly", mixinStandardHelpOptions = true,
        description = {"Nightly retraining: ingest the inputs in append mode, train every variant from the champion (or its newest run),",
                "evaluate with the champion on the new test split, report, promote. A rerun for the same date continues where",
                "the last attempt stopped; a lock keeps two nightly runs apart. Run log: ROOT/nightly/<date>/nightly.json.",
                "Exit 0: done (promoted or kept); 1: a step failed (or another nightly run holds the lock); 2: bad usage;",
                "3: the challenger is significantly worse than the champion (regression)."})
public final class NightlyCommand implements FusionCommand {

    @Mixin
    ConfigOptions options;

    @Option(names = "--dataset", paramLabel = "NAME", description = "Dataset appended to (default: fusionpipe.nightly.dataset).")
    String dataset;

    @Option(names = "--input", paramLabel = "PATH", description = "Input appended tonight; repeatable (default: fusionpipe.nightly.inputs).")
    List<String> inputs;

    @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "The night (default: today, UTC): one run log per date.")
    String date;

    @Option(names = "--step", paramLabel = "STEP", description = "Run only this step of the night: ingest, train, eval, report or "
            + "promote (earlier steps must have finished for the date; a scheduler runs one task per step). Default: all.")
    String step;

    @Spec
    CommandSpec spec;

    /** The spark-submit main class of the nightly run. */
    public static void main(String[] args) {
        System.exit(Fusionpipe.run(new NightlyCommand(), args));
    }

    @Override
    public Integer call() {
        options.set("fusionpipe.ingest.mode", "append");
        FusionConfig config = options.load();
        var c = config.config();
        String name = dataset != null ? dataset : c.getString("fusionpipe.nightly.dataset");
        if (name.isBlank()) {
            throw new UsageException("no dataset: give --dataset NAME or set fusionpipe.nightly.dataset");
        }
        FusionRoot.checkName("dataset name", name);
        List<String> in = inputs != null ? inputs : c.getStringList("fusionpipe.nightly.inputs");
        if (in.isEmpty()) {
            throw new UsageException("no inputs: give --input PATH (repeatable) or set fusionpipe.nightly.inputs");
        }
        LocalDate night;
        try {
            night = date == null ? LocalDate.now(ZoneOffset.UTC) : LocalDate.parse(date);
        } catch (DateTimeParseException e) {
            throw new UsageException("--date " + date + ": expected YYYY-MM-DD");
        }
        // the request checks --step before Spark starts
        NightlyPipeline.Request request = new NightlyPipeline.Request(night, name, in, c.getInt("fusionpipe.nightly.epochs"), step);
        SparkSession spark = SparkSessions.getOrCreate(config, "nightly", TrainPipeline.SPARK_CONF);
        NightlyPipeline.Result r = NightlyPipeline.run(spark, config, request, spec.commandLine().getOut());
        return r.exitCode();
    }
}
