package dev.nnc.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds safetensors bytes by hand for tests. */
final class StBytes {
    private StBytes() {
    }

    /** Length prefix + header (UTF-8, not padded) + data. */
    static byte[] file(String headerJson, byte[] data) {
        return file(headerJson.getBytes(StandardCharsets.UTF_8), data);
    }

    /** Length prefix + raw header bytes + data. */
    static byte[] file(byte[] header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(u64(header.length));
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** Length prefix + header padded with spaces to a multiple of 8 + data. */
    static byte[] padded(String headerJson, byte[] data) {
        StringBuilder h = new StringBuilder(headerJson);
        while (h.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) h.append(' ');
        return file(h.toString(), data);
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static byte[] f64(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) b.putDouble(d);
        return b.array();
    }

    static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float d : v) b.putFloat(d);
        return b.array();
    }

    static byte[] i64(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long d : v) b.putLong(d);
        return b.array();
    }

    static byte[] i32(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int d : v) b.putInt(d);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /** Bytes from unsigned ints, for hand-written expectations. */
    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }
}
