package dev.nnc.cli;

/** An error in the user's model, data or files: printed as one message, exit code 1, no stack trace. */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message, null, false, false);
    }
}
