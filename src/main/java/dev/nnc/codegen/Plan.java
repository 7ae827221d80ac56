package dev.nnc.codegen;

import dev.nnc.codegen.Plans.How;
import dev.nnc.ir.Node;
import dev.nnc.ir.Size;
import dev.nnc.ir.Walk;
import dev.nnc.ops.Layout;
import java.util.Collection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The schedule of one entry point: which nodes get a kernel (in order), which are fused into
 * their consumer's loop, which are views of other storage, and which work buffer holds each
 * kernel's result (buffers are reused by liveness).
 */
final class Plan {
    /** Ops per fused loop at most, so each kernel method stays small. */
    static final int MAX_FUSED = 40;

    final List<Node> roots;
    final Map<Node, How> how = new HashMap<>();
    /** Kernel nodes in execution order. */
    final List<Node> kernels = new ArrayList<>();
    /** Work-buffer slot of each KERNEL node that is not written straight to a target. */
    final Map<Node, Integer> slot = new HashMap<>();
    /** Per slot, the nodes it holds (for its size). */
    final List<List<Node>> slotNodes = new ArrayList<>();
    /** The sizes of each slot's nodes, so picking a slot does not rescan them (big models have many). */
    private final List<Set<Size>> slotSizes = new ArrayList<>();
    final Map<Node, List<Node>> consumers = new HashMap<>();
    /** The roots written straight to their destination by their own kernel (not through a work buffer). */
    final Set<Node> direct;

    private Plan(List<Node> roots, Set<Node> directTargets) {
        this.roots = roots;
        this.direct = directTargets;
        List<Node> reach = Walk.reachable(roots);
        for (Node n : reach) consumers.put(n, new ArrayList<>());
        for (Node n : reach) for (Node i : n.inputs()) consumers.get(i).add(n);
        Set<Node> rootSet = new HashSet<>(roots);
        decide(reach, rootSet);
        for (Node n : reach) if (how.get(n) == How.KERNEL) kernels.add(n);
        assignSlots(reach, rootSet, directTargets);
    }

    /**
     * The schedule of an entry method computing {@code roots}, where the values of
     * {@code targets} (roots too) end up in arrays of their own: a target that its own kernel
     * computes is written there directly, once, instead of through a work buffer.
     */
    static Plan of(List<Node> roots, Collection<Node> targets) {
        Plan trial = new Plan(roots, Set.of());
        Set<Node> direct = new LinkedHashSet<>();
        for (Node t : targets) if (trial.how.get(t) == How.KERNEL) direct.add(t);
        return direct.isEmpty() ? trial : new Plan(roots, direct);
    }

    /** A transpose that the product reading it takes in place. */
    boolean isTransposedView(Node n) {
        return how.get(n) == How.VIEW && n.op() == Layout.TRANSPOSE;
    }

    /** A broadcast that the loops reading it take with zero strides. */
    boolean isBroadcastView(Node n) {
        return how.get(n) == How.VIEW && n.op() == Layout.BROADCAST;
    }

    /** A permute or an indexing that the loops reading it take in place, through strides. */
    boolean isStridedView(Node n) {
        return how.get(n) == How.VIEW && OpKernels.isStrided(n);
    }

    private void decide(List<Node> reach, Set<Node> rootSet) {
        // First guess from each node's own op and its consumers.
        for (Node n : reach) {
            How h = OpKernels.initial(n, consumers.get(n));
            if (rootSet.contains(n) && h != How.LEAF && h != How.ALIAS) h = How.KERNEL;
            how.put(n, h);
        }
        // Values read as whole arrays (by products, copies, reshapes, roots) need storage.
        for (int k = reach.size() - 1; k >= 0; k--) {
            Node n = reach.get(k);
            How h = how.get(n);
            if (h == How.FUSED || h == How.INLINE) continue;
            if (isBroadcastView(n)) continue; // reads its input in loops
            if (isStridedView(n) || (h == How.KERNEL && OpKernels.isStrided(n))) {
                viewable(n.input(0)); // loops read it through strides, composed with the input's own
                continue;
            }
            if (h == How.KERNEL && OpKernels.isLoop(n)) continue; // loops read inputs by element
            for (Node i : n.inputs()) needStorage(i);
        }
        for (Node r : rootSet) needStorage(r);
        // Bound the size of fused loops.
        Map<Node, Integer> size = new HashMap<>();
        for (Node n : reach) {
            if (how.get(n) != How.FUSED && how.get(n) != How.KERNEL) continue;
            if (!OpKernels.isLoop(n)) continue;
            int s = 1;
            List<Node> fused = new ArrayList<>();
            for (Node i : n.inputs()) if (how.get(i) == How.FUSED) fused.add(i);
            for (Node i : fused) s += size.get(i);
            fused.sort((a, b) -> size.get(b) - size.get(a));
            for (Node i : fused) {
                if (s <= MAX_FUSED) break;
                how.put(i, How.KERNEL);
                s -= size.get(i) - 1;
            }
            size.put(n, s);
        }
    }

