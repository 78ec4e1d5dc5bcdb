package io.fusionpipe.storage;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code bin/fusionpipe} as a separate process (no rebuild, no project config), its output in a log file. */
final class FusionpipeProcess {

    final Process process;
    final File log;

    private FusionpipeProcess(Process process, File log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code bin/fusionpipe args --set s...}; the launcher is found from the module directory Surefire runs in. */
    static FusionpipeProcess start(File log, List<String> sets, String... args) throws IOException {
        File home = new File(System.getProperty("user.dir")).getParentFile();
        List<String> cmd = new ArrayList<>();
        cmd.add(new File(home, "bin/fusionpipe").getPath());
        cmd.addAll(List.of(args));
        for (String s : sets) {
            cmd.add("--set");
            cmd.add(s);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log));
        pb.environment().put("FUSIONPIPE_NO_BUILD", "1");
        pb.environment().put("FUSIONPIPE_CONFIG", "none");
        pb.environment().put("FUSIONPIPE_HEAP", "1g");
        return new FusionpipeProcess(pb.start(), log);
    }

    /** Waits for the exit code (fails after {@code seconds}, killing the process). */
    int exit(int seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("still running after " + seconds + " s: " + output());
        }
        return process.exitValue();
    }

    String output() throws IOException {
        return Files.readString(log.toPath());
    }
}
