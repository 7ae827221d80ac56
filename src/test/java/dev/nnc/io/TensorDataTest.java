package dev.nnc.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorDataTest {

    @Test
    void scalarHasOneElementAndZeroDimHasNone() {
        assertEquals(1, TensorData.f64(new int[0], new double[] {3}).numel());
        assertEquals(0, TensorData.i64(new int[] {2, 0, 3}, new long[0]).numel());
        assertEquals(0, TensorData.numel(new int[] {70000, 70000, 0}));
    }

    @Test
    void rejectsBadShapes() {
        var neg = assertThrows(IllegalArgumentException.class, () -> TensorData.f64(new int[] {-1}, new double[0]));
        assertTrue(neg.getMessage().contains("negative dimension -1"), neg.getMessage());
        var big = assertThrows(IllegalArgumentException.class, () -> TensorData.numel(new int[] {65536, 65536}));
        assertTrue(big.getMessage().contains("more than 2147483647 elements"), big.getMessage());
        var count = assertThrows(IllegalArgumentException.class, () -> TensorData.f64(new int[] {2, 2}, new double[3]));
        assertTrue(count.getMessage().contains("has 4 elements but 3 values"), count.getMessage());
    }

    @Test
    void f32RoundsToFloatAtCreation() {
        TensorData t = TensorData.f32(new int[] {1}, new double[] {0.1});
        assertEquals((double) 0.1f, t.asDoubles()[0]);
        assertEquals(t, TensorData.f32(new int[] {1}, new float[] {0.1f}));
    }

    @Test
    void i32RangeIsChecked() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> TensorData.i32(new int[] {1}, new long[] {1L << 31}));
        assertTrue(e.getMessage().contains("does not fit in I32"), e.getMessage());
        assertArrayEquals(new long[] {-5, 6}, TensorData.i32(new int[] {2}, new int[] {-5, 6}).asLongs());
    }

    @Test
    void conversions() {
        assertArrayEquals(new double[] {1, -2}, TensorData.i64(new int[] {2}, new long[] {1, -2}).asDoubles());
        assertArrayEquals(new long[] {3, -4}, TensorData.f64(new int[] {2}, new double[] {3, -4}).asLongs());
        var frac = assertThrows(ArithmeticException.class,
                () -> TensorData.f64(new int[] {2}, new double[] {1, 1.5}).asLongs());
        assertTrue(frac.getMessage().contains("element 1 (1.5)"), frac.getMessage());
        assertThrows(ArithmeticException.class, () -> TensorData.f64(new int[0], new double[] {Double.NaN}).asLongs());
        assertThrows(ArithmeticException.class, () -> TensorData.f64(new int[0], new double[] {0x1p63}).asLongs());
        assertArrayEquals(new long[] {Long.MIN_VALUE},
                TensorData.f64(new int[0], new double[] {-0x1p63}).asLongs());
        assertArrayEquals(new long[] {7}, TensorData.ofDoubles(DType.I32, new int[0], new double[] {7}).asLongs());
        assertThrows(IllegalArgumentException.class,
                () -> TensorData.ofDoubles(DType.I64, new int[0], new double[] {0.5}));
        assertArrayEquals(new double[] {16777216}, TensorData.ofLongs(DType.F32, new int[0], new long[] {16777217}).asDoubles());
    }

    @Test
    void immutableAndBitwiseEquality() {
        int[] shape = {2};
        double[] v = {1, 2};
        TensorData t = TensorData.f64(shape, v);
        shape[0] = 5;
        v[0] = 9;
        t.shape()[0] = 7;
        t.asDoubles()[0] = 7;
        assertArrayEquals(new int[] {2}, t.shape());
        assertArrayEquals(new double[] {1, 2}, t.asDoubles());
        assertEquals(TensorData.f64(new int[0], new double[] {Double.NaN}),
                TensorData.f64(new int[0], new double[] {Double.NaN}));
        assertNotEquals(TensorData.f64(new int[0], new double[] {0.0}),
                TensorData.f64(new int[0], new double[] {-0.0}));
        assertNotEquals(TensorData.f64(new int[] {1}, new double[] {1}),
                TensorData.f32(new int[] {1}, new double[] {1}));
        assertNotEquals(TensorData.f64(new int[] {1}, new double[] {1}),
                TensorData.f64(new int[] {1, 1}, new double[] {1}));
        assertEquals("I32[3] {1, 2, 3}", TensorData.i32(new int[] {3}, new int[] {1, 2, 3}).toString());
    }

    @Test
    void tensorFileRejectsReservedAndUnencodableNames() {
        var meta = assertThrows(IllegalArgumentException.class, () -> TensorFile.builder()
                .tensor("__metadata__", TensorData.i64(new int[0], new long[] {1})).build());
        assertTrue(meta.getMessage().contains("__metadata__"), meta.getMessage());
        var sur = assertThrows(IllegalArgumentException.class, () -> TensorFile.builder()
                .tensor("a\uD800", TensorData.i64(new int[0], new long[] {1})).build());
        assertTrue(sur.getMessage().contains("unpaired surrogate U+D800"), sur.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TensorFile.builder()
                .tensor("x", TensorData.i64(new int[0], new long[] {1}))
                .tensor("x", TensorData.i64(new int[0], new long[] {1})));
    }
}
