package dev.nnc.interp;

import static dev.nnc.interp.Fixtures.assertClose;
import static dev.nnc.interp.Fixtures.s;
import static dev.nnc.interp.Fixtures.t;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.ir.DType;
import dev.nnc.ir.Dim;
import dev.nnc.ir.Graph;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Shape;
import dev.nnc.ops.Binary;
import dev.nnc.ops.Unary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Forward values of every op against independent formulas on small hand tensors. */
class ForwardTest {
    private final Graph g = new Graph();
    private final Map<String, Tensor> values = new HashMap<>();
    private final Map<String, Integer> dims = new HashMap<>();
    private int index;

    private Node in(String name, Tensor v) {
        values.put(name, v);
        return g.input(name, index++, shapeOf(v.shape()), v.dtype());
    }

    private static Shape shapeOf(int[] sizes) {
        return Shape.of(sizes);
    }

    private Tensor run(Node n) {
        return new Interpreter(values, dims, false, Model.Precision.F64, null).evaluate(n);
    }

    private void expect(Node n, int[] shape, double... expected) {
        Tensor v = run(n);
        assertArrayEquals(shape, v.shape(), "shape of " + n);
        assertClose(expected, v.data(), 1e-15, 0, n.toString());
    }

    // ------------------------------------------------------------------ leaves

    @Test
    void leavesConstAndSize() {
        Node x = in("x", t(s(2), 1.5, -2));
        expect(x, s(2), 1.5, -2);
        expect(g.constant(3.25), s(), 3.25);
        Node xb = g.input("xb", 9, Shape.of(Fixtures.BATCH, Dim.sym("seq"), Dim.of(2)), DType.REAL);
        values.put("xb", Tensor.zeros(5, 3, 2));
        dims.put("batch", 5);
        dims.put("seq", 3);
        Node size = g.size(xb.shape().dims());
        assertEquals(Binary.MUL, size.op()); // 2 * SIZE(batch, seq)
        expect(size, s(), 30);
        expect(g.size(List.of(Fixtures.BATCH)), s(), 5);
    }

    @Test
    void dropoutIsTheIdentityInInference() {
        Node x = g.input("x", 0, Shape.of(2, 3), DType.REAL);
        values.put("x", t(s(2, 3), 1, 2, 3, 4, 5, 6));
        expect(g.dropout(x, 0.5, 0), s(2, 3), 1, 2, 3, 4, 5, 6);
        expect(g.dropoutMask(Shape.of(2, 3), 0.5, 0), s(2, 3), 1, 1, 1, 1, 1, 1);
    }

    // ------------------------------------------------------------------ unary

    private static final double[] XS = {-1000, -30, -2.5, -1, -0.5, -1e-3, 0, 1e-3, 0.3, 1, 2.5, 30, 1000};

    @ParameterizedTest
    @EnumSource(value = Unary.class, names = {"NEG", "EXP", "LOG", "SQRT", "ABS", "SIGN", "SIN", "COS", "TANH", "SIGMOID",
        "RELU", "SOFTPLUS", "ERF"})
    void unaryOps(Unary op) {
        DoubleUnaryOperator f = switch (op) {
            case NEG -> x -> -x;
            case EXP -> Math::exp;
            case LOG -> Math::log;
            case SQRT -> Math::sqrt;
            case ABS -> x -> x < 0 ? -x : x;
            case SIGN -> x -> x > 0 ? 1 : x < 0 ? -1 : 0;
            case SIN -> Math::sin;
            case COS -> Math::cos;
            case TANH -> Math::tanh;
            // independent (unstable but exact enough away from overflow) forms
            case SIGMOID -> x -> x < -700 ? 0 : 1 / (1 + Math.exp(-x));
            case RELU -> x -> x > 0 ? x : 0;
            case SOFTPLUS -> x -> x > 30 ? x + Math.exp(-x) : Math.log(1 + Math.exp(x));
            case ERF -> x -> Math.abs(x) > 10 ? Math.signum(x) : ErfTest.seriesErf(x);
            default -> throw new AssertionError(op);
        };
        Node x = in("x", t(s(XS.length), XS));
        Tensor v = run(g.unary(op, x));
        for (int i = 0; i < XS.length; i++) {
            double e = f.applyAsDouble(XS[i]);
            double a = v.data()[i];
            if (Double.isNaN(e)) {
                assertTrue(Double.isNaN(a), op + "(" + XS[i] + ") should be NaN, got " + a);
            } else {
                assertEquals(e, a, 1e-13 * Math.max(1, Math.abs(e)), op + "(" + XS[i] + ")");
            }
        }
    }

