package dev.nnc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.lang.model.element.Modifier;

/**
 * The nested class {@code Pool$} of a class whose products split over threads ({@link Threads}):
 * the {@code n - 1} daemon threads of {@code setThreads(n)}, which allocate nothing per call.
 * Each thread waits for a new generation of work (spinning briefly, then parked), runs its chunk
 * of rows of the one task and counts down; the calling thread publishes the task, bumps the
 * generation, unparks the threads, runs the first chunk and waits for the count to reach zero
 * (the last thread unparks it). A failure in any chunk is kept and rethrown to the caller.
 *
 * <p>The class is static and clears its task after each call, so a waiting thread reaches the
 * instance only through a weak reference: once the instance is garbage collected, its threads
 * end at their next wake-up (at most a second later); {@code setThreads} ends them at once.
 */
final class WorkerPool {
    private WorkerPool() {}

    static final String NAME = "Pool$";

    /** Spins of a waiting thread before it parks: a few microseconds. */
    static final int SPINS = 1 << 10;

    /** How long a parked worker sleeps before it checks that the instance still exists. */
    static final long CHECK_NANOS = 1_000_000_000L;

    /** The nested class; {@code rows} is the task interface ({@code Rows$}). */
    static TypeSpec type(ClassName rows) {
        ClassName atomic = ClassName.get(AtomicInteger.class);
        return TypeSpec.classBuilder(NAME).addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The daemon threads of {@code setThreads}. A worker waits for a new {@code generation} (spinning\n"
                        + "briefly, then parked), runs its chunk of {@code task}'s rows and counts {@code pending} down; the\n"
                        + "calling thread runs the first chunk and waits for zero. Nothing is allocated per call. Between calls\n"
                        + "the workers reach the instance only through {@code owner}, a weak reference: once it is garbage\n"
                        + "collected they end at their next wake-up (at most a second later).\n")
                .addField(FieldSpec.builder(TypeName.INT, "SPINS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .initializer("$L", SPINS).build())
                .addField(FieldSpec.builder(ArrayTypeName.of(Thread.class), "workers", Modifier.PRIVATE, Modifier.FINAL).build())
                .addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(WeakReference.class), ClassName.OBJECT), "owner",
                        Modifier.PRIVATE, Modifier.FINAL).build())
                .addField(FieldSpec.builder(atomic, "pending", Modifier.PRIVATE, Modifier.FINAL).initializer("new $T()", atomic).build())
                .addField(FieldSpec.builder(TypeName.INT, "generation", Modifier.PRIVATE, Modifier.VOLATILE).build())
                .addField(FieldSpec.builder(TypeName.BOOLEAN, "stopped", Modifier.PRIVATE, Modifier.VOLATILE).build())
                .addField(FieldSpec.builder(rows, "task", Modifier.PRIVATE).build())
                .addField(FieldSpec.builder(TypeName.INT, "m", Modifier.PRIVATE).build())
                .addField(FieldSpec.builder(TypeName.INT, "chunk", Modifier.PRIVATE).build())
                .addField(FieldSpec.builder(Thread.class, "caller", Modifier.PRIVATE).build())
                .addField(FieldSpec.builder(Throwable.class, "failed", Modifier.PRIVATE).build())
                .addMethod(constructor())
                .addMethod(MethodSpec.methodBuilder("stop")
                        .addJavadoc("Ends the workers (each at its next wake-up, which this causes).\n")
                        .addStatement("stopped = true")
                        .addStatement("for ($T th : workers) if (th != null) $T.unpark(th)", Thread.class, LockSupport.class)
                        .build())
                .addMethod(run(rows))
                .addMethod(work())
                .addMethod(chunk())
                .build();
    }

    private static MethodSpec constructor() {
        return MethodSpec.constructorBuilder()
                .addJavadoc("Starts {@code n} daemon threads named {@code name} for {@code owner}; if one cannot start, ends the\n"
                        + "others and rethrows.\n")
                .addParameter(ClassName.OBJECT, "owner").addParameter(TypeName.INT, "n").addParameter(String.class, "name")
                .addStatement("this.owner = new $T<>(owner)", WeakReference.class)
                .addStatement("this.workers = new $T[n]", Thread.class)
                .beginControlFlow("try")
                .beginControlFlow("for (int w = 0; w < n; w++)")
                .addStatement("final int worker = w + 1")
                .addComment("no inherited thread locals: the thread keeps nothing of its creator's")
                .addStatement("$T th = new $T(null, () -> work(worker), name, 0, false)", Thread.class, Thread.class)
                .addStatement("th.setDaemon(true)")
                .addStatement("th.start()")
                .addStatement("workers[w] = th")
                .endControlFlow()
                .nextControlFlow("catch ($T | $T x)", RuntimeException.class, Error.class)
                .addStatement("stop()")
                .addStatement("throw x")
                .endControlFlow()
                .build();
    }

    private static MethodSpec run(ClassName rows) {
        return MethodSpec.methodBuilder("run")
                .addJavadoc("Runs {@code task} over rows 0 to {@code m} in chunks of {@code chunk} rows, worker {@code w} taking\n"
                        + "chunk {@code w} and this thread chunk 0; returns when all are done, rethrowing the first failure\n"
                        + "(this thread's first).\n")
                .addParameter(rows, "task").addParameter(TypeName.INT, "m").addParameter(TypeName.INT, "chunk")
                .addStatement("this.task = task")
                .addStatement("this.m = m")
                .addStatement("this.chunk = chunk")
                .addStatement("this.caller = Thread.currentThread()")
                .addStatement("pending.set(workers.length)")
                .addComment("the volatile write publishes the fields above to the workers")
                .addStatement("generation++")
                .addStatement("for ($T th : workers) $T.unpark(th)", Thread.class, LockSupport.class)
                .addStatement("$T first = null", Throwable.class)
                .beginControlFlow("try")
                .addStatement("task.run(0, 0, Math.min(m, chunk))")
                .nextControlFlow("catch ($T | $T x)", RuntimeException.class, Error.class)
                .addStatement("first = x")
                .endControlFlow()
                .addStatement("boolean interrupted = false")
                .beginControlFlow("for (int spin = 0; pending.get() != 0; spin++)")
                .beginControlFlow("if (spin < SPINS)")
                .addStatement("Thread.onSpinWait()")
                .nextControlFlow("else")
                .addStatement("$T.park(this)", LockSupport.class)
                .addStatement("interrupted |= Thread.interrupted()")
                .endControlFlow()
                .endControlFlow()
                .addStatement("this.task = null")
                .addStatement("this.caller = null")
                .addStatement("if (first == null) first = failed")
                .addStatement("failed = null")
                .addStatement("if (interrupted) Thread.currentThread().interrupt()")
                .addStatement("if (first instanceof RuntimeException) throw (RuntimeException) first")
                .addStatement("if (first instanceof Error) throw (Error) first")
                .addStatement("if (first != null) throw new $T(first)", IllegalStateException.class)
                .build();
    }

    private static MethodSpec work() {
        return MethodSpec.methodBuilder("work").addModifiers(Modifier.PRIVATE)
                .addJavadoc("Worker {@code w}'s loop: its chunk of each new generation, until stopped or the instance is gone.\n")
                .addParameter(TypeName.INT, "w")
                .addStatement("int seen = 0")
                .beginControlFlow("for (int spin = 0; ; spin++)")
                .addStatement("final int g = generation")
                .beginControlFlow("if (g != seen)")
                .addStatement("seen = g")
                .addStatement("$T c = caller", Thread.class)
                .addStatement("chunk(w)")
                .addStatement("if (pending.decrementAndGet() == 0) $T.unpark(c)", LockSupport.class)
                .addStatement("spin = 0")
                .nextControlFlow("else if (stopped)")
                .addStatement("return")
                .nextControlFlow("else if (spin < SPINS)")
                .addStatement("Thread.onSpinWait()")
                .nextControlFlow("else")
                .addStatement("$T.parkNanos(this, $LL)", LockSupport.class, CHECK_NANOS)
                .addComment("an interrupt would end every later park at once: nothing here waits for one")
                .addStatement("Thread.interrupted()")
                .addStatement("if (owner.get() == null) return")
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    private static MethodSpec chunk() {
        return MethodSpec.methodBuilder("chunk").addModifiers(Modifier.PRIVATE)
                .addJavadoc("Runs chunk {@code w} of the current task, if it has rows, keeping its failure for the caller.\n")
                .addParameter(TypeName.INT, "w")
                .addStatement("final int lo = w * chunk")
                .addStatement("if (lo >= m) return")
                .beginControlFlow("try")
                .addStatement("task.run(w, lo, Math.min(m, lo + chunk))")
                .nextControlFlow("catch ($T x)", Throwable.class)
                .beginControlFlow("synchronized (this)")
                .addStatement("if (failed == null) failed = x")
                .endControlFlow()
                .endControlFlow()
                .build();
    }
}
