package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.List;

/**
 * The static initializer of a vector class's {@code Simd$}: one call of every lane-wise
 * operation and reduction the vector backend emits, on float, double, int and long vectors,
 * then {@link #ROUNDS} rounds of one operator of each kind, every reduction and the memory
 * operations, before any kernel runs.
 *
 * <p>Why (JDK 17, {@code -XX:+LogCompilation} of fresh JVMs running W6's training step, where 3
 * of 5 JVMs allocated 8 to 75 MB per call). {@link VectorExact} keeps class-check traps out of
 * the kernels, but C2 also sums the class-check trap counts recorded in the profile of every
 * method it inlines, once per inlining, and past {@code PerMethodTrapLimit} (100) compiles the
 * rest of the kernel without the traps its intrinsics need. The counts come from the Vector
 * API's own methods, compiled by C2 on their own during the slow first calls:
 * <ul>
 *   <li>{@code VectorOperators$ImplCache.find} calls an operation's supplier (bytecode 18) only
 *       the first time the JVM uses that operation on that element type; compiled with a
 *       profile of the suppliers seen so far, it trapped when a later kernel used a new one.
 *       W6's attention kernels inline {@code find} 39 times: 4 traps became 156.
 *   <li>{@code VectorOperators.opKind} casts its operator (bytecode 1); compiled, inside
 *       {@code Float512Vector.lanewise}, from a profile that had seen one operator class, it
 *       trapped on another. With the caches filled but no rounds, it reached 4 traps, and the
 *       kernels that inline it 25 times reached 100 and allocated 8 to 12 MB per call.
 * </ul>
 * One call of each operation fills the caches; the rounds run long enough for the interpreter
 * and C1 to profile the API's methods, so that each profiled site has seen every class it will
 * see (operators of each kind, each reduction's function, each element type's load and store)
 * before C2 reads the profile. With both, no Vector API method took a class-check trap in the
 * logged JVM and no W6 JVM allocated. Loads, stores, broadcasts, comparisons, blends and
 * conversions use no cache and need only the rounds.
 *
 * <p>The operator lists are those the code generator writes, by their {@code VectorOperators}
 * names (a method such as {@code add} is {@code lanewise(ADD, …)}); {@code VectorPrimeTest}
 * checks that every operator in the generated code of the examples and benchmarks is here.
 * The rounds cost a JVM's first vector class about 0.1 to 0.3 s of class initialization.
 */
final class VectorPrime {
    private VectorPrime() {}

    /** Binary lane-wise operators on float and double vectors. */
    static final List<String> FLOATING_BINARY = List.of("ADD", "SUB", "MUL", "DIV", "MIN", "MAX", "POW");
    /** Unary lane-wise operators on float and double vectors. */
    static final List<String> FLOATING_UNARY = List.of("NEG", "ABS", "SQRT", "EXP");
    /** Ternary lane-wise operators on float and double vectors. */
    static final List<String> FLOATING_TERNARY = List.of("FMA");
    /** Lane reductions on float and double vectors. */
    static final List<String> REDUCTIONS = List.of("ADD", "MUL", "MIN", "MAX");
    /** Binary lane-wise operators on int and long vectors (the attention's exponent bits, dropout's draws). */
    static final List<String> INTEGRAL_BINARY = List.of("ADD", "SUB", "MUL", "MIN", "MAX", "AND", "OR", "XOR");
    /** Shifts on int and long vectors, by a scalar count. */
    static final List<String> SHIFTS = List.of("LSHL", "LSHR", "ASHR");

    /**
     * Operators, one of each kind the API profiles apart (associative, plain binary, unary,
     * ternary), and every shift, that the initializer runs {@link #ROUNDS} times. Every shift:
     * {@code IntVector.lanewiseShiftTemplate} casts the cached implementation of its operator
     * (bytecode 127 on JDK 17), one class per shift, and with only {@code LSHL} in the rounds C2
     * speculated on that class: the first {@code ASHR} ({@code exp$}'s {@code k >> 1}) trapped
     * there in 1 of 3 JVMs of W6 with attention blocks of 8 rows, 0 of 4 with every shift.
     */
    static final java.util.Set<String> PROFILED = java.util.Set.of("ADD", "SUB", "NEG", "FMA", "LSHL", "ASHR", "LSHR");

