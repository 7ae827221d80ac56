package dev.nnc.data;

/**
 * A problem with the user's data (a CSV file, a column, a value), stated so the user can fix it:
 * the message names the file and, where there is one, the row and the column. No stack trace.
 */
public final class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message, null, false, false);
    }
}
