package dev.nnc.io;

import java.io.IOException;

/**
 * A safetensors file (or byte array) is malformed or uses something nnc does not support.
 *
 * <p>It is a checked {@link IOException} so that callers of {@link SafeTensors#read(java.nio.file.Path)}
 * handle it with other I/O failures; catch it separately to tell "the file is broken" from "the file
 * could not be read". The message always starts with the file's name, then says what is wrong and,
 * for header problems, where (a byte offset in the header).
 */
public final class SafeTensorsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;

    /**
     * @param source  the file name (or other name) used in the message
     * @param problem what is wrong, without the file name
     */
    public SafeTensorsException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    /** The name of the file (or byte array) that is malformed, as given to the reader. */
    public String source() {
        return source;
    }
}
