package io.fusionpipe.cli;

/**
 * The user asked for something that cannot be done as asked (exit code 2); the message says what
 * and why. An IllegalArgumentException: code that validates an argument can throw it directly.
 */
public class UsageException extends IllegalArgumentException {
    public UsageException(String message) {
        super(message);
    }
}
