package io.fusionpipe.cli;

import io.fusionpipe.config.ConfigValidationException;
import io.fusionpipe.errors.BadInputException;

/** Exit codes of every Fusionpipe command (what a scheduler reads). */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** The command ran and failed (I/O, Spark, training, a failed doctor check). */
    public static final int FAILURE = 1;
    /** Bad usage or configuration: nothing was started. */
    public static final int USAGE = 2;
    /** promote: the challenger is significantly worse than the champion (nothing else failed). */
    public static final int REGRESSION = 3;

    /** The exit code of a command that threw: the one place exceptions become exit codes. */
    public static int of(Throwable e) {
        return e instanceof BadInputException || e instanceof ConfigValidationException ? USAGE : FAILURE;
    }

    /** What {@code --help} prints about them. */
    public static final String HELP = "Exit codes: 0 ok, 1 runtime failure, 2 usage, configuration or input error"
            + " (nothing was started), 3 promote found a significant regression.";

    private ExitCodes() {
    }
}
