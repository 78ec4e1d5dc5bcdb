package io.fusionpipe.cli;

/** Exit codes of every Fusionpipe command (what a scheduler reads). */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** The command ran and failed (I/O, Spark, training, a failed doctor check, a regression). */
    public static final int FAILURE = 1;
    /** Bad usage or configuration: nothing was started. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}
