package io.fusionpipe.demo;

import io.fusionpipe.cli.ConfigOptions;
import io.fusionpipe.cli.DemoStage;
import io.fusionpipe.cli.ExitCodes;
import io.fusionpipe.cli.FusionCommand;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.doctor.CheckResult;
import io.fusionpipe.doctor.Doctor;
import io.fusionpipe.eval.EvalDemoStage;
import io.fusionpipe.generate.GenerateDemoStage;
import io.fusionpipe.ingest.IngestDemoStage;
import io.fusionpipe.layout.JvmEnvironment;
import io.fusionpipe.registry.PromoteDemoStage;
import io.fusionpipe.report.ReportDemoStage;
import io.fusionpipe.spark.SparkSessions;
import io.fusionpipe.train.TrainDemoStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code fusionpipe demo}: the README's main command. Checks the machine, then runs every stage on
 * embedded Spark in one session; each stage reuses its previous output when it is still valid.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Check the machine, then generate, ingest, train, evaluate, promote and report on embedded Spark.")
public final class DemoCommand implements FusionCommand {

    /** The demo's stages, in order. */
    static List<DemoStage> stages() {
        return List.of(new GenerateDemoStage(), new IngestDemoStage(), new TrainDemoStage(),
                new EvalDemoStage(), new PromoteDemoStage(), new ReportDemoStage());
    }

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        FusionConfig config = options.load();
        JvmEnvironment.of(config).apply();
        PrintWriter out = spec.commandLine().getOut();
        List<DemoStage> stages = stages();
        int total = stages.size() + 1;
        out.println("fusionpipe demo: root " + config.config().getString("fusionpipe.root"));
        out.printf("[1/%d] doctor%n", total);
        Map<String, CheckResult> results = Doctor.run(config, Doctor.checks(), out);
        if (Doctor.anyFailed(results)) {
            out.println("demo stopped: the machine is not ready (see fix: lines above)");
            out.flush();
            return ExitCodes.FAILURE;
        }
        Map<String, String> sparkConf = new LinkedHashMap<>();
        stages.forEach(s -> sparkConf.putAll(s.sparkConf()));
        SparkSessions.getOrCreate(config, "demo", sparkConf);
        int step = 2;
        for (DemoStage stage : stages) {
            out.printf("[%d/%d] %s%n", step++, total, stage.name());
            out.flush();
            long t0 = System.nanoTime();
            String result;
            try {
                result = stage.run(config, out);
            } catch (Exception e) {
                throw new IllegalStateException("demo stage " + stage.name() + " failed: " + e.getMessage(), e);
            }
            out.printf(Locale.ROOT, "  %s (%.1f s)%n", result, (System.nanoTime() - t0) / 1e9);
            out.flush();
        }
        out.println("demo: done");
        out.flush();
        return ExitCodes.OK;
    }
}
