package dev.nnc.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@link Main#run} with System.out and System.err captured (swapping them is global, so runs are serialized). */
final class Cli {
    private Cli() {}

    record Run(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private static final Object LOCK = new Object();

    /** Writes {@code text} (UTF-8) to file {@code name} in {@code dir}. */
    static java.nio.file.Path write(java.nio.file.Path dir, String name, String text) throws java.io.IOException {
        java.nio.file.Path p = dir.resolve(name);
        java.nio.file.Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        synchronized (LOCK) {
            PrintStream savedOut = System.out;
            PrintStream savedErr = System.err;
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                int code = Main.run(args);
                return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            } finally {
                System.out.flush();
                System.err.flush();
                System.setOut(savedOut);
                System.setErr(savedErr);
            }
        }
    }
}
