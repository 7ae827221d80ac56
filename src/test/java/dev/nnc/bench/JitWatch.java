package dev.nnc.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingStream;

/**
 * The JIT compilations of the generated classes, from JFR's {@code jdk.Compilation} and
 * {@code jdk.CompilerInlining} events, streamed while the JVM runs (recorded from the start, no
 * JVM flag needed; for {@link AppLoop} {@code --check}). Each event is read once as it arrives,
 * so asking for the compilations so far costs nothing, where dumping and parsing the recording
 * again each time cost seconds.
 */
final class JitWatch implements AutoCloseable {
    private final RecordingStream stream = new RecordingStream();
    /** The binary names of the classes watched: set once they exist (nothing of them compiles before). */
    private volatile Set<String> classes = Set.of();
    /** Levels of each watched method's successful compilations, by "class name+descriptor" (guarded by this). */
    private final Map<String, List<String>> levels = new TreeMap<>();
    /** Ids of C2's compilations (of any method), and inlinings of watched methods: {compile id, method}. */
    private final Set<Integer> c2 = new HashSet<>();
    private final List<Object[]> inlinings = new ArrayList<>();
    /** Class-check deoptimizations in the Vector API's own methods since {@link #watch}: {method, "reason method bci"}. */
    private final List<String[]> apiTraps = new ArrayList<>();
    /**
     * Ids of the compilations of a watched method or that inline one (kernel compilations, C1's
     * or C2's), and the Vector API methods each compilation inlined: {compile id, method}.
     */
    private final Set<Integer> kernelCompiles = new HashSet<>();
    private final List<Object[]> apiInlinings = new ArrayList<>();
    private volatile long flushes;

    JitWatch() {
        stream.enable("jdk.Compilation").withThreshold(Duration.ZERO);
        stream.enable("jdk.CompilerInlining");
        stream.setReuse(true);
        stream.setOrdered(false);
        stream.onEvent("jdk.Compilation", this::compilation);
        stream.onEvent("jdk.CompilerInlining", this::inlining);
        stream.enable("jdk.Deoptimization").withThreshold(Duration.ZERO);
        stream.onEvent("jdk.Deoptimization", this::deoptimization);
        stream.onFlush(() -> flushes++);
        stream.startAsync();
    }

    /** Watches the methods of {@code classes} (binary names) from now on. */
    void watch(Set<String> classes) {
        this.classes = Set.copyOf(classes);
    }

    /** How many times the stream has delivered the JVM's events so far; each delivery is about a second apart. */
    long flushes() {
        return flushes;
    }

    private synchronized void compilation(RecordedEvent e) {
        if (!e.getBoolean("succeded")) return;
        RecordedMethod m = e.getValue("method");
        if (e.getShort("compileLevel") == 4) c2.add(e.getInt("compileId"));
        String type = m.getType().getName();
        if (!classes.contains(type)) return;
        kernelCompiles.add(e.getInt("compileId"));
        levels.computeIfAbsent(type + " " + m.getName() + m.getDescriptor(), k -> new ArrayList<>())
                .add((e.getBoolean("isOsr") ? "osr" : "") + e.getShort("compileLevel"));
    }

    /**
     * Records a class-check trap in a method of the Vector API ({@code jdk.incubator.vector},
     * {@code jdk.internal.vm.vector}) once the generated classes exist: each adds to the trap
     * counts that C2 sums over a kernel's inlined methods (see codegen's {@code VectorPrime}).
     * Not those of {@code VectorSupport}'s static methods (its fallback calls, profiled per
     * element type and operation), which a kernel's compilation never parses while their
     * intrinsics succeed.
     */
    private synchronized void deoptimization(RecordedEvent e) {
        if (classes.isEmpty()) return;
        String reason = e.getString("reason");
        // class_check only: the reason whose per-compilation sum broke W6's kernels; speculative type checks
        // (speculate_class_check) have a budget of their own, and fresh JVMs take a few in sameSpecies
        if (!"class_check".equals(reason)) return;
        RecordedMethod m = e.getValue("method");
        String type = m == null ? "" : m.getType().getName();
        if (!isApi(type)) return;
        // VectorSupport's own methods are the intrinsics: C2 parses them only where an intrinsic already failed
        if (type.equals("jdk.internal.vm.vector.VectorSupport")) return;
        apiTraps.add(new String[] {type + " " + m.getName() + m.getDescriptor(), reason + " " + type + " " + m.getName() + " bci=" + e.getInt("bci")});
    }

    private static boolean isApi(String type) {
        return type.startsWith("jdk.incubator.vector.") || type.startsWith("jdk.internal.vm.vector.");
    }

    /**
     * The Vector API's class-check traps so far, since the generated classes exist, in the methods
     * that some compilation of a kernel inlined ({@code inKernels}), or in the others: their
     * counts reach no kernel. A method such as {@code VectorPayload.getPayload} runs only in the
     * API's fallback code (its {@code bOp}, {@code tOp}, lambdas), which a kernel's compilation
     * does not parse while the intrinsics succeed; in a loaded JVM it took 5 traps, all summed
     * over compilations of those fallbacks.
     */
    synchronized List<String> apiTraps(boolean inKernels) {
        Set<String> kernelApi = new HashSet<>();
        for (Object[] i : apiInlinings) {
            if (kernelCompiles.contains((Integer) i[0])) kernelApi.add((String) i[1]);
        }
        List<String> out = new ArrayList<>();
        for (String[] t : apiTraps) {
            if (kernelApi.contains(t[0]) == inKernels) out.add(t[1]);
        }
        return out;
    }

    private synchronized void inlining(RecordedEvent e) {
        if (!e.getBoolean("succeeded")) return;
        // JFR gives the callee's class in internal form, with slashes
        String type = e.getString("callee.type").replace('/', '.');
        if (isApi(type)) {
            apiInlinings.add(new Object[] {e.getInt("compileId"), type + " " + e.getString("callee.name") + e.getString("callee.descriptor")});
            return;
        }
        if (!classes.contains(type)) return;
        kernelCompiles.add(e.getInt("compileId"));
        inlinings.add(new Object[] {e.getInt("compileId"), type + " " + e.getString("callee.name") + e.getString("callee.descriptor")});
    }

    /**
     * The successful compilations so far of the watched methods, by "class name+descriptor":
     * their levels in order, "osr" before those of on-stack replacement, and "inlined4" if C2
     * inlined the method into a compilation of a caller.
     */
    synchronized Map<String, List<String>> levels() {
        Map<String, List<String>> out = new TreeMap<>();
        levels.forEach((k, v) -> out.put(k, new ArrayList<>(v)));
        for (Object[] i : inlinings) {
            if (!c2.contains((Integer) i[0])) continue;
            List<String> l = out.computeIfAbsent((String) i[1], k -> new ArrayList<>());
            if (!l.contains("inlined4")) l.add("inlined4");
        }
        return out;
    }

    /**
     * Whether C2 compiled the method: on its own (level 4, also on-stack replacement) or inlined
     * into a C2 compilation of a caller ("inlined4"). Its latest code may still be C1's for a
     * while after a deoptimization, as in any JVM; the allocation check catches code that stays
     * slow.
     */
    static boolean inC2(List<String> levels) {
        return levels.contains("4") || levels.contains("osr4") || levels.contains("inlined4");
    }

    @Override
    public void close() {
        stream.close();
    }
}
