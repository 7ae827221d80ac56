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
        CodeBlock.Builder b = CodeBlock.builder();
        for (Map.Entry<Long, List<String>> t : s.terms()) {
            long c = t.getKey();
            boolean first = b.isEmpty();
            if (!first) b.add(c < 0 ? " - " : " + ");
            long shown = first ? c : Math.abs(c); // a later term's sign is its operator
            List<CodeBlock> parts = new ArrayList<>();
            if (shown != 1 || t.getValue().isEmpty()) parts.add(CodeBlock.of("$L", shown));
            for (String d : t.getValue()) parts.add(CodeBlock.of("$N", dimName.apply(d)));
            b.add(CodeBlock.join(parts, " * "));
        }
        return b.build();
    }
}
