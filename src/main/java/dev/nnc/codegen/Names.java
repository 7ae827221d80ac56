package dev.nnc.codegen;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import javax.lang.model.SourceVersion;

/** Java-safe names for .nn names: keywords, literals and clashes get a trailing underscore. */
final class Names {
    private Names() {}

    /**
     * Restricted identifiers of Java 17: legal as variable names but not as the name of a class
     * (a model may become one), so mangled too. Keywords and literals come from
     * {@link SourceVersion#isKeyword(CharSequence, SourceVersion)}, at release 17 so that the
     * generated code is the same whatever JDK runs nnc.
     */
    private static final Set<String> RESTRICTED = Set.of("var", "yield", "record", "sealed", "permits");

    /** A Java keyword, boolean or null literal, or restricted identifier. */
    private static boolean reserved(String name) {
        return SourceVersion.isKeyword(name, SourceVersion.RELEASE_17) || RESTRICTED.contains(name);
    }

    /**
     * Simple names of the JDK classes that generated code refers to unqualified ({@code Math.max},
     * {@code System.arraycopy}, {@code Arrays.fill}, {@code List.of}, {@code Integer.MAX_VALUE},
     * {@code Double.NaN}, {@code String}, …): a class, field or argument of that name would hide
     * the class, so such names are mangled like keywords.
     */
    private static final Set<String> JDK = Set.of(
            "Math", "StrictMath", "System", "Arrays", "List", "Integer", "Long", "Float", "Double", "String", "Object",
            "IllegalArgumentException", "Thread", "Executors");

    /** {@code name} if it is a legal Java identifier that is not reserved, else a mangled form. */
    static String java(String name) {
        return reserved(name) || JDK.contains(name) ? name + "_" : name;
    }

    /** A Java identifier for {@code name} that is not in {@code taken}; adds it to {@code taken}. */
    static String unique(String name, Set<String> taken) {
        String base = java(name);
        String n = base;
        for (int i = 2; taken.contains(n) || reserved(n); i++) n = base + "_" + i;
        taken.add(n);
        return n;
    }

    /** {@code HousePrices} → {@code housePrices}, for local names. */
    static String lowerFirst(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }

    static Set<String> newTaken(Set<String> initial) {
        return new HashSet<>(initial);
    }
}
