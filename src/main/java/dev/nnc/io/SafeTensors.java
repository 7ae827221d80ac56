package dev.nnc.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads and writes <a href="https://github.com/huggingface/safetensors">safetensors</a> files with
 * dtypes F64, F32, I64 and I32.
 *
 * <p>Layout: an 8-byte little-endian unsigned header length {@code N}; {@code N} bytes of UTF-8
 * JSON, an object mapping each tensor name to
 * {@code {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}} (offsets relative to the
 * first byte after the header) plus an optional {@code "__metadata__"} object of strings, padded
 * with trailing spaces; then the tensors' raw little-endian data.
 *
 * <p><b>Reading</b> is strict. Besides JSON syntax (see the package-private {@code JsonReader}) and
 * UTF-8 validity, it rejects: a header longer than {@value #MAX_HEADER_BYTES} bytes or than the
 * file; a non-object header or entry; missing, duplicate or unknown entry fields; dtypes other than
 * F64/F32/I64/I32; negative dimensions, dimensions or element counts above
 * {@link Integer#MAX_VALUE}; data offsets that are not two non-negative integers, reversed, past
 * the end of the data, or whose length is not {@code numel × dtype size}; duplicate tensor names;
 * metadata that is not an object of strings ({@code null} is accepted as "no metadata", like the
 * reference reader). Like the reference implementation it also requires the tensors to
 * <em>exactly tile</em> the data section: overlapping tensors, gaps between them and unused bytes
 * after the last one are errors. Nothing is allocated in proportion to a size the file merely
 * claims: sizes are checked against the real file length first. Any input bytes give either a
 * {@link TensorFile} or a {@link SafeTensorsException}.
 *
 * <p><b>Writing</b> puts the tensors in the {@link TensorFile}'s order, with consecutive data
 * offsets from 0, and the header as compact JSON ({@code "__metadata__"} first, only if there is
 * metadata; keys in insertion order) padded with spaces to a multiple of 8 bytes, as the reference
 * writer does, so equal inputs give byte-identical outputs. F32 values are narrowed to
 * {@code float}. {@link #write(Path, TensorFile)} is atomic.
 */
public final class SafeTensors {
    /** The largest header accepted (and written), as in the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final int CHUNK = 1 << 16; // bytes per I/O chunk; a multiple of 8

    private SafeTensors() {
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads a safetensors file. Error messages name the file as {@code path.toString()}.
     *
     * @throws SafeTensorsException if the file is malformed or uses an unsupported dtype
     * @throws IOException          if the file cannot be read
     */
    public static TensorFile read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return read(new ChannelSource(ch, path.toString()), path.toString());
        }
    }

    /**
     * Reads safetensors data from memory.
     *
     * @param bytes          the whole file
     * @param nameForErrors  the name that error messages start with
     * @throws SafeTensorsException if the data is malformed or uses an unsupported dtype
     */
    public static TensorFile read(byte[] bytes, String nameForErrors) throws SafeTensorsException {
        Objects.requireNonNull(bytes, "bytes");
        try {
            return read(new ArraySource(bytes), nameForErrors);
        } catch (SafeTensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("in-memory read failed", e); // ArraySource never throws
        }
    }

    private static TensorFile read(Source src, String name) throws IOException {
        long size = src.size();
        if (size < 8) {
            throw new SafeTensorsException(name, "file is " + size
                    + " bytes, shorter than the 8-byte header length at its start");
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        src.readFully(0, prefix);
        long n = prefix.getLong(0); // unsigned
        if (Long.compareUnsigned(n, MAX_HEADER_BYTES) > 0) {
            throw new SafeTensorsException(name, "header length " + Long.toUnsignedString(n)
                    + " is larger than the " + MAX_HEADER_BYTES + "-byte limit (is this a safetensors file?)");
        }
        if (n > size - 8) {
            throw new SafeTensorsException(name, "header length " + n + " is larger than the "
                    + (size - 8) + " bytes that follow the length prefix (file truncated?)");
        }
        byte[] headerBytes = new byte[(int) n];
        src.readFully(8, ByteBuffer.wrap(headerBytes));
        long dataStart = 8 + n;
        Header header = Header.parse(headerBytes, name, size - dataStart);

        Map<String, TensorData> tensors = new LinkedHashMap<>();
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK, size - dataStart + 8))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (Header.Entry e : header.entries) {
            tensors.put(e.name(), readData(src, dataStart + e.begin(), e, chunk));
        }
        try {
            return new TensorFile(tensors, header.metadata);
        } catch (IllegalArgumentException e) {
            // Cannot happen: names come from valid UTF-8 and "__metadata__" is never a tensor name.
            throw new SafeTensorsException(name, e.getMessage());
        }
    }

    private static TensorData readData(Source src, long pos, Header.Entry e, ByteBuffer chunk) throws IOException {
        int n = e.numel();
        int size = e.dtype().byteSize();
        int perChunk = chunk.capacity() / size;
        double[] reals = e.dtype().isFloatingPoint() ? new double[n] : null;
        long[] ints = reals == null ? new long[n] : null;
        for (int done = 0; done < n; ) {
            int count = Math.min(perChunk, n - done);
            chunk.clear().limit(count * size);
            src.readFully(pos + (long) done * size, chunk);
            switch (e.dtype()) {
                case F64:
                    chunk.asDoubleBuffer().get(reals, done, count);
                    break;
                case F32:
                    for (int i = 0; i < count; i++) reals[done + i] = chunk.getFloat(i * 4);
                    break;
                case I64:
                    chunk.asLongBuffer().get(ints, done, count);
                    break;
                case I32:
                    for (int i = 0; i < count; i++) ints[done + i] = chunk.getInt(i * 4);
                    break;
                default:
                    throw new AssertionError(e.dtype());
            }
            done += count;
        }
        return reals != null ? TensorData.ofTrustedReals(e.dtype(), e.shape(), reals)
                : TensorData.ofTrustedInts(e.dtype(), e.shape(), ints);
    }

    /** Random access to the bytes being read. */
    private interface Source {
        long size() throws IOException;

        /** Fills {@code dst} (position to limit) from byte {@code pos}. */
        void readFully(long pos, ByteBuffer dst) throws IOException;
    }

    private static final class ArraySource implements Source {
        private final byte[] bytes;

        ArraySource(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public void readFully(long pos, ByteBuffer dst) {
            dst.put(bytes, (int) pos, dst.remaining());
            dst.flip();
        }
    }

    private static final class ChannelSource implements Source {
        private final FileChannel ch;
        private final String name;

        ChannelSource(FileChannel ch, String name) {
            this.ch = ch;
            this.name = name;
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public void readFully(long pos, ByteBuffer dst) throws IOException {
            long p = pos;
            while (dst.hasRemaining()) {
                int r = ch.read(dst, p);
                if (r < 0) {
                    throw new SafeTensorsException(name, "unexpected end of file at byte " + p
                            + " (was the file changed while it was being read?)");
                }
                p += r;
            }
            dst.flip();
        }
    }

    // ------------------------------------------------------------------ writing

    /** Test hook: called after the header and after each tensor's data is written. */
    @FunctionalInterface
    interface WriteHook {
        /** @param written the name of the tensor just written, or {@code null} after the header */
        void afterWrite(String written) throws IOException;
    }

    private static final WriteHook NO_HOOK = written -> { };

    /**
     * Serializes {@code file} into a byte array (see the class comment for the layout).
     *
     * @throws IllegalArgumentException if the result would not fit in a byte array (use
     *                                  {@link #write(Path, TensorFile)}), or the header would
     *                                  exceed {@link #MAX_HEADER_BYTES}
     */
    public static byte[] toBytes(TensorFile file) {
        byte[] header = Header.format(file);
        long total = 8L + header.length;
        for (TensorData t : file.tensors().values()) total += t.byteSize();
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("safetensors data of " + total
                    + " bytes does not fit in a byte array; write it to a file instead");
        }
        byte[] out = new byte[(int) total];
        ByteBuffer buf = ByteBuffer.wrap(out);
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                buf.put((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buf.put(b, off, len);
            }
        };
        try {
            serialize(file, header, sink, NO_HOOK);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e); // cannot happen
        }
        return out;
    }

    /**
     * Writes {@code file} to {@code path} atomically: the data goes to a new temporary file in the
     * same directory (named {@code .<name>.<random>.tmp}), which is flushed to disk and then moved
     * over {@code path} with {@link StandardCopyOption#ATOMIC_MOVE} (or a plain replacing move where
     * the file system cannot move atomically). Readers see the old file or the new one, never a
     * partial one. If anything fails, the temporary file is deleted and an existing {@code path} is
     * left untouched. The new file gets default permissions, not those of the file it replaces; a
     * symbolic link at {@code path} is replaced, not followed.
     *
     * @throws IOException              if writing, flushing or moving fails, or {@code path} is a
     *                                  directory
     * @throws IllegalArgumentException if the header would exceed {@link #MAX_HEADER_BYTES}
     */
    public static void write(Path path, TensorFile file) throws IOException {
        write(path, file, NO_HOOK);
    }

    /** {@link #write(Path, TensorFile)} with a hook for failure-injection tests. */
    static void write(Path path, TensorFile file, WriteHook hook) throws IOException {
        Objects.requireNonNull(file, "file");
        Path target = path.toAbsolutePath();
        if (Files.isDirectory(target)) throw new IOException(path + ": is a directory");
        byte[] header = Header.format(file); // fails before any file is created
        Path dir = target.getParent();
        Path tmp = createTemp(dir, target.getFileName().toString());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(ch);
                serialize(file, header, out, hook);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException | RuntimeException suppressed) {
                t.addSuppressed(suppressed);
            }
            throw t;
        }
    }

    private static Path createTemp(Path dir, String fileName) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String random = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            Path tmp = dir.resolve("." + fileName + "." + random + ".tmp");
            try {
                // Not Files.createTempFile: that would make the final file owner-only (0600).
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) throw e;
            }
        }
    }

    /** Writes the length prefix, the (padded) header and the data of every tensor in order. */
    private static void serialize(TensorFile file, byte[] header, OutputStream out, WriteHook hook)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length);
        out.write(buf.array(), 0, 8);
        out.write(header);
        hook.afterWrite(null);
        for (Map.Entry<String, TensorData> e : file.tensors().entrySet()) {
            TensorData t = e.getValue();
            int size = t.dtype().byteSize();
            int n = t.numel();
            buf.clear();
            for (int i = 0; i < n; i++) {
                if (buf.remaining() < size) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                switch (t.dtype()) {
                    case F64: buf.putDouble(t.realAt(i)); break;
                    case F32: buf.putFloat((float) t.realAt(i)); break;
                    case I64: buf.putLong(t.intAt(i)); break;
                    case I32: buf.putInt((int) t.intAt(i)); break;
                    default: throw new AssertionError(t.dtype());
                }
            }
            out.write(buf.array(), 0, buf.position());
            hook.afterWrite(e.getKey());
        }
        out.flush();
    }
}
