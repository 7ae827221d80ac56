package dev.nnc.bench;

import dev.nnc.codegen.InMemoryJavac;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Classes compiled ahead, so that the fresh JVMs of {@link VectorJitTest} do not each start javac
 * cold (several seconds per generated class, more than a third of a child's time): the test
 * compiles every child's sources in one javac run in its own JVM and writes them to a directory,
 * which the children get as system property {@value #PROPERTY}. A class is found by the SHA-256
 * of its exact source, so a child can only load what it would have compiled itself; without the
 * property, or for a source not there, {@link #compile} runs javac as before.
 */
final class ClassCache {
    private ClassCache() {}

    static final String PROPERTY = "nnc.bench.classes";

    /** The classes of {@code source} (class {@code qualifiedName}): from the directory if there, else compiled now. */
    static InMemoryJavac.Classes compile(String qualifiedName, String source) {
        String dir = System.getProperty(PROPERTY);
        if (dir != null) {
            Path d = Path.of(dir, hash(source));
            if (Files.isDirectory(d)) {
                Map<String, byte[]> bytecode = new HashMap<>();
                try (Stream<Path> files = Files.list(d)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        String name = f.getFileName().toString();
                        bytecode.put(name.substring(0, name.length() - ".class".length()), Files.readAllBytes(f));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return new InMemoryJavac.Classes(bytecode);
            }
        }
        return InMemoryJavac.compile(qualifiedName, source);
    }

    /** Compiles {@code sources} (by qualified class name) in one javac run and writes their classes under {@code dir}. */
    static void write(Path dir, Map<String, String> sources) throws IOException {
        InMemoryJavac.Classes all = InMemoryJavac.compile(sources);
        for (Map.Entry<String, String> s : sources.entrySet()) {
            Path d = Files.createDirectories(dir.resolve(hash(s.getValue())));
            for (Map.Entry<String, byte[]> c : all.bytecode().entrySet()) {
                if (c.getKey().equals(s.getKey()) || c.getKey().startsWith(s.getKey() + "$")) Files.write(d.resolve(c.getKey() + ".class"), c.getValue());
            }
        }
    }

    private static String hash(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
