package dev.nnc.ir;

/**
 * Thrown by {@link Graph} when a model's graph would grow past {@link Graph#MAX_NODES} nodes
 * (each order of a nested {@code grad} multiplies it). The checker and the compiler turn it into
 * a diagnostic; it never escapes the compiler.
 */
public final class GraphTooLargeException extends RuntimeException {
    public GraphTooLargeException() {
        super("the graph would have more than " + Graph.MAX_NODES + " nodes", null, false, false);
    }
}
