package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Vector API operator that the generated code of the examples and the benchmark models
 * uses, in f32 and f64, has its cache filled by {@link VectorPrime}'s static initializer, and
 * that initializer is in the class: an operator first used by a compiled kernel can make C2
 * compile every later kernel with allocated vectors (see {@link VectorPrime}).
 */
class VectorPrimeTest {
    /** Operators that reach no per-operation cache: comparisons and conversions. */
    static final Set<String> UNCACHED = Set.of("LT", "LE", "GT", "GE", "EQ", "NE", "L2F", "L2D", "I2F", "F2I");

    /** The lane-wise methods that are shorthands of {@code lanewise(OP, …)}, by operator. */
    static final Pattern SHORTHAND = Pattern.compile("\\.(add|sub|mul|div|min|max|pow|neg|abs|sqrt|fma)\\(");
    static final Pattern OPERATOR = Pattern.compile("VectorOperators\\.([A-Z0-9_]+)");

    static Stream<Path> models() throws IOException {
        List<Path> all = new ArrayList<>();
        for (String dir : List.of("generated-examples", "bench/models")) {
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                s.filter(p -> p.toString().endsWith(".nn")).sorted().forEach(all::add);
            }
        }
        assertTrue(all.size() >= 20, "found only " + all);
        return all.stream();
    }

    static Set<String> primed() {
        Set<String> s = new TreeSet<>();
        for (List<String> l : List.of(VectorPrime.FLOATING_BINARY, VectorPrime.FLOATING_UNARY, VectorPrime.FLOATING_TERNARY,
                VectorPrime.REDUCTIONS, VectorPrime.INTEGRAL_BINARY, VectorPrime.SHIFTS)) s.addAll(l);
        return s;
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyOperatorTheKernelsUseIsPrimed(Path model) throws IOException {
        String text = Files.readString(model);
        Compiler.Result r = Compiler.compile(model.getFileName().toString(), text);
        assertTrue(r.ok(), r::render);
        for (boolean f32 : new boolean[] {true, false}) {
            String src = JavaEmitter.emit(r.compiled().get(0), new JavaEmitter.Options(null, f32,
                    model.getFileName().toString(), text, JavaEmitter.Backend.VECTOR)).source();
            String prime = VectorPrime.block().toString();
            int at = src.indexOf(prime.lines().findFirst().orElseThrow().strip());
            assertTrue(at >= 0, model + ": the Simd$ class has no priming block");
            int end = src.indexOf("\n        }\n", at);
            assertTrue(end > at, model + ": the priming block does not end");
            String kernels = src.substring(0, at) + src.substring(end);
            Set<String> used = new TreeSet<>();
            Matcher m = OPERATOR.matcher(kernels);
            while (m.find()) if (!UNCACHED.contains(m.group(1))) used.add(m.group(1));
            m = SHORTHAND.matcher(kernels);
            while (m.find()) used.add(m.group(1).toUpperCase());
            used.removeAll(primed());
            assertEquals(Set.of(), used, model + (f32 ? " f32" : " f64") + ": operators the kernels use but VectorPrime does not prime");
        }
    }
}
