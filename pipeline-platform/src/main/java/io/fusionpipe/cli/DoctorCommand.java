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
import java.util.Map;

/** {@code fusionpipe doctor}: is this machine ready to run Fusionpipe? */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check Java, JVM flags, disk under the root, Spark and the ND4J backend.",
                "Exits 1 with a fix hint when something is wrong."})
public final class DoctorCommand implements FusionCommand {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        FusionConfig config = options.load();
        JvmEnvironment.of(config).apply();
        PrintWriter out = spec.commandLine().getOut();
        out.println("fusionpipe doctor");
        Map<String, CheckResult> results = Doctor.run(config, Doctor.checks(), out);
        boolean failed = Doctor.anyFailed(results);
        out.println(failed ? "doctor: something needs fixing (see fix: lines above)" : "doctor: ready");
        out.flush();
        return failed ? ExitCodes.FAILURE : ExitCodes.OK;
    }
}
