package dev.nnc.codegen;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Java-safe names for .nn names: keywords, literals and clashes get a trailing underscore. */
final class Names {
    private Names() {}

    private static final Set<String> RESERVED = Set.of(
            "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const", "continue",
            "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for", "goto", "if",
            "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private",
            "protected", "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this",
            "throw", "throws", "transient", "try", "void", "volatile", "while", "true", "false", "null", "var",
            "yield", "record", "sealed", "permits", "non-sealed", "_");

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
        return RESERVED.contains(name) || JDK.contains(name) ? name + "_" : name;
    }

    /** A Java identifier for {@code name} that is not in {@code taken}; adds it to {@code taken}. */
    static String unique(String name, Set<String> taken) {
        String base = java(name);
        String n = base;
        for (int i = 2; taken.contains(n) || RESERVED.contains(n); i++) n = base + "_" + i;
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
