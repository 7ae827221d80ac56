package dev.nnc.codegen;

import dev.nnc.ir.Node;
import dev.nnc.ir.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The schedule of one entry point: which nodes get a kernel (in order), which are fused into
 * their consumer's loop, which are views of other storage, and which work buffer holds each
 * kernel's result (buffers are reused by liveness).
 */
final class Plan {
    /** How a node's value comes to exist. */
    enum How {
        /** An input array or a param field. */
        LEAF,
        /** Its own kernel writes it to a buffer. */
        KERNEL,
        /** Computed inside its single consumer's loop (elementwise fusion). */
        FUSED,
        /** A literal or a dim product, written into the loops that read it. */
        INLINE,
        /** A reshape: the same storage as its input. */
        ALIAS,
        /** A broadcast read with zero strides, or a transpose read in place by matrix products. */
        VIEW
    }

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
    private final List<Set<Sym>> slotSizes = new ArrayList<>();
    final Map<Node, List<Node>> consumers = new HashMap<>();

    Plan(List<Node> roots, Set<Node> directTargets) {
        this.roots = roots;
        TreeMap<Integer, Node> reach = reachable(roots);
        for (Node n : reach.values()) consumers.put(n, new ArrayList<>());
        for (Node n : reach.values()) for (Node i : n.inputs()) consumers.get(i).add(n);
        Set<Node> rootSet = new HashSet<>(roots);
        decide(reach, rootSet);
        for (Node n : reach.values()) if (how.get(n) == How.KERNEL) kernels.add(n);
        assignSlots(reach, rootSet, directTargets);
    }

    private static TreeMap<Integer, Node> reachable(List<Node> roots) {
        TreeMap<Integer, Node> reach = new TreeMap<>();
        List<Node> stack = new ArrayList<>(roots);
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            if (reach.putIfAbsent(n.id(), n) == null) stack.addAll(n.inputs());
        }
        return reach;
    }

    private static boolean loopsOver(Node consumer) {
        return consumer.op().isElementwise() || consumer.op() == Op.SUM || consumer.op() == Op.MAX;
    }

    private void decide(TreeMap<Integer, Node> reach, Set<Node> rootSet) {
        // First guess from each node's own kind and its consumers.
        for (Node n : reach.values()) {
            List<Node> cs = consumers.get(n);
            How h;
            switch (n.op()) {
                case INPUT, PARAM -> h = How.LEAF;
                case CONST, SIZE -> h = How.INLINE;
                case RESHAPE -> h = How.ALIAS;
                case BROADCAST -> h = cs.stream().allMatch(Plan::loopsOver) ? How.VIEW : How.KERNEL;
                case TRANSPOSE -> h = !cs.isEmpty() && cs.stream().allMatch(c -> c.op() == Op.MATMUL) ? How.VIEW : How.KERNEL;
                default -> {
                    boolean fuse = n.op().isElementwise() && cs.size() == 1 && loopsOver(cs.get(0))
                            && (!cs.get(0).op().isElementwise() || cs.get(0).shape().equals(n.shape()));
                    h = fuse ? How.FUSED : How.KERNEL;
                }
            }
            if (rootSet.contains(n) && h != How.LEAF && h != How.ALIAS) h = How.KERNEL;
            how.put(n, h);
        }
        // Values read as whole arrays (by matrix products, copies, reshapes, roots) need storage.
        List<Node> order = new ArrayList<>(reach.descendingMap().values());
        for (Node n : order) {
            if (how.get(n) == How.FUSED || how.get(n) == How.INLINE) {
                continue;
            }
            if (how.get(n) == How.VIEW && n.op() == Op.BROADCAST) continue; // reads its input in loops
            if (how.get(n) == How.KERNEL && (loopsOver(n) || n.op() == Op.BROADCAST)) continue; // loops read inputs by element
            for (Node i : n.inputs()) needStorage(i);
        }
        for (Node r : rootSet) needStorage(r);
        // Bound the size of fused loops.
        Map<Node, Integer> size = new HashMap<>();
        for (Node n : reach.values()) {
            if (how.get(n) != How.FUSED && how.get(n) != How.KERNEL) continue;
            if (!loopsOver(n) && n.op() != Op.BROADCAST) continue;
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

    /** Makes {@code n}'s value live in an array (a kernel's buffer, unless it has storage already). */
    private void needStorage(Node n) {
        How h = how.get(n);
        if (h == How.LEAF || h == How.KERNEL) return;
        if (h == How.ALIAS) {
            needStorage(n.input(0));
            return;
        }
        if (h == How.VIEW && n.op() == Op.TRANSPOSE) {
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

    private void assignSlots(TreeMap<Integer, Node> reach, Set<Node> rootSet, Set<Node> directTargets) {
        Map<Node, Integer> index = new HashMap<>();
        for (int i = 0; i < kernels.size(); i++) index.put(kernels.get(i), i);
        int end = kernels.size();
        // lastUse: the last kernel that reads a node's storage (through fused consumers, views and aliases).
        Map<Node, Integer> lastUse = new HashMap<>();
        for (Node n : reach.descendingMap().values()) {
            int last = rootSet.contains(n) ? end : -1;
            for (Node c : consumers.get(n)) {
                int at = how.get(c) == How.KERNEL ? index.get(c) : lastUse.getOrDefault(c, -1);
                last = Math.max(last, at);
            }
            lastUse.put(n, last);
        }
        // Greedy allocation in kernel order; a slot is freed after its last reader runs.
        List<Integer> free = new ArrayList<>();
        Map<Integer, List<Node>> releaseAt = new HashMap<>();
        for (int k = 0; k < kernels.size(); k++) {
            Node n = kernels.get(k);
            if (!directTargets.contains(n)) {
                int s;
                if (free.isEmpty()) {
                    s = slotNodes.size();
                    slotNodes.add(new ArrayList<>());
                    slotSizes.add(new HashSet<>());
                } else {
                    s = pickSlot(free, n);
                }
                slot.put(n, s);
                slotNodes.get(s).add(n);
                slotSizes.get(s).add(Sym.numel(n.shape()));
                releaseAt.computeIfAbsent(Math.max(k, lastUse.get(n)), x -> new ArrayList<>()).add(n);
            }
            for (Node r : releaseAt.getOrDefault(k, List.of())) free.add(slot.get(r));
        }
    }

    /** Prefers a free slot that already held a value of the same size. */
    private int pickSlot(List<Integer> free, Node n) {
        Sym want = Sym.numel(n.shape());
        for (int i = 0; i < free.size(); i++) {
            if (slotSizes.get(free.get(i)).contains(want)) return free.remove(i);
        }
        return free.remove(free.size() - 1);
    }

    /** Kernel nodes whose values the entry's roots need, in order, de-duplicated. */
    Set<Node> kernelSet() {
        return new LinkedHashSet<>(kernels);
    }
}
