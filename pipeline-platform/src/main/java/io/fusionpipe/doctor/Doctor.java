package io.fusionpipe.doctor;

import io.fusionpipe.config.FusionConfig;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/** Runs every registered {@link DoctorCheck} and prints one line per check. */
public final class Doctor {

    private Doctor() {
    }

    public static List<DoctorCheck> checks() {
        List<DoctorCheck> out = new ArrayList<>();
        ServiceLoader.load(DoctorCheck.class).forEach(out::add);
        out.sort(Comparator.comparingInt(DoctorCheck::order).thenComparing(DoctorCheck::name));
        return out;
    }

    /** Runs the checks, printing as it goes; returns name to result, in order. */
    public static Map<String, CheckResult> run(FusionConfig config, List<DoctorCheck> checks, PrintWriter out) {
        Map<String, CheckResult> results = new LinkedHashMap<>();
        for (DoctorCheck check : checks) {
            CheckResult r;
            try {
                r = check.run(config);
            } catch (Exception | LinkageError e) {
                r = CheckResult.fail("check threw " + e, "see the log above; run with --set fusionpipe.spark.log-level=DEBUG for details");
            }
            results.put(check.name(), r);
            out.printf(Locale.ROOT, "  [%-4s] %-10s %s%n", r.status() == CheckResult.Status.OK ? "ok" : r.status().name(),
                    check.name(), r.detail());
            if (!r.fix().isEmpty()) {
                out.printf(Locale.ROOT, "  %6s %-10s fix: %s%n", "", "", r.fix());
            }
            out.flush();
        }
        return results;
    }

    public static boolean anyFailed(Map<String, CheckResult> results) {
        return results.values().stream().anyMatch(r -> r.status() == CheckResult.Status.FAIL);
    }
}
