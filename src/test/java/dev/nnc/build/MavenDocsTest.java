package dev.nnc.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The complete projects of docs/maven-plugin.md are the integration-test projects that
 * {@code mvn verify} builds (src/it/quickstart and src/it/quickstart-vector): each block of the
 * page that follows a comment {@code <!-- src/it/… -->} must be that file, byte for byte, so the
 * page cannot show a pom that does not build.
 */
class MavenDocsTest {
    private static final Pattern MARKED = Pattern.compile("<!-- (src/it/[^ ]+) -->\n```[a-z]*\n(.*?)```\n", Pattern.DOTALL);

    @Test
    void everyFileThePageShowsIsTheIntegrationTestsFile() throws IOException {
        String page = Files.readString(Path.of("docs/maven-plugin.md"), StandardCharsets.UTF_8);
        Matcher m = MARKED.matcher(page);
        List<String> shown = new ArrayList<>();
        while (m.find()) {
            Path file = Path.of(m.group(1));
            assertTrue(Files.isRegularFile(file), "docs/maven-plugin.md shows " + file + ", which does not exist");
            assertEquals(Files.readString(file, StandardCharsets.UTF_8), m.group(2), "docs/maven-plugin.md and " + file + " differ");
            shown.add(m.group(1));
        }
        assertTrue(shown.containsAll(List.of("src/it/quickstart/pom.xml", "src/it/quickstart/src/main/nn/demo/spam_filter.nn",
                "src/it/quickstart/src/test/java/demo/SpamFilterTest.java", "src/it/quickstart-vector/pom.xml",
                "src/it/quickstart-vector/src/main/java/demo/Main.java")), "the page shows " + shown);
        // the vector project differs from the scalar one only by what it shows
        for (String same : List.of("src/main/nn/demo/spam_filter.nn", "src/test/java/demo/SpamFilterTest.java")) {
            assertEquals(Files.readString(Path.of("src/it/quickstart", same)), Files.readString(Path.of("src/it/quickstart-vector", same)), same);
        }
    }

    @Test
    void theDocumentedPomsUseThisVersionOfNnc() throws IOException {
        String root = Files.readString(Path.of("pom.xml"), StandardCharsets.UTF_8);
        Matcher v = Pattern.compile("<artifactId>nnc</artifactId>\\s*<version>([^<]+)</version>").matcher(root);
        assertTrue(v.find());
        for (String project : List.of("quickstart", "quickstart-vector")) {
            String pom = Files.readString(Path.of("src/it", project, "pom.xml"), StandardCharsets.UTF_8);
            assertTrue(pom.contains("<artifactId>nnc</artifactId>\n        <version>" + v.group(1) + "</version>"), project);
            assertTrue(pom.contains("<maven.compiler.release>17</maven.compiler.release>"), project);
        }
    }
}