    /**
     * Makes {@code n} readable through strides: storage, or a view whose chain of views ends in
     * storage (a broadcast of a literal has none, so it gets a kernel).
     */
    private void viewable(Node n) {
        if (isStridedView(n)) return; // its own turn comes later (inputs after consumers)
        if (isBroadcastView(n) && how.get(n.input(0)) != How.INLINE) return;
        needStorage(n);
    }

    /** Makes {@code n}'s value live in an array (a kernel's buffer, unless it has storage already). */
    private void needStorage(Node n) {
        How h = how.get(n);
        if (h == How.LEAF || h == How.KERNEL) return;
        if (h == How.ALIAS || isTransposedView(n)) {
            needStorage(n.input(0));
            return;
        }
        how.put(n, How.KERNEL);
    }

    /** The node whose storage holds {@code n}'s elements (through reshapes). */
    Node base(Node n) {
        while (how.get(n) == How.ALIAS) n = n.input(0);
        return n;
    }

    /** The FUSED nodes whose values are computed inside kernel {@code k}'s loop, by id. */
    List<Node> fusedInto(Node k) {
        List<Node> out = new ArrayList<>();
        List<Node> stack = new ArrayList<>(k.inputs());
        Set<Node> seen = new HashSet<>();
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            if (!seen.add(n)) continue;
            if (how.get(n) == How.FUSED) {
                out.add(n);
                stack.addAll(n.inputs());
            } else if (isBroadcastView(n) || isStridedView(n)) {
                stack.addAll(n.inputs()); // read in the loop through strides
            }
        }
        out.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return out;
    }

    private void assignSlots(List<Node> reach, Set<Node> rootSet, Set<Node> directTargets) {
        Map<Node, Integer> index = new HashMap<>();
        for (int i = 0; i < kernels.size(); i++) index.put(kernels.get(i), i);
        int end = kernels.size();
        // lastUse: the last kernel that reads a node's storage (through fused consumers, views and aliases).
        Map<Node, Integer> lastUse = new HashMap<>();
        for (int k = reach.size() - 1; k >= 0; k--) {
            Node n = reach.get(k);
            int last = rootSet.contains(n) ? end : -1;
            for (Node c : consumers.get(n)) {
                int at = how.get(c) == How.KERNEL ? index.get(c) : lastUse.getOrDefault(c, -1);
                last = Math.max(last, at);
            }
            lastUse.put(n, last);
        }
        // Greedy allocation in kernel order; a slot is freed after its last reader runs.
        FreeSlots free = new FreeSlots();
        Map<Integer, List<Node>> releaseAt = new HashMap<>();
        for (int k = 0; k < kernels.size(); k++) {
            Node n = kernels.get(k);
            if (!directTargets.contains(n)) {
                Size numel = n.shape().numel();
                int s;
                if (free.isEmpty()) {
                    s = slotNodes.size();
                    slotNodes.add(new ArrayList<>());
                    slotSizes.add(new HashSet<>());
                } else {
                    s = free.take(numel);
                }
                slot.put(n, s);
                slotNodes.get(s).add(n);
                slotSizes.get(s).add(numel);
                releaseAt.computeIfAbsent(Math.max(k, lastUse.get(n)), x -> new ArrayList<>()).add(n);
            }
            for (Node r : releaseAt.getOrDefault(k, List.of())) free.add(slot.get(r));
        }
    }

    /**
     * The free slots in the order they were freed, indexed by the sizes each has held, so that
     * taking one costs a logarithm instead of a scan (a model of ten thousand statements frees
     * thousands of slots).
     */
    private final class FreeSlots {
        private final TreeMap<Long, Integer> order = new TreeMap<>();
        private final Map<Size, TreeSet<Long>> bySize = new HashMap<>();
        private long next;

        boolean isEmpty() {
            return order.isEmpty();
        }

        void add(int slot) {
            long t = next++;
            order.put(t, slot);
            for (Size size : slotSizes.get(slot)) bySize.computeIfAbsent(size, x -> new TreeSet<>()).add(t);
        }

        /** The earliest freed slot that already held a value of this size, else the latest freed. */
        int take(Size want) {
            TreeSet<Long> same = bySize.get(want);
            long t = same == null || same.isEmpty() ? order.lastKey() : same.first();
            int slot = order.remove(t);
            for (Size size : slotSizes.get(slot)) bySize.get(size).remove(t);
            return slot;
        }
    }
}
