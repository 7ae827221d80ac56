package dev.nnc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.ops.Windows.Plane;
import javax.lang.model.element.Modifier;

/**
 * The vector backend's 2 × 2, stride 2 max pool and its gradient over tiles ({@link PoolTiles}),
 * a vector of input columns at a time: the top and bottom rows of a tile row are loaded at the
 * same columns; swapping neighbouring lanes ({@code SWAP$}) gives every lane all four elements of
 * its window, in row-major order: top left, top right, bottom left, bottom right. The first
 * maximum is then chosen as the scalar loop chooses it: an element replaces the best so far
 * unless the best is at least as large or a NaN ({@code !(e <= bv) && bv == bv}), as two blends.
 * <ul>
 *   <li>max pool: the even lanes hold the windows' results; {@code EVENS$} moves them to the low
 *       half, stored at the output row's columns. The high half is stored too and overwritten by
 *       the next store (the loop only takes tile rows whose stores stay inside the result).</li>
 *   <li>gradient: the winner's position in its window (0 to 3, as a vector of the element type)
 *       against each lane's own ({@code PAR$} on the top row, {@code PAR2$} on the bottom): the
 *       output gradient (spread two lanes per element by {@code HALF$}) or 0. Each input element
 *       is written, with the same value, by every store that covers it.</li>
 * </ul>
 * A row narrower than a vector takes one vector whose lanes past the row compute garbage that a
 * later store overwrites; a wider row takes vectors at columns 0, L, … and one ending at the row's
 * end. Every vector that receives a call is exact ({@link VectorExact}).
 */
final class PoolVector {
    private PoolVector() {}

    /** The class member ({@link Kernel#members}) holding the shuffles, mask and lane positions. */
    static final String MEMBER = "pool2x2";

    /** Whether the tiles of {@code g} are 2 × 2. */
    static boolean applies(Plane g) {
        return g.kh() == 2 && g.kw() == 2;
    }

