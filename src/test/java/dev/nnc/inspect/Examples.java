package dev.nnc.inspect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import dev.nnc.passes.Compiled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The example models of {@code generated-examples/}, compiled. */
final class Examples {
    private Examples() {}

    static final Path DIR = Path.of("generated-examples");

    static List<Path> files() {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".nn")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Compiler.Result compile(Path file) {
        try {
            Compiler.Result r = Compiler.compile(file);
            assertTrue(r.ok(), r.render());
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Compiled only(Compiler.Result r) {
        assertTrue(r.compiled().size() == 1, "one model expected in " + r.path());
        return r.compiled().get(0);
    }
}
