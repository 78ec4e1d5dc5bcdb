package io.fusionpipe.train.backend;

import io.fusionpipe.BuildInfo;
import io.fusionpipe.config.FusionConfig;
import io.fusionpipe.doctor.CheckResult;
import io.fusionpipe.doctor.DoctorCheck;

/** Doctor check: the ND4J backend loads, computes, and suits this CPU. */
public final class Nd4jCheck implements DoctorCheck {

    @Override
    public String name() {
        return "nd4j";
    }

    @Override
    public int order() {
        return 40;
    }

    @Override
    public CheckResult run(FusionConfig config) {
        Nd4jBackendInfo info;
        try {
            info = Nd4jBackendInfo.load();
        } catch (Throwable e) {
            return CheckResult.fail("ND4J backend " + BuildInfo.get("nd4j.backend") + " did not load: " + e,
                    "an AVX2 build needs an AVX2 CPU: rebuild with -Dnd4j.backend.classifier=linux-x86_64 (generic);"
                            + " for CUDA, the host needs CUDA 11.6 + cuDNN 8");
        }
        if (!info.minimalMet()) {
            return CheckResult.fail(info.describe(), "this CPU lacks the instructions the native binary needs:"
                    + " rebuild with -Dnd4j.backend.classifier=linux-x86_64 (generic)");
        }
        if (!info.optimalMet()) {
            return CheckResult.warn(info.describe(), "a faster native build exists for this CPU, e.g."
                    + " -Dnd4j.backend.classifier=linux-x86_64-avx512 (measured gains are small at demo sizes)");
        }
        return CheckResult.ok(info.describe());
    }
}