    @Test
    void reluAndSignAtKinks() {
        Node x = in("x", t(s(3), -0.0, 0.0, Double.NaN));
        Tensor relu = run(g.unary(Unary.RELU, x));
        assertEquals(0.0, relu.data()[0]);
        assertEquals(0.0, relu.data()[1]);
        assertTrue(Double.isNaN(relu.data()[2]));
        Tensor sign = run(g.unary(Unary.SIGN, x));
        assertEquals(0.0, Math.abs(sign.data()[0]));
        assertEquals(0.0, sign.data()[1]);
    }

    @Test
    void powcSpecialCases() {
        Node x = in("x", t(s(4), 4, 0.25, 9, 2));
        expect(g.powc(x, 2), s(4), 16, 0.0625, 81, 4);
        expect(g.powc(x, 0.5), s(4), 2, 0.5, 3, Math.sqrt(2));
        expect(g.powc(x, 1), s(4), 4, 0.25, 9, 2);
        expect(g.powc(x, -1.5), s(4), 0.125, 8, 1.0 / 27, Math.pow(2, -1.5));
        expect(g.powc(x, 3), s(4), 64, 0.015625, 729, 8);
        // x^2 is x*x, also for negative x; a fractional power of a negative is NaN, as Math.pow
        Node neg = in("neg", t(s(2), -3, -0.5));
        expect(g.powc(neg, 2), s(2), 9, 0.25);
        assertTrue(Double.isNaN(run(g.powc(neg, 0.5)).data()[0]));
    }

    @Test
    void elu() {
        Node x = in("x", t(s(4), -2, -1e-12, 0, 1.5));
        // expm1 keeps the digits that exp(x) - 1 would cancel: 1.5·(−1e-12 + 0.5e-24)
        expect(g.elu(x, 1.5), s(4), 1.5 * (Math.exp(-2) - 1), -1.49999999999925e-12, 0, 1.5);
    }

    // ------------------------------------------------------------------ binary, broadcasting

    private void binaryCase(Binary op, DoubleBinaryOperator f, Tensor a, Tensor b, int[] outShape) {
        values.clear();
        Node na = in("a" + index, a), nb = in("b" + index, b);
        Tensor v = run(g.binary(op, na, nb));
        assertArrayEquals(outShape, v.shape());
        // independent broadcasting: index each operand by the trailing-aligned multi-index
        int n = Tensor.numel(outShape);
        for (int k = 0; k < n; k++) {
            int[] idx = new int[outShape.length];
            int rem = k;
            for (int i = outShape.length - 1; i >= 0; i--) {
                idx[i] = rem % outShape[i];
                rem /= outShape[i];
            }
            double e = f.applyAsDouble(a.get(project(idx, a.shape())), b.get(project(idx, b.shape())));
            assertEquals(e, v.data()[k], 0, op + " element " + k);
        }
    }

    private static int[] project(int[] idx, int[] shape) {
        int[] r = new int[shape.length];
        int lead = idx.length - shape.length;
        for (int i = 0; i < shape.length; i++) r[i] = shape[i] == 1 ? 0 : idx[lead + i];
        return r;
    }

