package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A size or stride known at compile time up to runtime dims: a static factor times a product
 * of dim names. Zero is the stride of a broadcast dimension.
 */
record Sym(long factor, List<String> symbols) {
    static final Sym ZERO = new Sym(0, List.of());
    static final Sym ONE = new Sym(1, List.of());

    Sym {
        symbols = List.copyOf(symbols);
        if (factor == 0) symbols = List.of();
    }

    static Sym of(Dim d) {
        return d.isStatic() ? new Sym(d.size(), List.of()) : new Sym(1, List.of(d.symbol()));
    }

    /** The number of elements of {@code s}. */
    static Sym numel(Shape s) {
        Sym r = ONE;
        for (Dim d : s.dims()) r = r.times(of(d));
        return r;
    }

    /** Row-major strides of {@code s}. */
    static List<Sym> strides(Shape s) {
        List<Sym> out = new ArrayList<>();
        Sym acc = ONE;
        for (int i = s.rank() - 1; i >= 0; i--) {
            out.add(0, acc);
            acc = acc.times(of(s.get(i)));
        }
        return out;
    }

    Sym times(Sym o) {
        List<String> syms = new ArrayList<>(symbols);
        syms.addAll(o.symbols);
        syms.sort(null);
        return new Sym(Math.multiplyExact(factor, o.factor), syms);
    }

    boolean isZero() {
        return factor == 0;
    }

    boolean isOne() {
        return factor == 1 && symbols.isEmpty();
    }

    boolean isStatic() {
        return symbols.isEmpty();
    }

    /** Java code for this value; {@code dimName} maps a dim to its Java variable. */
    CodeBlock code(Function<String, String> dimName) {
        List<CodeBlock> parts = new ArrayList<>();
        if (factor != 1 || symbols.isEmpty()) parts.add(CodeBlock.of("$L", factor));
        for (String s : symbols) parts.add(CodeBlock.of("$N", dimName.apply(s)));
        return CodeBlock.join(parts, " * ");
    }
}
