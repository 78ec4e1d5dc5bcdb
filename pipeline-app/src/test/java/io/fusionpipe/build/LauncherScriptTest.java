package io.fusionpipe.build;

import io.fusionpipe.testing.TestRoots;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/fusionpipe as a user runs it: a separate JVM on the assembled classpath, with the JVM flags
 * from the build, conf/application.conf as the base config and the documented exit codes.
 * Lives in the last module so every module is compiled when it runs (FUSIONPIPE_NO_BUILD=1).
 */
class LauncherScriptTest {

    record Result(int code, String out, String err) {
    }

    static Result launch(String... args) throws IOException, InterruptedException {
        Path project = TestRoots.projectDir();
        Path workDir = TestRoots.newRoot("launcher-script");
        List<String> cmd = new ArrayList<>();
        cmd.add(project.resolve("bin/fusionpipe").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().put("FUSIONPIPE_NO_BUILD", "1");
        pb.environment().put("FUSIONPIPE_HEAP", "1g");
        pb.environment().remove("JAVA_OPTS");
        Path out = workDir.resolve("stdout.txt");
        Path err = workDir.resolve("stderr.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/fusionpipe " + String.join(" ", args) + " did not finish in 180 s");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void configShowUsesApplicationConfAndDashDOverrides() throws Exception {
        Result r = launch("config", "show", "-Dfusionpipe.spark.shuffle-partitions=9");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("conf/application.conf"), "base config named in the header:\n" + r.out());
        assertTrue(r.out().contains("shuffle-partitions=9"), r.out());
    }

    @Test
    void usageAndConfigErrorsExitTwo() throws Exception {
        assertEquals(2, launch("no-such-command").code());
        Result r = launch("config", "show", "--set", "spark.mastr=local[1]");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("closest valid key: fusionpipe.spark.master"), r.err());
    }

    @Test
    void failedDoctorExitsOneWithAFix() throws Exception {
        // No disk has an exabyte free: the disk check fails, and doctor says how to fix it.
        Result r = launch("doctor", "--set", "doctor.min-free-disk=1000000000G", "--set", "doctor.spark-start-timeout=60s");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("[FAIL] disk") && r.out().contains("fix:"), r.out());
        assertTrue(r.out().contains("[ok  ] jvm-flags"), "the launcher passes the JVM flags:\n" + r.out());
        assertTrue(r.out().contains("nd4j") && r.out().contains("spark"), r.out());
    }
}
