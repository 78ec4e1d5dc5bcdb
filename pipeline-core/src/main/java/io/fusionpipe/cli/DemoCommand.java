package io.fusionpipe.cli;

import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.doctor.CheckResult;
import io.fusionpipe.doctor.Doctor;
import io.fusionpipe.layout.JvmEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * {@code fusionpipe demo}: the README's main command. Checks the machine, then runs the pipeline's
 * stages on embedded Spark, saying plainly which stages are not built yet.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Check the machine, then generate, ingest, train, evaluate and report on embedded Spark.")
public final class DemoCommand implements FusionCommand {

    /** The demo's stages in order, with the issue that builds each. */
    static final Map<String, String> STAGES = new LinkedHashMap<>();

    static {
        STAGES.put("generate", "synthetic Pokemon-card generator (issue #3)");
        STAGES.put("ingest", "ingest to Parquet shards (issue #4)");
        STAGES.put("train", "fusion model zoo and distributed trainer (issue #5)");
        STAGES.put("eval", "evaluation (issue #6)");
        STAGES.put("report", "reports and champion registry (issue #7)");
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
        out.println("fusionpipe demo: root " + config.config().getString("fusionpipe.root"));
        out.printf("[1/%d] doctor%n", STAGES.size() + 1);
        Map<String, CheckResult> results = Doctor.run(config, Doctor.checks(), out);
        if (Doctor.anyFailed(results)) {
            out.println("demo stopped: the machine is not ready (see fix: lines above)");
            out.flush();
            return ExitCodes.FAILURE;
        }
        Map<String, DemoStage> built = new LinkedHashMap<>();
        ServiceLoader.load(DemoStage.class).forEach(s -> built.put(s.name(), s));
        java.util.Set<String> commands = new java.util.HashSet<>();
        Fusionpipe.discover().forEach(c -> commands.add(new picocli.CommandLine(c).getCommandName()));
        Map<String, String> sparkConf = new LinkedHashMap<>();
        built.values().forEach(s -> sparkConf.putAll(s.sparkConf()));
        io.fusionpipe.spark.SparkSessions.getOrCreate(config, "demo", sparkConf);
        int step = 2;
        int missing = 0;
        for (Map.Entry<String, String> stage : STAGES.entrySet()) {
            DemoStage s = built.get(stage.getKey());
            out.printf("[%d/%d] %s%n", step++, STAGES.size() + 1, stage.getKey());
            out.flush();
            if (s == null) {
                missing++;
                out.println(commands.contains(stage.getKey())
                        ? "  NOT IN THE DEMO YET: `fusionpipe " + stage.getKey() + "` exists but is unfinished: " + stage.getValue()
                        : "  NOT BUILT YET: " + stage.getValue());
                continue;
            }
            if (missing > 0) {
                out.println("  skipped: an earlier stage is not built yet");
                continue;
            }
            try {
                long t0 = System.nanoTime();
                String result = s.run(config, out);
                out.printf(java.util.Locale.ROOT, "  %s (%.1f s)%n", result, (System.nanoTime() - t0) / 1e9);
            } catch (Exception e) {
                throw new IllegalStateException("demo stage " + stage.getKey() + " failed: " + e.getMessage(), e);
            }
            out.flush();
        }
        out.println(missing == 0 ? "demo: done"
                : "demo: " + missing + " of " + STAGES.size() + " stages are not in the demo yet; the others ran");
        out.flush();
        return ExitCodes.OK;
    }
}
