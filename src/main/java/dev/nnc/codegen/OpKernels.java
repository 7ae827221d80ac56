package dev.nnc.codegen;

import dev.nnc.codegen.Plans.How;
import dev.nnc.ir.Node;
import dev.nnc.ops.Layout;
import dev.nnc.ops.Leaf;
import dev.nnc.ops.Structured;
import java.util.List;

/**
 * The code generator's side of each op, by family: how the planner materializes its value
 * ({@link #initial}) and which kernel computes it ({@link #of}). Elementwise ops and reductions
 * are loops ({@link Loops}), whose element code each op states itself; the other ops have a
 * {@link Code} of their own. Every switch here is exhaustive, so a new op does not compile until
 * this class says how to generate it.
 */
final class OpKernels {
    private OpKernels() {}

    /**
     * The contract of a kernel that is not a plain loop. Its body declares on the {@link Kernel}
     * what else it needs: scratch ({@link Kernel#scratch}), the random state, and whether its
     * rows may split over threads ({@link Kernel#splitRows}).
     */
    interface Code {
        /** Whether the kernel reads input {@code input} in place when it is a transpose (a view). */
        default boolean readsTransposed(int input) {
            return false;
        }

        /** Writes the body computing {@code n} into {@code out}, for the backend of {@code k}. */
        void emit(Plan plan, Kernel k, Node n);
    }

    private static final Code LOOP = Loops::emit;
    private static final Code MATMUL = new Code() {
        @Override
        public boolean readsTransposed(int input) {
            return true;
        }

        @Override
        public void emit(Plan plan, Kernel k, Node n) {
            if (k.vector) VectorKernels.matmul(plan, k, n);
            else ScalarProducts.matmul(plan, k, n);
        }
    };
    private static final Code CONV = ConvKernels::forward;
    private static final Code CONV_INPUT_GRAD = ConvKernels::inputGrad;
    private static final Code CONV_WEIGHT_GRAD = ConvKernels::weightGrad;
    private static final Code MAX_POOL = (plan, k, n) -> WindowKernels.maxPool(plan, k, n, false);
    private static final Code MAX_UNPOOL = (plan, k, n) -> WindowKernels.maxPool(plan, k, n, true);
    private static final Code TRANSPOSE = CopyKernels::transpose;
    private static final Code CONCAT = CopyKernels::concat;
    private static final Code SLICE = CopyKernels::slice;
    private static final Code ONE_HOT = CopyKernels::oneHot;
    private static final Code DROPOUT = (plan, k, n) -> CopyKernels.dropout(k, n);
    private static final Code ARANGE = (plan, k, n) -> CopyKernels.arange(k, n);
    private static final Code GATHER = IndexKernels::gather;
    private static final Code SCATTER_ADD = IndexKernels::scatterAdd;
    private static final Code LAYER_NORM = NormKernels::layerNorm;
    private static final Code LAYER_NORM_GRAD = NormKernels::layerNormGrad;
    private static final Code ATTENTION = AttentionKernels::forward;
    private static final Code ATTENTION_LSE = AttentionKernels::logSumExp;
    private static final Code ATTENTION_GRAD = AttentionKernels::gradient;

    /** The kernel of a node the planner gave its own kernel. */
    static Code of(Node n) {
        return switch (n.op().family()) {
            case LEAF -> switch ((Leaf) n.op()) {
                case DROPOUT_MASK -> DROPOUT;
                case ARANGE -> ARANGE;
                case CONST, SIZE -> LOOP; // a root that is a number: a loop fills it
                case INPUT, PARAM, BUFFER -> throw new IllegalStateException("no kernel computes " + n);
            };
            case UNARY, BINARY, TERNARY, REDUCE -> LOOP;
            case LAYOUT -> switch ((Layout) n.op()) {
                case TRANSPOSE -> TRANSPOSE;
                case BROADCAST, PERMUTE, SELECT, PLACE -> LOOP; // read through strides
                case CONCAT -> CONCAT;
                case SLICE -> SLICE;
                case ONE_HOT -> ONE_HOT;
                case GATHER -> GATHER;
                case RESHAPE, STOP_GRADIENT -> throw new IllegalStateException("an alias has no kernel: " + n);
                case MODE -> throw new IllegalStateException("modes are resolved before code generation: " + n);
            };
            case STRUCTURED -> switch ((Structured) n.op()) {
                case MATMUL -> MATMUL;
                case SCATTER_ADD -> SCATTER_ADD;
                case LAYER_NORM -> LAYER_NORM;
                case LAYER_NORM_GRAD -> LAYER_NORM_GRAD;
                case CONV -> CONV;
                case CONV_INPUT_GRAD -> CONV_INPUT_GRAD;
                case CONV_WEIGHT_GRAD -> CONV_WEIGHT_GRAD;
                case MAX_POOL -> MAX_POOL;
                case MAX_UNPOOL -> MAX_UNPOOL;
                case ATTENTION -> ATTENTION;
                case ATTENTION_LSE -> ATTENTION_LSE;
                case ATTENTION_GRAD -> ATTENTION_GRAD;
            };
        };
    }

