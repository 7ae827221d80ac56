package dev.nnc.util;

import java.util.function.Supplier;

/**
 * Runs deeply recursive work (the parser on deeply nested brackets, the checker's inlining) on
 * a thread of its own with a large stack, whatever the caller's.
 */
public final class BigStack {
    private BigStack() {}

    /** Default stack size of the worker: reserved, and committed only as far as it is used. */
    public static final long SIZE = 256L << 20;

    /** The result of {@code work}, run on a new thread named {@code name} with a {@link #SIZE} stack. */
    public static <T> T call(String name, Supplier<T> work) {
        return call(name, SIZE, work);
    }

    /** The result of {@code work}, run on a new thread named {@code name}; its exceptions are rethrown here. */
    public static <T> T call(String name, long stackBytes, Supplier<T> work) {
        Object[] out = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread worker = new Thread(null, () -> {
            try {
                out[0] = work.get();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, name, stackBytes);
        worker.setDaemon(true);
        worker.start();
        boolean interrupted = false;
        while (true) {
            try {
                worker.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failure[0] instanceof RuntimeException e) throw e;
        if (failure[0] instanceof Error e) throw e;
        if (failure[0] != null) throw new IllegalStateException(failure[0]);
        @SuppressWarnings("unchecked")
        T result = (T) out[0];
        return result;
    }
}
