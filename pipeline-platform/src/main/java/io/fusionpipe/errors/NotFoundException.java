package io.fusionpipe.errors;

/** A named thing (a dataset or one of its versions, a run, an evaluation, a model file) does not exist. */
public class NotFoundException extends BadInputException {
    public NotFoundException(String message) {
        super(message);
    }
}
