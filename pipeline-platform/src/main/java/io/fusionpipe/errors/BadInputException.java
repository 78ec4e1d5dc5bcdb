package io.fusionpipe.errors;

/**
 * An input (an argument, a dataset, a run, a file) cannot be used as asked; the message names it and
 * says what is wrong. Thrown before anything is written. The CLI maps it to exit code 2
 * ({@code ExitCodes.of}); library callers catch it like any {@link IllegalArgumentException}.
 */
public class BadInputException extends IllegalArgumentException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
