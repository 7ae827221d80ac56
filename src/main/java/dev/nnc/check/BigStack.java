package dev.nnc.check;

import java.util.function.Supplier;

/** Runs deeply recursive work on a thread of its own with a large stack, whatever the caller's. */
final class BigStack {
    private BigStack() {}

    /** Stack size of the worker: reserved, and committed only as far as it is used. */
    static final long SIZE = 256L << 20;

    /** The result of {@code work}, run on a new thread named {@code name}; its exceptions are rethrown here. */
    static <T> T call(String name, Supplier<T> work) {
        Object[] out = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread worker = new Thread(null, () -> {
            try {
                out[0] = work.get();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, name, SIZE);
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
