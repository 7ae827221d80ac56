package dev.nnc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.ir.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Java expressions for {@link Size}s: {@code 331 * d_batch}, with each dim named by the caller. */
final class SizeCode {
    private SizeCode() {}

    /** {@code s} as an int expression; {@code dimName} maps a dim to its Java variable. */
    static CodeBlock of(Size s, Function<String, String> dimName) {
        if (s.isZero()) return CodeBlock.of("0");
        List<CodeBlock> terms = new ArrayList<>();
        for (Map.Entry<Long, List<String>> t : s.terms()) {
            List<CodeBlock> parts = new ArrayList<>();
            if (t.getKey() != 1 || t.getValue().isEmpty()) parts.add(CodeBlock.of("$L", t.getKey()));
            for (String d : t.getValue()) parts.add(CodeBlock.of("$N", dimName.apply(d)));
            terms.add(CodeBlock.join(parts, " * "));
        }
        return CodeBlock.join(terms, " + ");
    }
}
