package dev.nnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The optional threads of a vector-backend class: {@code setThreads(n)} gives the instance a
 * pool of n - 1 daemon threads ({@link WorkerPool}), and every matrix product with at least
 * {@value VectorKernels#PAR_MIN_ROWS} rows (the batch of a forward product, the features of a
 * weight gradient) and {@value VectorKernels#PAR_MIN_WORK} multiply-adds splits its rows into n chunks of whole register blocks, one per thread, the
 * calling thread taking the first. Each element of the result is computed by the same
 * operations in the same order whichever thread computes it, so results are bit for bit those
 * of one thread. Everything else (elementwise kernels, reductions, narrow products, the
 * update) stays on the calling thread.
 */
final class Threads {
    private Threads() {}

    private static CodeBlock perWorkerResize(java.util.Collection<Scratch> perWorker, Elem e) {
        CodeBlock.Builder b = CodeBlock.builder();
        for (Scratch sc : perWorker) b.addStatement(sc.isRows() ? "$N = new $T[n][][]" : "$N = new $T[n][]", sc.perWorkerField(), e.type());
        return b.build();
    }

    /** Rows per chunk are a multiple of this: whole blocks of 6 and of 4 rows. */
    static final int CHUNK_ROWS = 12;

    /**
     * Adds {@code setThreads} and {@code threads} to every class, so that switching the backend
     * never breaks a caller's build: with {@code tasks}, the pool and the splitting helper as
     * the class comment says; without (every scalar class, and a vector class with no product
     * that may split), the count is checked and recorded, and calls run on the calling thread.
     * {@code perWorker} is the scratch each worker has its own of; {@code tasks} the products that
     * split ({@link ClassContext#splitTask}), none on a class whose products do not.
     */
    static void addTo(TypeSpec.Builder t, Elem e, boolean vector, java.util.Collection<Scratch> perWorker, Map<String, CodeBlock> tasks) {
        if (tasks.isEmpty()) {
            t.addField(FieldSpec.builder(TypeName.INT, "threads$", Modifier.PRIVATE).initializer("1").build());
            t.addMethod(MethodSpec.methodBuilder("setThreads").addModifiers(Modifier.PUBLIC)
                    .addJavadoc("Records a thread count, for the same API on both backends. $L every call runs on the\n"
                            + "calling thread whatever the count: {@link #threads()} returns it, and nothing else changes.\n\n"
                            + "@param n the number of threads, at least 1\n"
                            + "@throws IllegalArgumentException if {@code n < 1}\n",
                            vector ? "This class has no matrix product large enough to split, so"
                                    : "This class was generated with the scalar backend, whose products do not split:")
                    .addParameter(TypeName.INT, "n")
                    .beginControlFlow("if (n < 1)")
                    .addStatement("throw new $T($S + n)", IllegalArgumentException.class, "threads must be at least 1, got ")
                    .endControlFlow()
                    .addStatement("threads$$ = n")
                    .build());
            t.addMethod(threads());
            return;
        }
        ClassName rows = ClassName.get("", "Rows$");
        t.addType(TypeSpec.interfaceBuilder("Rows$").addModifiers(Modifier.PRIVATE)
                .addJavadoc("Rows {@code lo} to {@code hi} of a product, computed with worker {@code worker}'s scratch.\n")
                .addMethod(MethodSpec.methodBuilder("run").addModifiers(Modifier.PUBLIC, Modifier.ABSTRACT)
                        .addParameter(TypeName.INT, "worker").addParameter(TypeName.INT, "lo").addParameter(TypeName.INT, "hi")
                        .build())
                .build());
        t.addType(WorkerPool.type(rows));
        ClassName pool = ClassName.get("", WorkerPool.NAME);
        t.addField(FieldSpec.builder(TypeName.INT, "threads$", Modifier.PRIVATE).initializer("1").build());
        t.addField(FieldSpec.builder(pool, "pool$", Modifier.PRIVATE).build());
        for (Scratch sc : perWorker) {
            t.addField(FieldSpec.builder(ArrayTypeName.of(sc.isRows() ? ArrayTypeName.of(e.array()) : e.array()), sc.perWorkerField(), Modifier.PRIVATE)
                    .addJavadoc("Per thread: $L\n", sc.doc())
                    .initializer(sc.isRows() ? "new $T[1][][]" : "new $T[1][]", e.type()).build());
        }
        CodeBlock.Builder createTasks = CodeBlock.builder();
        for (Map.Entry<String, CodeBlock> task : tasks.entrySet()) {
            t.addField(FieldSpec.builder(rows, task.getKey(), Modifier.PRIVATE)
                    .addJavadoc("A product's rows for {@link #rows$$}, created by the first {@code setThreads(n > 1)}.\n").build());
            createTasks.addStatement("$N = $L", task.getKey(), task.getValue());
        }
        String first = tasks.keySet().iterator().next();
        t.addMethod(MethodSpec.methodBuilder("setThreads").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Splits the rows of every matrix product with at least $L rows (the batch of a forward\n"
                        + "product, the features of a weight gradient) and $L multiply-adds over {@code n} threads: the\n"
                        + "calling thread and {@code n - 1} daemon threads that belong to this instance ({@code setThreads(1)},\n"
                        + "the default, ends them, and so does garbage collection of the instance, within a second). Results\n"
                        + "are bit for bit those of one thread: each element is computed by the same operations in the same\n"
                        + "order. The rest of a call (elementwise kernels, reductions, the update) runs on the calling thread.\n"
                        + "Calls allocate nothing, with threads as without. {@link #copy()} starts with one thread. An\n"
                        + "instance stays not thread-safe: call it from one thread at a time.\n\n"
                        + "@param n the number of threads, at least 1\n"
                        + "@throws IllegalArgumentException if {@code n < 1}\n", VectorKernels.PAR_MIN_ROWS, VectorKernels.PAR_MIN_WORK)
                .addParameter(TypeName.INT, "n")
                .beginControlFlow("if (n < 1)")
                .addStatement("throw new $T($S + n)", IllegalArgumentException.class, "threads must be at least 1, got ")
                .endControlFlow()
                .addStatement("if (n == threads$$) return")
                .beginControlFlow("if (pool$$ != null)")
                .addStatement("pool$$.stop()")
                .addStatement("pool$$ = null")
                .endControlFlow()
                .addStatement("threads$$ = 1")
                .addCode(perWorkerResize(perWorker, e))
                .beginControlFlow("if (n > 1)")
                .addStatement("if ($N == null) tasks$$()", first)
                .addStatement("pool$$ = new $T(this, n - 1, \"nnc-\" + getClass().getSimpleName())", pool)
                .endControlFlow()
                .addStatement("threads$$ = n")
                .build());
        t.addMethod(threads());
        t.addMethod(MethodSpec.methodBuilder("tasks$").addModifiers(Modifier.PRIVATE)
                .addJavadoc("Creates the task of every product that splits (in a method of its own: no local name can hide a field).\n")
                .addCode(createTasks.build()).build());
        t.addMethod(MethodSpec.methodBuilder("rows$").addModifiers(Modifier.PRIVATE)
                .addJavadoc("Runs {@code task} over rows 0 to {@code m} in chunks of whole register blocks, one per thread,\n"
                        + "the first on this thread; returns when all are done, rethrowing the first failure.\n")
                .addParameter(TypeName.INT, "m").addParameter(rows, "task")
                .addStatement("final int n = threads$$")
                .addStatement("pool$$.run(task, m, ((m + n - 1) / n + $L) / $L * $L)", CHUNK_ROWS - 1, CHUNK_ROWS, CHUNK_ROWS)
                .build());
    }

    private static MethodSpec threads() {
        return MethodSpec.methodBuilder("threads").addModifiers(Modifier.PUBLIC).returns(TypeName.INT)
                .addJavadoc("The thread count set by {@link #setThreads} (1 by default).\n")
                .addStatement("return threads$$").build();
    }
}