    @ParameterizedTest
    @EnumSource(value = Binary.class, names = {"ADD", "SUB", "MUL", "DIV", "POW", "MAXIMUM", "MINIMUM", "GT", "EQ"})
    void binaryOpsBroadcastInEveryDirection(Binary op) {
        DoubleBinaryOperator f = switch (op) {
            case ADD -> (a, b) -> a + b;
            case SUB -> (a, b) -> a - b;
            case MUL -> (a, b) -> a * b;
            case DIV -> (a, b) -> a / b;
            case POW -> Math::pow;
            case MAXIMUM -> (a, b) -> a >= b ? a : b;
            case MINIMUM -> (a, b) -> a <= b ? a : b;
            case GT -> (a, b) -> a > b ? 1 : 0;
            case EQ -> (a, b) -> a == b ? 1 : 0;
            default -> throw new AssertionError(op);
        };
        Tensor m23 = t(s(2, 3), 1, 2, 3, 0.5, 2, -1);
        Tensor v3 = t(s(3), 2, 2, 0.25);
        Tensor c21 = t(s(2, 1), 3, 0.5);
        Tensor r13 = t(s(1, 3), 1, 2, 4);
        Tensor sc = Tensor.scalar(2);
        Tensor t231 = t(s(2, 3, 1), 1, 2, 3, 4, 5, 6);
        binaryCase(op, f, m23, v3, s(2, 3));   // trailing vector on the right
        binaryCase(op, f, v3, m23, s(2, 3));   // ... and on the left
        binaryCase(op, f, c21, r13, s(2, 3));  // both stretch
        binaryCase(op, f, r13, c21, s(2, 3));
        binaryCase(op, f, sc, m23, s(2, 3));   // scalar left
        binaryCase(op, f, m23, sc, s(2, 3));   // scalar right
        binaryCase(op, f, m23, m23, s(2, 3));  // same shape (EQ all ones)
        binaryCase(op, f, t231, r13, s(2, 3, 3)); // rank 3 against rank 2
    }

    @Test
    void maximumAndMinimumPropagateNaN() {
        Node a = in("a", t(s(2), Double.NaN, 1)), b = in("b", t(s(2), 0, Double.NaN));
        assertTrue(Double.isNaN(run(g.binary(Binary.MAXIMUM, a, b)).data()[0]));
        assertTrue(Double.isNaN(run(g.binary(Binary.MINIMUM, a, b)).data()[1]));
    }

    @Test
    void clampBroadcastsAllThree() {
        Node x = in("x", t(s(2, 3), -5, 0.5, 5, -0.2, 0.1, 0.9));
        Node lo = in("lo", t(s(3), -1, 0, 1));
        Node hi = in("hi", t(s(2, 1), 2, 0.3));
        expect(g.clamp(x, lo, hi), s(2, 3), -1, 0.5, 2, -0.2, 0.1, 0.3);
        // lo > hi: hi wins, as torch.clamp
        Node c = g.clamp(in("y", Tensor.scalar(0)), g.constant(1), g.constant(-1));
        expect(c, s(), -1);
    }

    // ------------------------------------------------------------------ reductions

