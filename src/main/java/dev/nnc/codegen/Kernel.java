package dev.nnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.ir.DType;
import dev.nnc.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;

/**
 * One kernel method under construction: its output array {@code out}, the arrays it reads
 * ({@code a0, a1, …}, the storage of other nodes), the runtime dims its sizes use, and its body.
 * Its parameters are positional, so two kernels with the same body are one method.
 */
final class Kernel {
    final Elem elem;
    /** Whether the vector backend's kernels are used. */
    final boolean vector;
    /** Storage nodes read, in parameter order. */
    final List<Node> arrays = new ArrayList<>();
    final TreeSet<String> dims = new TreeSet<>();
    boolean random;
    /**
     * True for kernels that take the instance's scratch rows ({@code rows}, at least
     * {@link #scratchRows} of at least {@link #scratchWidth} elements) and row ({@code acc}, at
     * least {@link #scratchWidth} elements); see {@code Kernels.matmul}.
     */
    boolean scratch;
    Sym scratchRows;
    Sym scratchWidth;
    /**
     * Vector backend: for kernels that take the instance's panel scratch ({@code pk}), where
     * products copy a panel of their right operand so that it is contiguous, the rows it must
     * hold ({@code pk} has at least rows × {@code VectorKernels.COLS * SPECIES.length()}
     * elements); empty for the others.
     */
    final java.util.Set<Sym> packRows = new java.util.LinkedHashSet<>();
    /** Vector backend: the elements of the temporary ({@code tk}) the kernel takes, or null for none. */
    Sym temp;
    /** Vector backend: the kernel draws random bits with {@code LongVector}s (the class then declares {@code LSPECIES}). */
    boolean vectorRandom;
    /**
     * Vector backend: for a product that computes only rows {@code r0} to {@code r1} of its result
     * (two trailing parameters), the row count; the caller splits them over threads or passes all.
     */
    Sym rowRange;
    /** With {@link #rowRange}: the multiply-adds per row of the result. */
    Sym rowWork;
    /** Vector backend: the kernel has Vector API code, so its calls go through the class's steps ({@code VectorSteps}). */
    boolean vectorCode;
    /** Vector backend: the register blocks ({@code VectorKernels.microKernel}) the kernel calls, as "RxC". */
    final TreeSet<String> micro = new TreeSet<>();
    final CodeBlock.Builder body = CodeBlock.builder();

    Kernel(Elem elem, boolean vector) {
        this.elem = elem;
        this.vector = vector;
    }

    /** The parameter name of the array holding {@code base}'s elements. */
    String array(Node base) {
        int i = arrays.indexOf(base);
        if (i < 0) {
            arrays.add(base);
            i = arrays.size() - 1;
        }
        return "a" + i;
    }

    /** Code for a size; records the dims it needs. */
    CodeBlock size(Sym s) {
        dims.addAll(s.symbols());
        return s.code(d -> dimParam(d));
    }

    static String dimParam(String dim) {
        return "d_" + dim;
    }

    /** The finished method; {@code name} is chosen by the caller after de-duplication. */
    MethodSpec method(String name, String comment) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("$L\n", comment)
                .addParameter(elem.array(), "out");
        for (int i = 0; i < arrays.size(); i++) {
            TypeName t = arrays.get(i).dtype() == DType.INT ? ArrayTypeName.of(TypeName.INT) : elem.array();
            m.addParameter(t, "a" + i);
        }
        for (String d : dims) m.addParameter(TypeName.INT, dimParam(d));
        if (random) {
            m.addParameter(TypeName.LONG, "seed");
            m.addParameter(TypeName.LONG, "step");
        }
        if (scratch) {
            m.addParameter(ArrayTypeName.of(elem.array()), "rows");
            m.addParameter(elem.array(), "acc");
        }
        if (!packRows.isEmpty()) m.addParameter(elem.array(), "pk");
        if (temp != null) m.addParameter(elem.array(), "tk");
        if (rowRange != null) {
            m.addParameter(TypeName.INT, "r0");
            m.addParameter(TypeName.INT, "r1");
        }
        return m.addCode(body.build()).build();
    }

    /** A key identifying the method by its signature and body, for de-duplication. */
    String key() {
        StringBuilder sb = new StringBuilder();
        for (Node a : arrays) sb.append(a.dtype()).append(',');
        sb.append(dims).append(random).append(scratch).append(!packRows.isEmpty()).append(temp != null).append(rowRange != null).append(vectorCode).append('\n').append(body.build());
        return sb.toString();
    }
}