    /** True for the kernels that are loops over elements, reading their inputs element by element. */
    static boolean isLoop(Node n) {
        return of(n) == LOOP;
    }

    /**
     * True for the nodes a loop kernel can compute inside its own loop (elementwise ops,
     * reductions, and the placing of a gradient into zeros, which loops over its input).
     */
    static boolean loopsOver(Node consumer) {
        return consumer.op().family().elementwise() || consumer.op().family() == dev.nnc.ops.Family.REDUCE
                || consumer.op() == Layout.PLACE;
    }

    /** The layout ops whose values loops read in place through strides: a {@link How#VIEW} of their input's storage. */
    static boolean isStrided(Node n) {
        return n.op() == Layout.PERMUTE || n.op() == Layout.SELECT;
    }

    /** True for the consumers that read a strided view in place: loops, and other views they compose with. */
    private static boolean readsStrided(Node consumer) {
        return loopsOver(consumer) || consumer.op() == Layout.BROADCAST || isStrided(consumer);
    }

    /**
     * How {@code n}'s value comes to exist, from its op and its consumers, before the planner
     * bounds fused loops and gives storage to the values read as whole arrays.
     */
    static How initial(Node n, List<Node> consumers) {
        return switch (n.op().family()) {
            case LEAF -> switch ((Leaf) n.op()) {
                case INPUT, PARAM, BUFFER -> How.LEAF;
                case CONST, SIZE -> How.INLINE;
                case ARANGE, DROPOUT_MASK -> How.KERNEL;
            };
            case UNARY, BINARY, TERNARY -> {
                // computed inside its single consumer's loop, when that loop runs over the same elements
                boolean fuse = consumers.size() == 1 && loopsOver(consumers.get(0))
                        && (!consumers.get(0).op().family().elementwise() || consumers.get(0).shape().equals(n.shape()));
                yield fuse ? How.FUSED : How.KERNEL;
            }
            case REDUCE, STRUCTURED -> How.KERNEL;
            case LAYOUT -> switch ((Layout) n.op()) {
                case RESHAPE, STOP_GRADIENT -> How.ALIAS;
                case BROADCAST -> consumers.stream().allMatch(OpKernels::loopsOver) ? How.VIEW : How.KERNEL;
                case TRANSPOSE -> !consumers.isEmpty() && consumers.stream().allMatch(c -> readsTransposed(c, n)) ? How.VIEW : How.KERNEL;
                case PERMUTE, SELECT -> !consumers.isEmpty() && consumers.stream().allMatch(OpKernels::readsStrided) ? How.VIEW : How.KERNEL;
                case CONCAT, SLICE, ONE_HOT, PLACE, GATHER -> How.KERNEL;
                case MODE -> throw new IllegalStateException("modes are resolved before code generation: " + n);
            };
        };
    }

    /** Whether {@code consumer}'s kernel reads its input {@code view} (a transpose) in place. */
    private static boolean readsTransposed(Node consumer, Node view) {
        if (consumer.op().family() != dev.nnc.ops.Family.STRUCTURED) return false;
        Code c = of(consumer);
        for (int i = 0; i < consumer.inputs().size(); i++) {
            if (consumer.input(i) == view && !c.readsTransposed(i)) return false;
        }
        return true;
    }
}