    /** How many times the initializer runs every operation: enough for the JIT to profile them. */
    static final int ROUNDS = 1000;

    private static final ClassName OPS = ClassName.get("jdk.incubator.vector", "VectorOperators");
    private static final ClassName SPECIES = ClassName.get("jdk.incubator.vector", "VectorSpecies");

    /** The static initializer: every operator above, once, on vectors of {@code SPECIES}' shape. */
    static CodeBlock block() {
        CodeBlock.Builder c = CodeBlock.builder();
        c.add("// Fills the Vector API's per-operation caches and type profiles before any kernel runs (see nnc's VectorPrime).\n");
        CodeBlock.Builder once = CodeBlock.builder(), rounds = CodeBlock.builder();
        type(c, once, rounds, "f", float.class, ".5f", FLOATING_BINARY, FLOATING_UNARY);
        type(c, once, rounds, "d", double.class, ".5", FLOATING_BINARY, FLOATING_UNARY);
        type(c, once, rounds, "i", int.class, "", INTEGRAL_BINARY, List.of());
        type(c, once, rounds, "l", long.class, "L", INTEGRAL_BINARY, List.of());
        c.add(once.build());
        c.beginControlFlow("for (int i$$ = 0; i$$ < $L; i$$++)", ROUNDS).add(rounds.build()).endControlFlow();
        return c.build();
    }

    /**
     * Declares vectors {@code Xa$}, {@code Xb$} and an array {@code Xm$} of one element type
     * ({@code n} its one-letter prefix), adds to {@code once} a call of each of its operators
     * (which fills the caches), and to {@code rounds} the calls that give the API's profiled
     * sites every class they can see: an operator of each kind ({@link #PROFILED}), every
     * reduction, and a load, a store and a broadcast. The others (such as {@code POW}) add
     * no class the profiles lack and are slow before they are compiled.
     */
    private static void type(CodeBlock.Builder c, CodeBlock.Builder once, CodeBlock.Builder rounds, String n, Class<?> prim,
            String literal, List<String> binary, List<String> unary) {
        ClassName v = ClassName.get("jdk.incubator.vector", n.equals("f") ? "FloatVector" : n.equals("d") ? "DoubleVector"
                : n.equals("i") ? "IntVector" : "LongVector");
        String boxed = prim == int.class ? "Integer" : prim == long.class ? "Long" : prim == float.class ? "Float" : "Double";
        c.addStatement("final $T<$L> $LS$$ = $T.of($L.class, SPECIES.vectorShape())", SPECIES, boxed, n, SPECIES, prim.getName());
        c.addStatement("final $T $La$$ = $T.broadcast($LS$$, 3$L), $Lb$$ = $T.broadcast($LS$$, 5$L)", v, n, v, n, literal, n, v, n, literal);
        c.addStatement("final $L[] $Lm$$ = new $L[$LS$$.length()]", prim.getName(), n, prim.getName(), n);
        boolean floating = prim == float.class || prim == double.class;
        List<CodeBlock> calls = new java.util.ArrayList<>();
        List<String> ops = new java.util.ArrayList<>();
        for (String op : binary) { calls.add(CodeBlock.of("$La$$.lanewise($T.$L, $Lb$$)", n, OPS, op, n)); ops.add(op); }
        for (String op : unary) { calls.add(CodeBlock.of("$La$$.lanewise($T.$L)", n, OPS, op)); ops.add(op); }
        if (floating) {
            for (String op : FLOATING_TERNARY) { calls.add(CodeBlock.of("$La$$.lanewise($T.$L, $Lb$$, $Lb$$)", n, OPS, op, n, n)); ops.add(op); }
        } else {
            for (String op : SHIFTS) { calls.add(CodeBlock.of("$La$$.lanewise($T.$L, 1)", n, OPS, op)); ops.add(op); }
        }
        for (int i = 0; i < calls.size(); i++) {
            once.addStatement(calls.get(i));
            if (PROFILED.contains(ops.get(i))) rounds.addStatement(calls.get(i));
        }
        if (floating) for (String op : REDUCTIONS) rounds.addStatement("$La$$.reduceLanes($T.$L)", n, OPS, op);
        rounds.addStatement("$La$$.broadcast(($L) 7).add($T.fromArray($LS$$, $Lm$$, 0)).intoArray($Lm$$, 0)", n, prim.getName(), v, n, n, n);
    }
}
