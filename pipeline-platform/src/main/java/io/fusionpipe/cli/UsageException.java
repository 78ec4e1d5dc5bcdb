package io.fusionpipe.cli;

import io.fusionpipe.errors.BadInputException;

/** A command's arguments cannot be used as given (exit code 2). Thrown by command classes only; domain code throws {@link BadInputException}. */
public class UsageException extends BadInputException {
    public UsageException(String message) {
        super(message);
    }
}
