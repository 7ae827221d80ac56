package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.TypeSpec;
import javax.lang.model.element.Modifier;

/**
 * How the vector backend writes Vector API expressions so that C2 intrinsifies them in every
 * JVM: every vector that receives a call is of a class C2 knows exactly while it parses.
 *
 * <p>Why (JDK 17, seen in {@code -XX:+LogCompilation} logs of fresh JVMs): C2 inlines every
 * Vector API intrinsic late, after parsing, so while it parses a kernel a vector is only "some
 * {@code FloatVector}", and each call the API makes on it ({@code vspecies()},
 * {@code lanewise(…)}) is devirtualized from a type profile, guarded by a class-check uncommon
 * trap. C2 stops emitting those traps for the rest of a compilation once the class-check trap
 * counts of the methods inlined so far, summed once per inlining, reach
 * {@code PerMethodTrapLimit} (100), or their decompile counts reach
 * {@code PerMethodRecompilationCutoff / 2 + 1} (201). The Vector API's shared helpers
 * ({@code VectorOperators$ImplCache.find}, {@code VectorOperators.opCode}) collect trap counts
 * of 1 to 4 during warm-up, depending on compile timing, and are inlined once per operation: a
 * kernel of 24 to 36 operations crossed 100 in some JVMs and not in others. Past that point the
 * calls stay virtual, the species is no longer a constant, the intrinsics fail
 * ({@code missing constant: vclass=DecodeN}) and every vector is allocated: 0.1 to 35 MB per
 * training step, 2 to 30 times slower. The rule below keeps the kernels' own code free of
 * such traps; {@link VectorPrime} keeps the API's helpers from collecting trap counts, which
 * the rule alone does not (W6's attention kernels still allocated in some JVMs).
 *
 * <p>The rule, which needs no type profile at all: a vector that receives a call is
 * {@code ANCHOR$.broadcast(x)} (a class constant used only as the receiver of {@code broadcast},
 * never as a value, whose class C2 knows since it is a constant) or the result of an operation
 * on such a vector (the API's concrete classes return their own final class), computed in the
 * same loop iteration. Loads, loop-carried vectors and vectors from before a loop (which an
 * on-stack-replacement compilation sees as plain {@code FloatVector}s) are only passed as
 * arguments, which the API itself checks against the receiver's class; where one must receive a
 * call it is first written {@code -0 + v} ({@link #exact}), the same lanes bit for bit.
 */
final class VectorExact {
    private VectorExact() {}

    /** Declares {@code ANCHOR$}, a zero vector of {@code SPECIES}, after the {@code SPECIES} field. */
    static void addAnchor(TypeSpec.Builder t, Elem e) {
        ClassName v = VectorKernels.vectorType(e);
        t.addField(FieldSpec.builder(v, "ANCHOR$", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Only ever the receiver of {@code broadcast}, so that every vector expression starts from a\n"
                        + "vector of an exactly known class and C2 intrinsifies it without a type profile.\n")
                .initializer("$T.zero(SPECIES)", v).build());
    }

    /** Declares {@code LANCHOR$}, the same for the {@code LongVector}s of {@code LSPECIES}, after that field. */
    static void addLongAnchor(TypeSpec.Builder t) {
        ClassName v = ClassName.get("jdk.incubator.vector", "LongVector");
        t.addField(FieldSpec.builder(v, "LANCHOR$", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Only ever the receiver of {@code broadcast}, as {@code ANCHOR$$}.\n")
                .initializer("$T.zero(LSPECIES)", v).build());
    }

    /** A vector of {@code SPECIES} with every lane {@code x} (an expression of the element type). */
    static CodeBlock broadcast(CodeBlock x) {
        return CodeBlock.of("ANCHOR$$.broadcast($L)", x);
    }

    /** A vector of zeros of {@code SPECIES}. */
    static CodeBlock zero(Elem e) {
        return broadcast(e.lit(0));
    }

    /** A {@code LongVector} of {@code LSPECIES} with every lane {@code x} (a long expression). */
    static CodeBlock longBroadcast(CodeBlock x) {
        return CodeBlock.of("LANCHOR$$.broadcast($L)", x);
    }

    /**
     * Adds statements declaring {@code T name}: the sum of the lanes of {@code v} (an exact
     * vector) in lane order, from 0, as {@code reduceLanes(ADD)}'s Java code does. Not
     * {@code reduceLanes(ADD)} itself, whose order the API leaves open: JDK 25's C2 adds the lanes
     * of a float vector in another order than the interpreter and C1 run, so results depended on
     * which code ran (a product split over threads differed from one thread in the last bits).
     * The lanes go through the kernel's one-vector scratch {@link #LANES}: a loop over
     * {@code lane(l)} inlined 16 switch cases per sum, and four sums took a kernel past C2's node
     * count for inlining (its vectors were then allocated, 3,840 B per call).
     */
    static void sumLanes(Kernel k, com.palantir.javapoet.CodeBlock.Builder b, String name, CodeBlock v) {
        String lk = k.scratch(LANES);
        b.addStatement("$L.intoArray($L, 0)", v, lk);
        b.addStatement("$T $L = 0", k.elem.type(), name);
        b.addStatement("for (int l$$ = 0; l$$ < SPECIES.length(); l$$++) $L += $L[l$$]", name, lk);
    }

    /** One vector's lanes, for {@link #sumLanes}. */
    static final Scratch LANES = new Scratch("scratch$lanes", "lk", null, dev.nnc.ir.Size.ONE, true,
            "Scratch for sums of vector lanes in lane order: one vector.");

    /** Vector {@code v} (a load, or a vector from outside the loop) as a receiver: {@code -0 + v}, the same lanes. */
    static CodeBlock exact(Elem e, CodeBlock v) {
        return CodeBlock.of("$L.add($L)", broadcast(e.lit(-0.0)), v);
    }
}
