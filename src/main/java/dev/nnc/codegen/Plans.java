package dev.nnc.codegen;

import dev.nnc.ir.Node;
import dev.nnc.passes.Compiled;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A read-only view of the schedules the code generator makes, for tools that explain a
 * compiled model ({@code nnc graph}, {@code nnc check --verbose}): the very {@link Plan}s
 * {@link EntryEmitter} makes ({@link Plan#of}), for the same entry methods with the same roots
 * and result targets.
 */
public final class Plans {
    private Plans() {}

    /** How a node's value comes to exist in generated code (the planner's categories). */
    public enum How {
        /** An input array or a param field. */
        LEAF,
        /** Its own kernel (one loop nest in one method) writes it. */
        KERNEL,
        /** Computed inside its single consumer's loop (elementwise fusion). */
        FUSED,
        /** A literal or a dim product, written into the loops that read it. */
        INLINE,
        /** A reshape: the same storage as its input. */
        ALIAS,
        /**
         * A broadcast read with zero strides, a permute or an indexing read through strides by the
         * loops, or a transpose read in place by matrix products.
         */
        VIEW
    }

    /**
     * One kernel: a KERNEL node and the FUSED nodes computed in the same loop, so one fused loop.
     *
     * @param index  position in the entry's execution order, from 0
     * @param result the KERNEL node whose value the loop stores
     * @param fused  the FUSED nodes folded into the loop, by node id
     * @param slot   the work buffer holding the result, or -1 when it is written straight to its
     *               destination (an output or gradient array)
     */
    public record Kernel(int index, Node result, List<Node> fused, int slot) {
        public Kernel {
            fused = List.copyOf(fused);
        }

        /** The result and the fused nodes. */
        public List<Node> nodes() {
            List<Node> all = new ArrayList<>(fused);
            all.add(result);
            return all;
        }
    }

    /**
     * The schedule of one public entry method of the generated class.
     *
     * @param name      the method: infer, loss, gradients or trainStep
     * @param roots     the values the method computes
     * @param how       how each node reachable from the roots is materialized
     * @param kernels   in execution order
     * @param slotNodes per work buffer, the kernel results it holds over the call (reuse by liveness)
     */
    public record Entry(String name, List<Node> roots, Map<Node, How> how, List<Kernel> kernels, List<List<Node>> slotNodes) {
        public Entry {
            roots = List.copyOf(roots);
            how = Collections.unmodifiableMap(how);
            kernels = List.copyOf(kernels);
            List<List<Node>> copy = new ArrayList<>();
            for (List<Node> s : slotNodes) copy.add(List.copyOf(s));
            slotNodes = List.copyOf(copy);
        }

        /** Elements each work buffer needs for this call with the runtime dims bound. */
        public long[] slotElements(Map<String, Integer> dims) {
            long[] out = new long[slotNodes.size()];
            for (int s = 0; s < out.length; s++) {
                for (Node n : slotNodes.get(s)) out[s] = Math.max(out[s], numel(n, dims));
            }
            return out;
        }

        /** Elements the kernel results would need if each had its own buffer (no reuse). */
        public long unsharedElements(Map<String, Integer> dims) {
            long sum = 0;
            for (List<Node> s : slotNodes) for (Node n : s) sum += numel(n, dims);
            return sum;
        }
    }

    /**
     * The entries {@link JavaEmitter} generates for {@code c} with kernels of their own, in the
     * order it writes them (a {@code trainingPass} that only calls {@code infer} and
     * {@code gradients} is not one).
     */
    public static List<Entry> entries(Compiled c) {
        List<Entry> out = new ArrayList<>();
        for (EntrySpecs.Spec s : EntrySpecs.of(c)) if (!s.delegated()) out.add(entry(s.name(), s.roots(), s.targetRoots()));
        return out;
    }

    /**
     * The schedule of a method computing {@code roots} (none written straight to a destination),
     * for tools that show a set of roots no generated method has.
     */
    public static Entry of(String name, List<Node> roots) {
        return entry(name, roots, List.of());
    }

    /**
     * Bytes of the work buffers a generated instance holds after calls with these dims: the
     * buffers are shared by all entries, each sized for the largest value any entry puts in it.
     */
    public static long bufferBytes(List<Entry> entries, Map<String, Integer> dims, int bytesPerElement) {
        List<Long> slots = new ArrayList<>();
        for (Entry e : entries) {
            long[] s = e.slotElements(dims);
            for (int i = 0; i < s.length; i++) {
                if (i == slots.size()) slots.add(0L);
                slots.set(i, Math.max(slots.get(i), s[i]));
            }
        }
        long total = 0;
        for (long s : slots) total += s;
        return total * bytesPerElement;
    }

    /** The number of work buffers of the generated class (the most any entry uses). */
    public static int bufferCount(List<Entry> entries) {
        int n = 0;
        for (Entry e : entries) n = Math.max(n, e.slotNodes().size());
        return n;
    }

    /** The same plan {@link EntryEmitter} makes for this method, seen from outside. */
    private static Entry entry(String name, List<Node> roots, List<Node> targets) {
        Plan plan = Plan.of(roots, targets);
        Map<Node, How> how = new LinkedHashMap<>();
        plan.how.entrySet().stream().sorted(Map.Entry.comparingByKey((a, b) -> Integer.compare(a.id(), b.id())))
                .forEach(e -> how.put(e.getKey(), e.getValue()));
        List<Kernel> kernels = new ArrayList<>();
        for (Node k : plan.kernels) {
            kernels.add(new Kernel(kernels.size(), k, plan.fusedInto(k), plan.slot.getOrDefault(k, -1)));
        }
        return new Entry(name, roots, how, kernels, plan.slotNodes);
    }

    private static long numel(Node n, Map<String, Integer> dims) {
        return n.shape().numel().eval(dims);
    }
}
