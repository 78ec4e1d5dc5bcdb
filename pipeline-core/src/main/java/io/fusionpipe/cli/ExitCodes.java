package io.fusionpipe.cli;

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

    private ExitCodes() {
    }
}
