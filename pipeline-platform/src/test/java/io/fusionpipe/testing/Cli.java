package io.fusionpipe.testing;

import io.fusionpipe.cli.Fusionpipe;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code fusionpipe ARGS} in-process, as the launcher would, capturing output and exit code. */
public final class Cli {

    private Cli() {
    }

    /** Exit code, standard output and standard error of one command. */
    public record Run(int code, String out, String err) {
    }

    public static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Fusionpipe.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }
}
