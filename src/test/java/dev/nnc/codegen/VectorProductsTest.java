package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vector backend's product kernels on shapes that reach each of their paths, against the
 * interpreter. {@code y = x @ w} with x : [batch, k] and w : [k, n] computes {@code A·B} forward,
 * and its gradients {@code Aᵀ·B} (dw = xᵀ·dy: k rows, n columns, batch shared) and {@code A·Bᵀ}
 * (dx = dy·wᵀ: batch rows, k columns, n shared), so one model per shape covers all three.
 * The shapes hit: one to three rows (the single-row streaming blocks, each of
 * {@link VectorKernels#STREAM_WIDTHS} vectors of columns); four rows and more (register blocks,
 * the packed panels from {@value VectorKernels#PACK_MIN_ROWS} rows, long shared dimensions);
 * column counts that leave whole vectors and single columns over; {@code A·Bᵀ} as dot products
 * (below {@value VectorPanels#DOT_MAX_ROWS} rows) and over transposed panels (33, 64 and 70 rows,
 * with whole vectors, single columns and only single columns left over); the tall blocks with
 * literal strides of large products ({@code VectorPanels.fixedStrides}: [70, 300] @ [300, 300]
 * and [33, 257] @ [257, 129], in all three products; and a batched product whose batches together
 * reach that size); narrow products (fewer
 * columns, or a shorter shared dimension, than a 512-bit vector) with few and many rows; and
 * the dropout mask, whose draws must be the interpreter's bit for bit.
 */
class VectorProductsTest {
    record Shape(int m, int k, int n) {
        @Override
        public String toString() {
            return "[" + m + ", " + k + "] @ [" + k + ", " + n + "]";
        }
    }

    static List<Shape> shapes() {
        List<Shape> s = new ArrayList<>();
        // single rows: wide (12, 8 and 4 vectors of 16 floats), then whole vectors and scalar columns
        s.add(new Shape(1, 300, 300));
        s.add(new Shape(2, 37, 150));
        s.add(new Shape(3, 5, 17));
        // register blocks: unpacked (4-7 rows) and packed (8+), short and long shared dimensions, ragged columns;
        // on AVX-512 rows left after blocks of 6 as 5 (5, 257), 5 + 4 (9, 33) and 5 + 5 (70, 130)
        s.add(new Shape(5, 40, 70));
        s.add(new Shape(9, 130, 64));
        s.add(new Shape(70, 300, 300));
        s.add(new Shape(33, 257, 129));
        // panels of 4 vectors (AVX-512) with one vector left over (f32: 5 vectors, as 3 + 2) or three (f64: 11 vectors)
        s.add(new Shape(14, 60, 90));
        // narrow: few columns (f32 below 16, f64 below 8) with few and many rows
        s.add(new Shape(1, 200, 10));
        s.add(new Shape(5, 20, 10));
        s.add(new Shape(9, 130, 10));
        s.add(new Shape(40, 256, 3));
        s.add(new Shape(12, 50, 7));
        s.add(new Shape(64, 2, 300));
        s.add(new Shape(20, 1, 5));
        return s;
    }

    static String model(Shape s) {
        return """
                model Product {
                    dim batch
                    input x : [batch, %d]
                    input t : [batch, %d]
                    param w : [%d, %d] init normal(0, 1)
                    output y = x @ w
                    loss = sum(y * t)
                }
                """.formatted(s.k, s.n, s.k, s.n);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void productsAgreeWithInterpreter(Shape s) {
        check(model(s), s.m);
    }

    /**
     * A batched product whose batches make it large enough for literal strides (6 batches of
     * [23, 40] @ [40, 70]: 16,800 elements of B in all, {@code VectorPanels.FIXED_MIN} 16,384,
     * though each batch's B has 2,800): the forward's tall blocks (23 rows: 6 + 6 + 6 + 5) and
     * Aᵀ·B's (the weight gradient, 40 rows), against the interpreter.
     */
    @Test
    void batchedProductsWithLiteralStridesAgreeWithInterpreter() {
        String src = """
                model Batched {
                    input a : [3, 2, 23, 40]
                    input t : [3, 2, 23, 70]
                    param w : [3, 2, 40, 70] init normal(0, 1)
                    output y = a @ w
                    loss = sum(y * t)
                }
                """;
        Compiler.Result r = Compiler.compile("batched.nn", src);
        assertTrue(r.ok(), r.render());
        String code = JavaEmitter.emit(r.compiled().get(0), new JavaEmitter.Options(null, true, "batched.nn", src, JavaEmitter.Backend.VECTOR)).source();
        assertTrue(code.contains("mk$6x4$70$40$1(") && code.contains("mk$5x4$70$40$1(") && code.contains("mk$6x4$70$1$40("),
                "the forward and weight-gradient products' tall blocks have literal strides");
        check(src, 1);
    }

    static List<Integer> dropoutSizes() {
        // elements per step: below one vector, one vector plus a tail, many vectors
        return List.of(3, 37, 1000);
    }

    @ParameterizedTest(name = "{0} hidden units")
    @MethodSource("dropoutSizes")
    void dropoutMaskIsTheInterpretersBitForBit(int hidden) {
        String src = """
                model Dropped {
                    dim batch
                    input x : [batch, 4]
                    input y : [batch, 1]
                    param w1 : [4, %d] init normal(0, 1)
                    param w2 : [%d, 1] init normal(0, 1)
                    h = dropout(relu(x @ w1), p = 0.3)
                    output out = h @ w2
                    loss = mse(out, y)
                    optimizer sgd(lr = 0.01)
                }
                """.formatted(hidden, hidden);
        check(src, 7);
    }

    /** The model through the vector backend against the interpreter (train steps when it has an optimizer). */
    private static void check(String source, int batch) {
        Compiler.Result r = Compiler.compile("product.nn", source);
        assertTrue(r.ok(), r.render());
        for (boolean f32 : new boolean[] {false, true}) {
            ExamplesAgreeTest.agree(r.compiled().get(0), f32, "product.nn", source, JavaEmitter.Backend.VECTOR, 3, batch, 11);
        }
    }
}