    /** Declares {@code SWAP$}, {@code HALF$}, {@code EVENS$}, {@code PAR$}, {@code PAR2$} and {@code ODD$}. */
    static void addConstants(TypeSpec.Builder t, Elem e) {
        ClassName v = VectorKernels.vectorType(e);
        TypeName boxed = e.type().box();
        ClassName pkg = ClassName.get("jdk.incubator.vector", "VectorShuffle");
        TypeName shuffle = ParameterizedTypeName.get(pkg, boxed);
        shuffleField(t, shuffle, pkg, "SWAP$", "i ^ 1", "Lane i takes lane i ^ 1: each element's neighbour in its pair of columns.");
        shuffleField(t, shuffle, pkg, "HALF$", "i >> 1", "Lane i takes lane i / 2: one element per pair of columns, spread over both.");
        shuffleField(t, shuffle, pkg, "EVENS$", "2 * i % SPECIES.length()", "Lane i takes lane 2i: the even lanes, packed into the low half.");
        t.addField(FieldSpec.builder(v, "PAR$", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Lane i holds i % 2: a column's position in its 2 × 2 window's top row.\n")
                .initializer("($T) $T.fromOp(SPECIES, i -> i & 1).toVector()", v, pkg).build());
        t.addField(FieldSpec.builder(v, "PAR2$", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Lane i holds 2 + i % 2: a column's position in its window's bottom row.\n")
                .initializer("PAR$$.add($L)", e.lit(2)).build());
        ClassName mask = ClassName.get("jdk.incubator.vector", "VectorMask");
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(mask, boxed), "ODD$", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The odd lanes.\n")
                .initializer("PAR$$.compare($T.NE, $L)", ClassName.get("jdk.incubator.vector", "VectorOperators"), e.lit(0)).build());
    }

    private static void shuffleField(TypeSpec.Builder t, TypeName type, ClassName pkg, String name, String lane, String doc) {
        t.addField(FieldSpec.builder(type, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L\n", doc)
                .initializer("$T.fromOp(SPECIES, i -> $L)", pkg, lane).build());
    }

    /**
     * Adds the loop over tile rows {@code r} (from the kernel's {@code r}, up to {@code rows}) whose
     * vectors stay inside the input and the result; the caller's scalar loop takes the rest.
     */
    static void emit(Kernel k, Plane g, String keys, String v, boolean gradient) {
        k.runAsStep();
        k.members.add(MEMBER);
        Elem e = k.elem;
        ClassName vt = VectorKernels.vectorType(e);
        ClassName ops = ClassName.get("jdk.incubator.vector", "VectorOperators");
        TypeName mask = ParameterizedTypeName.get(ClassName.get("jdk.incubator.vector", "VectorMask"), e.type().box());
        int w = g.w(), ow = g.ow();
        CodeBlock.Builder c = k.body;
        c.addStatement("final int L = SPECIES.length(), M = Math.max($L, L)", w);
        // loads and stores reach M past a row's first column; the output's, M past its row
        c.beginControlFlow("for (; r < rows && L >= 2 && r * $L + $L + M <= rows * $L && r * $L + M <= rows * $L; r++)",
                        2 * w, w, 2 * w, ow, ow)
                .addStatement("final int i0 = r * $L, o0 = r * $L", 2 * w, ow)
                .beginControlFlow("for (int c = 0; c < $L; c += L)", w)
                .addStatement("final int cc = Math.max(0, Math.min(c, $L - L))", w);
        boolean values = !gradient && !keys.equals(v);
        corners(c, e, vt, "k", keys, w);
        if (values) corners(c, e, vt, "v", v, w);
        c.addStatement("$T bv = k0", vt);
        if (values) c.addStatement("$T vv = v0", vt);
        if (gradient) c.addStatement("$T at = $L", vt, VectorExact.zero(e));
        for (int q = 1; q < 4; q++) {
            // keep the best so far where it is at least as large as element q, or a NaN
            c.addStatement("final $T s$L = bv.compare($T.GE, k$L), n$L = bv.compare($T.NE, bv)", mask, q, ops, q, q, ops);
            if (gradient) c.addStatement("at = $L.blend(at, s$L).blend(at, n$L)", VectorExact.broadcast(e.lit(q)), q, q);
            if (values) c.addStatement("vv = v$L.blend(vv, s$L).blend(vv, n$L)", q, q, q);
            c.addStatement("bv = k$L.blend(bv, s$L).blend(bv, n$L)", q, q, q);
        }
        if (gradient) {
            // 0 + g as the clear-and-add of the general loop: a −0 gradient lands as +0
            c.addStatement("final $T gv = $L.add($T.fromArray(SPECIES, $L, o0 + cc / 2)).rearrange(HALF$$)", vt, VectorExact.zero(e), vt, v)
                    .addStatement("$L.blend(gv, at.compare($T.EQ, PAR$$)).intoArray(out, i0 + cc)", VectorExact.zero(e), ops)
                    .addStatement("$L.blend(gv, at.compare($T.EQ, PAR2$$)).intoArray(out, i0 + $L + cc)", VectorExact.zero(e), ops, w);
        } else {
            c.addStatement("$L.rearrange(EVENS$$).intoArray(out, o0 + cc / 2)", values ? "vv" : "bv");
        }
        c.endControlFlow().endControlFlow();
    }

    /**
     * Declares {@code p0}…{@code p3}: the four elements of each lane's window of {@code a} at
     * columns {@code cc} of tile row {@code i0}, in row-major order.
     */
    private static void corners(CodeBlock.Builder c, Elem e, ClassName vt, String p, String a, int w) {
        c.addStatement("final $T $Lt = $L", vt, p, VectorExact.exact(e, CodeBlock.of("$T.fromArray(SPECIES, $L, i0 + cc)", vt, a)))
                .addStatement("final $T $Lb = $L", vt, p, VectorExact.exact(e, CodeBlock.of("$T.fromArray(SPECIES, $L, i0 + $L + cc)", vt, a, w)))
                .addStatement("final $T $Lts = $Lt.rearrange(SWAP$$), $Lbs = $Lb.rearrange(SWAP$$)", vt, p, p, p, p)
                .addStatement("final $T $L0 = $Lt.blend($Lts, ODD$$), $L1 = $Lts.blend($Lt, ODD$$)", vt, p, p, p, p, p, p)
                .addStatement("final $T $L2 = $Lb.blend($Lbs, ODD$$), $L3 = $Lbs.blend($Lb, ODD$$)", vt, p, p, p, p, p, p);
    }
}
