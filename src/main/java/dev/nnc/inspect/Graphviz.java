package dev.nnc.inspect;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Graphviz's {@code dot} to lay out DOT text as SVG. The command is {@code dot} on the
 * PATH, or the value of the system property {@code nnc.dot} (tests point it at a missing file).
 */
public final class Graphviz {
    private Graphviz() {}

    /** How to get {@code dot}, for messages. */
    public static final String INSTALL_HINT =
            "install Graphviz (Debian/Ubuntu: apt-get install graphviz; Fedora: dnf install graphviz; macOS: brew install graphviz)";

    /** {@code dot} is missing, or failed. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message);
        }
    }

    static String command() {
        return System.getProperty("nnc.dot", "dot");
    }

    /** True when {@code dot -V} runs. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder(command(), "-V").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The SVG {@code dot -Tsvg} makes of {@code dot}. */
    public static String svg(String dot) throws Unavailable {
        Process p;
        try {
            p = new ProcessBuilder(List.of(command(), "-Tsvg")).start();
        } catch (IOException e) {
            throw new Unavailable("Graphviz's dot command was not found (" + e.getMessage() + ")");
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread o = pump(p.getInputStream(), out);
            Thread e = pump(p.getErrorStream(), err);
            try (OutputStream in = p.getOutputStream()) {
                in.write(dot.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new Unavailable("dot did not finish in 300 s");
            }
            o.join();
            e.join();
            if (p.exitValue() != 0) {
                throw new Unavailable("dot failed (exit " + p.exitValue() + "): " + err.toString(StandardCharsets.UTF_8).strip());
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException ex) {
            p.destroyForcibly();
            throw new Unavailable("dot failed: " + ex.getMessage());
        } catch (InterruptedException ex) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while dot was running");
        }
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(to);
            } catch (IOException ignored) {
                // the exit code reports the failure
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }
}
