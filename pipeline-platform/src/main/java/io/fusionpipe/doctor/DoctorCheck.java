package io.fusionpipe.doctor;

import io.fusionpipe.config.FusionConfig;

/**
 * One environment check run by {@code fusionpipe doctor}. Registered in
 * {@code META-INF/services/io.fusionpipe.doctor.DoctorCheck}; modules add their own (the train
 * module checks the ND4J backend).
 */
public interface DoctorCheck {

    String name();

    /** Checks run in ascending order. */
    default int order() {
        return 100;
    }

    CheckResult run(FusionConfig config) throws Exception;
}
