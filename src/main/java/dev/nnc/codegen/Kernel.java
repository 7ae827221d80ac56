package dev.nnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import dev.nnc.ir.DType;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.ops.Helper;
import dev.nnc.ops.ScalarCode;
import dev.nnc.ops.VectorCode;
import java.util.EnumSet;
import java.util.Set;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;

/**
 * One kernel method under construction: its output array {@code out}, the arrays it reads
 * ({@code a0, a1, …}, the storage of other nodes), the runtime dims its sizes use, what else it
 * declares it needs (the random state, {@link Scratch}, a range of rows that may split over
 * threads, the class-level methods it calls), and its body. Its parameters are positional, so
 * two kernels with the same body are one method.
 */
final class Kernel {
    final Elem elem;
    /** Whether the vector backend's kernels are used. */
    final boolean vector;
    /** Storage nodes read, in parameter order. */
    final List<Node> arrays = new ArrayList<>();
    final TreeSet<String> dims = new TreeSet<>();
    /** True when the kernel draws random numbers: it takes the instance's {@code seed} and {@code step}. */
    private boolean random;
    /** The scratch the kernel takes, by field, in parameter order. */
    private final Map<String, Scratch> scratch = new LinkedHashMap<>();
    /** For a kernel that computes rows {@code r0} to {@code r1} of its result: the row count and the work per row. */
    private Size splitRows;
    private Size rowWork;
    /** Class-level members the kernel uses (register blocks, species), for {@link ClassContext}. */
    final TreeSet<String> members = new TreeSet<>();
    /** Vector backend: the kernel has Vector API code, so its calls go through the class's steps ({@link VectorSteps}). */
    private boolean step;
    /** The helper methods its element code calls. */
    final Set<Helper> helpers = EnumSet.noneOf(Helper.class);
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

    /** How elementwise ops write one element in this kernel's element type (recording the helpers they call). */
    ScalarCode scalarCode() {
        return new ScalarCode() {
            @Override
            public boolean f32() {
                return elem.f32();
            }

            @Override
            public CodeBlock lit(double v) {
                return elem.lit(v);
            }

            @Override
            public CodeBlock call(String function, CodeBlock... args) {
                return elem.call(function, args);
            }

            @Override
            public CodeBlock helper(Helper h, CodeBlock... args) {
                helpers.add(h);
                return Helpers.call(elem, h, args);
            }
        };
    }

    /** {@link #vectorCode(CodeBlock.Builder)} for asking whether an op has a vector form: it writes nothing. */
    VectorCode vectorCode() {
        return vectorCode(null);
    }

    /**
     * How elementwise ops write lane-wise code over this kernel's {@code SPECIES}; with
     * {@code statements} (the loop body) not null, a function is a call of a {@code Simd$} method
     * ({@link VectorExp#addMethod}, {@link VectorErf#methods}) that the kernel then asks for as a member.
     */
    VectorCode vectorCode(CodeBlock.Builder statements) {
        return new VectorCode() {
            @Override
            public CodeBlock broadcast(CodeBlock scalar) {
                return VectorExact.broadcast(scalar);
            }

            @Override
            public CodeBlock constant(double c) {
                return broadcast(elem.lit(c));
            }

            @Override
            public ClassName operators() {
                return ClassName.get("jdk.incubator.vector", "VectorOperators");
            }

            @Override
            public CodeBlock function(Helper f, CodeBlock x) {
                boolean has = elem.f32() && (f == Helper.EXPF || f == Helper.ERF);
                if (!has || statements == null) return has ? x : null;
                members.add(VectorExp.ISPECIES);
                members.add(VectorExp.METHOD);
                if (f == Helper.EXPF) return CodeBlock.of("$L($L)", VectorExp.METHOD, x);
                members.add(VectorErf.METHOD);
                return CodeBlock.of("$L($L)", VectorErf.METHOD, x);
            }
        };
    }

    /** Code for a size; records the dims it needs. */
    CodeBlock size(Size s) {
        dims.addAll(s.dims());
        return SizeCode.of(s, Kernel::dimParam);
    }

    static String dimParam(String dim) {
        return "d_" + dim;
    }

    /** Declares that the kernel draws random numbers ({@code seed}, {@code step} parameters). */
    void random() {
        random = true;
    }

    boolean isRandom() {
        return random;
    }

    /** Declares that the kernel has Vector API code: each call runs as a step of its own ({@link VectorSteps}). */
    void runAsStep() {
        step = true;
    }

    boolean runsAsStep() {
        return step;
    }

    /**
     * Declares scratch memory; returns the parameter that holds it. Declaring the same field
     * twice keeps the larger size only when it is the same; a kernel uses one size per field.
     */
    String scratch(Scratch s) {
        Scratch had = scratch.putIfAbsent(s.field(), s);
        if (had != null && !had.equals(s)) throw new IllegalStateException("scratch " + s.field() + " declared twice: " + had + ", " + s);
        return s.param();
    }

    List<Scratch> scratch() {
        return List.copyOf(scratch.values());
    }

    /**
     * Declares that the kernel computes only rows {@code r0} to {@code r1} of its result (two
     * trailing parameters), of {@code rows} in all, each costing {@code work} multiply-adds; the
     * caller splits them over threads or passes all.
     */
    void splitRows(Size rows, Size work) {
        this.splitRows = rows;
        this.rowWork = work;
    }

    Size splitRows() {
        return splitRows;
    }

    Size rowWork() {
        return rowWork;
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
        for (Scratch s : scratch.values()) m.addParameter(s.isRows() ? ArrayTypeName.of(elem.array()) : elem.array(), s.param());
        if (splitRows != null) {
            m.addParameter(TypeName.INT, "r0");
            m.addParameter(TypeName.INT, "r1");
        }
        return m.addCode(body.build()).build();
    }

    /** A key identifying the method by its signature and body, for de-duplication. */
    String key() {
        StringBuilder sb = new StringBuilder();
        for (Node a : arrays) sb.append(a.dtype()).append(',');
        sb.append(dims).append(random).append(scratch.keySet()).append(splitRows != null).append(step).append('\n').append(body.build());
        return sb.toString();
    }
}