    @Test
    void sumOverAxesWithKeepdimsAndNegativeAxes() {
        // x[i][j][k] = 100 i + 10 j + k, shape [2, 3, 4]
        double[] d = new double[24];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) d[i * 12 + j * 4 + k] = 100 * i + 10 * j + k;
        Node x = in("x", t(s(2, 3, 4), d));
        expect(g.sum(x, null, false), s(), 1200 + 240 + 36);
        expect(g.sum(x, null, true), s(1, 1, 1), 1476);
        expect(g.sum(x, List.of(-1), false), s(2, 3), 6, 46, 86, 406, 446, 486);
        expect(g.sum(x, List.of(2), true), s(2, 3, 1), 6, 46, 86, 406, 446, 486);
        expect(g.sum(x, List.of(0), false), s(3, 4), 100, 102, 104, 106, 120, 122, 124, 126, 140, 142, 144, 146);
        expect(g.sum(x, List.of(-2, 0), false), s(4), 360, 366, 372, 378);
        expect(g.sum(x, List.of(1), true), s(2, 1, 4), 30, 33, 36, 39, 330, 333, 336, 339);
    }

    @Test
    void maxReductionWithTiesAndNaN() {
        Node x = in("x", t(s(2, 3), 1, 7, 7, -2, -5, -2));
        expect(g.max(x, List.of(1), false), s(2), 7, -2);
        expect(g.max(x, List.of(0), true), s(1, 3), 1, 7, 7);
        expect(g.max(x, null, false), s(), 7);
        expect(g.max(x, List.of(-1), true), s(2, 1), 7, -2);
        Node y = in("y", t(s(3), 1, Double.NaN, 2));
        assertTrue(Double.isNaN(run(g.max(y, null, false)).item()));
        Node z = in("z", t(s(2), -1e308, -Double.MAX_VALUE));
        expect(g.max(z, null, false), s(), -1e308);
    }

    // ------------------------------------------------------------------ structure

    @Test
    void matmulInAllFourRankCases() {
        Node a = in("a", t(s(2, 3), 1, 2, 3, 4, 5, 6));
        Node b = in("b", t(s(3, 2), 7, 8, 9, 10, 11, 12));
        Node v = in("v", t(s(3), 1, -1, 2));
        Node u = in("u", t(s(2), 3, -2));
        expect(g.matmul(a, b), s(2, 2), 58, 64, 139, 154);
        expect(g.matmul(v, b), s(2), 7 - 9 + 22, 8 - 10 + 24);
        expect(g.matmul(a, v), s(2), 1 - 2 + 6, 4 - 5 + 12);
        expect(g.matmul(v, v), s(), 6);
        expect(g.matmul(u, g.transpose(b)), s(3), 21 - 16, 27 - 20, 33 - 24);
    }

    @Test
    void transposeSwapsTheLastTwoDims() {
        Node a = in("a", t(s(2, 3), 1, 2, 3, 4, 5, 6));
        expect(g.transpose(a), s(3, 2), 1, 4, 2, 5, 3, 6);
        Node b = in("b", t(s(2, 2, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
        expect(g.transpose(b), s(2, 3, 2), 1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12);
    }

    @Test
    void reshapeAndBroadcast() {
        Node a = in("a", t(s(2, 3), 1, 2, 3, 4, 5, 6));
        expect(g.reshape(a, Shape.of(3, 2)), s(3, 2), 1, 2, 3, 4, 5, 6);
        expect(g.reshape(a, Shape.of(6)), s(6), 1, 2, 3, 4, 5, 6);
        Node r = in("r", t(s(3), 1, 2, 3));
        expect(g.broadcast(r, Shape.of(2, 3)), s(2, 3), 1, 2, 3, 1, 2, 3);
        Node c = in("c", t(s(2, 1), 1, 2));
        expect(g.broadcast(c, Shape.of(2, 3)), s(2, 3), 1, 1, 1, 2, 2, 2);
        expect(g.broadcast(c, Shape.of(2, 2, 2)), s(2, 2, 2), 1, 1, 2, 2, 1, 1, 2, 2);
        expect(g.filled(2.5, Shape.of(2, 2)), s(2, 2), 2.5, 2.5, 2.5, 2.5);
    }

    @Test
    void concatAndSlice() {
        Node a = in("a", t(s(2, 2), 1, 2, 3, 4));
        Node b = in("b", t(s(2, 1), 5, 6));
        Node c = in("c", t(s(1, 2), 7, 8));
        expect(g.concat(List.of(a, b), 1), s(2, 3), 1, 2, 5, 3, 4, 6);
        expect(g.concat(List.of(a, c), 0), s(3, 2), 1, 2, 3, 4, 7, 8);
        expect(g.concat(List.of(b, a, b), -1), s(2, 4), 5, 1, 2, 5, 6, 3, 4, 6);
        Node x = in("x", t(s(2, 4), 0, 1, 2, 3, 4, 5, 6, 7));
        expect(g.slice(x, 1, 1, 3), s(2, 2), 1, 2, 5, 6);
        expect(g.slice(x, 0, 1, 2), s(1, 4), 4, 5, 6, 7);
        expect(g.slice(x, -1, 3, 4), s(2, 1), 3, 7);
    }

    @Test
    void oneHotAndLabelChecks() {
        Node l = in("l", Tensor.labels(s(3), 2L, 0L, 1L));
        expect(g.oneHot(l, 3), s(3, 3), 0, 0, 1, 1, 0, 0, 0, 1, 0);
        // labels flow through reshape and slice untouched
        Node l2 = g.reshape(l, Shape.of(3, 1));
        Tensor r = run(l2);
        assertTrue(r.isInt());
        expect(g.oneHot(g.slice(l, 0, 1, 3), 2), s(2, 2), 1, 0, 0, 1);
        values.put("l", Tensor.labels(s(3), 2L, 5L, 1L));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(g.oneHot(l, 3)));
        assertTrue(e.getMessage().contains("label 5"), e.getMessage());
        values.put("l", Tensor.labels(s(3), -1L, 0L, 1L));
        e = assertThrows(IllegalArgumentException.class, () -> run(g.oneHot(l, 3)));
        assertTrue(e.getMessage().contains("label -1"), e.getMessage());
    }

    @Test
    void stopGradientIsIdentity() {
        Node x = in("x", t(s(2), 1, -3));
        expect(g.stopGradient(g.neg(x)), s(2), -1, 3);
    }

    @Test
    void sharedNodesAreComputedOnce() {
        Node x = in("x", t(s(2), 1, 2));
        Node e = g.exp(x);
        Node f = g.add(g.mul(e, e), e);
        Interpreter it = Interpreter.inference(values, dims);
        it.evaluate(f);
        Tensor first = it.computed().get(e);
        it.evaluate(List.of(g.mul(e, x)));
        assertTrue(first == it.computed().get(e), "memoized across evaluate calls");
        assertEquals(5, it.computed().size()); // x, e, e*e, +, e*x
    }

    @Test
    void deepChainsDoNotOverflowTheStack() {
        Node x = in("x", Tensor.scalar(0));
        Node n = x;
        for (int i = 0; i < 100_000; i++) n = g.add(n, g.constant(1));
        expect(n, s(), 100_000);
    }

    @Test
    void f32RoundsEveryNode() {
        Node x = in("x", t(s(3), 0.1, 1.0 / 3, Math.PI));
        Node y = g.mul(g.exp(x), g.constant(0.7));
        Tensor v = new Interpreter(values, dims, false, Model.Precision.F32, null).evaluate(y);
        for (int i = 0; i < 3; i++) {
            double xi = (float) values.get("x").data()[i];
            double expected = (float) ((double) (float) Math.exp(xi) * (float) 0.7);
            assertEquals(expected, v.data()[i], 0);
        }
        assertEquals(0.1, values.get("x").data()[0], 0, "the caller's leaf is not modified");
        // reductions accumulate in double, then round once
        double[] many = new double[1000];
        java.util.Arrays.fill(many, 0.1);
        values.put("m", t(s(1000), many));
        Node m = g.input("m", 99, Shape.of(1000), DType.REAL);
        double exact = 0;
        for (int i = 0; i < 1000; i++) exact += (float) 0.1;
        assertEquals((float) exact, new Interpreter(values, dims, false, Model.Precision.F32, null).evaluate(g.sum(m, null, false)).item(), 0);
    }

    @Test
    void leafErrorsNameTheLeaf() {
        Node x = g.input("x", 0, Shape.of(Fixtures.BATCH, Dim.of(3)), DType.REAL);
        dims.put("batch", 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(x));
        assertTrue(e.getMessage().contains("missing input 'x'"), e.getMessage());
        values.put("x", Tensor.zeros(2, 4));
        e = assertThrows(IllegalArgumentException.class, () -> run(x));
        assertEquals("input 'x': expected shape [batch, 3] = [2, 3], got [2, 4]", e.getMessage());
        Node w = g.param("w", 0, Shape.of(2));
        values.put("w", Tensor.labels(s(2), 1L, 2L));
        e = assertThrows(IllegalArgumentException.class, () -> run(w));
        assertTrue(e.getMessage().contains("param 'w' must be a real tensor"), e.getMessage());
        Node z = g.input("z", 0, Shape.of(Dim.sym("seq")), DType.REAL);
        e = assertThrows(IllegalArgumentException.class, () -> run(z));
        assertTrue(e.getMessage().contains("dim seq is not bound"), e.getMessage());
    }
}
