package dev.nnc.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The .nn files of a source folder, picked by Ant-style patterns as Maven users write them
 * ({@code **}{@code /*.nn}, {@code experiments/**}, {@code ?}): {@code **} spans folders,
 * {@code *} and {@code ?} stay within one name, a pattern ending in {@code /} means everything
 * under that folder. Each file's folder, relative to the source folder, is the package its
 * models get when they have no package statement ({@code models/fraud/x.nn} → {@code models.fraud}).
 */
public final class SourceSet {
    /** The includes when none are given. */
    public static final List<String> DEFAULT_INCLUDES = List.of("**/*.nn");

    private SourceSet() {}

    /**
     * Every regular file under {@code root} that matches an include and no exclude, sorted by
     * relative path; none when {@code root} is not a folder.
     */
    public static List<Generator.Source> scan(Path root, Collection<String> includes, Collection<String> excludes)
            throws IOException {
        List<Pattern> in = compile(includes == null || includes.isEmpty() ? DEFAULT_INCLUDES : includes);
        List<Pattern> ex = compile(excludes == null ? List.of() : excludes);
        List<Generator.Source> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        List<String> rels = new ArrayList<>();
        for (Path f : files) rels.add(slashes(root.relativize(f)));
        rels.sort(null);
        for (String rel : rels) {
            if (matchesAny(in, rel) && !matchesAny(ex, rel)) {
                int slash = rel.lastIndexOf('/');
                String folder = slash < 0 ? "" : rel.substring(0, slash).replace('/', '.');
                out.add(new Generator.Source(root.resolve(rel), folder));
            }
        }
        return out;
    }

    /** Whether the relative path {@code rel} (with {@code /}) matches the Ant-style {@code pattern}. */
    public static boolean matches(String pattern, String rel) {
        return antPattern(pattern).matcher(rel).matches();
    }

    static Pattern antPattern(String pattern) {
        String p = pattern.trim().replace('\\', '/');
        while (p.startsWith("/")) p = p.substring(1);
        if (p.endsWith("/")) p += "**";
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < p.length(); ) {
            if (p.startsWith("**/", i)) {
                re.append("(?:.*/)?");
                i += 3;
            } else if (p.startsWith("**", i)) {
                re.append(".*");
                i += 2;
            } else {
                char c = p.charAt(i++);
                if (c == '*') re.append("[^/]*");
                else if (c == '?') re.append("[^/]");
                else re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    private static List<Pattern> compile(Collection<String> patterns) {
        List<Pattern> out = new ArrayList<>();
        for (String p : patterns) if (p != null && !p.isBlank()) out.add(antPattern(p));
        return out;
    }

    private static boolean matchesAny(List<Pattern> ps, String rel) {
        for (Pattern p : ps) if (p.matcher(rel).matches()) return true;
        return false;
    }

    private static String slashes(Path rel) {
        StringBuilder sb = new StringBuilder();
        for (Path part : rel) {
            if (sb.length() > 0) sb.append('/');
            sb.append(part);
        }
        return sb.toString();
    }
}
