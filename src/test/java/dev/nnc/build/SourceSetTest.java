package dev.nnc.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceSetTest {
    @TempDir
    Path root;

    @Test
    void antPatterns() {
        assertTrue(SourceSet.matches("**/*.nn", "a.nn"));
        assertTrue(SourceSet.matches("**/*.nn", "x/y/a.nn"));
        assertFalse(SourceSet.matches("**/*.nn", "a.nnx"));
        assertTrue(SourceSet.matches("*.nn", "a.nn"));
        assertFalse(SourceSet.matches("*.nn", "x/a.nn"));
        assertTrue(SourceSet.matches("experiments/", "experiments/deep/a.nn"));
        assertTrue(SourceSet.matches("experiments/**", "experiments/a.nn"));
        assertFalse(SourceSet.matches("experiments/**", "other/experiments.nn"));
        assertTrue(SourceSet.matches("**/test_*.nn", "a/test_1.nn"));
        assertTrue(SourceSet.matches("a?.nn", "ab.nn"));
        assertFalse(SourceSet.matches("a?.nn", "a/.nn"));
        assertTrue(SourceSet.matches("x\\*.nn", "x/b.nn"), "backslashes are separators, as on Windows");
        assertTrue(SourceSet.matches("a+b (1).nn", "a+b (1).nn"), "everything else is literal");
    }

    @Test
    void scanSortsAndDerivesFolderPackages() throws IOException {
        for (String f : List.of("z.nn", "com/acme/b.nn", "com/acme/a.nn", "notes.txt", "drafts/c.nn")) {
            Path p = root.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "");
        }
        List<Generator.Source> s = SourceSet.scan(root, null, List.of("drafts/**"));
        assertEquals(List.of(root.resolve("com/acme/a.nn"), root.resolve("com/acme/b.nn"), root.resolve("z.nn")),
                s.stream().map(Generator.Source::file).toList());
        assertEquals(List.of("com.acme", "com.acme", ""), s.stream().map(Generator.Source::folderPackage).toList());
        assertEquals(List.of(), SourceSet.scan(root.resolve("missing"), null, null));
        assertEquals(1, SourceSet.scan(root, List.of("**/*.txt"), null).size());
    }
}
