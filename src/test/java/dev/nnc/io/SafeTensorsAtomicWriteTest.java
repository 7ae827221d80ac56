package dev.nnc.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsAtomicWriteTest {

    @TempDir
    Path dir;

    private static final TensorFile FILE = TensorFile.builder()
            .metadata("k", "v")
            .tensor("a", TensorData.f64(new int[] {1000}, new double[1000]))
            .tensor("b", TensorData.i32(new int[] {3}, new int[] {1, 2, 3}))
            .build();

    private List<Path> listing() throws IOException {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** A hook that throws {@code failure} at its {@code n}-th call (0 = after the header). */
    private static SafeTensors.WriteHook failAt(int n, Exception failure) {
        AtomicInteger calls = new AtomicInteger();
        return written -> {
            if (calls.getAndIncrement() == n) {
                if (failure instanceof IOException) throw (IOException) failure;
                throw (RuntimeException) failure;
            }
        };
    }

    @Test
    void ioFailureMidwayLeavesOldFileAndNoTemp() throws Exception {
        Path dest = dir.resolve("model.safetensors");
        byte[] old = "old contents".getBytes();
        Files.write(dest, old);
        IOException boom = new IOException("disk full (injected)");
        IOException thrown = assertThrows(IOException.class, () -> SafeTensors.write(dest, FILE, failAt(1, boom)));
        assertSame(boom, thrown);
        assertArrayEquals(old, Files.readAllBytes(dest));
        assertEquals(List.of(dest), listing());
    }

    @Test
    void runtimeFailureAfterHeaderLeavesOldFileAndNoTemp() throws Exception {
        Path dest = dir.resolve("model.safetensors");
        SafeTensors.write(dest, TensorFile.of(java.util.Map.of()));
        byte[] old = Files.readAllBytes(dest);
        RuntimeException boom = new IllegalStateException("serializer bug (injected)");
        assertSame(boom, assertThrows(IllegalStateException.class,
                () -> SafeTensors.write(dest, FILE, failAt(0, boom))));
        assertArrayEquals(old, Files.readAllBytes(dest));
        assertEquals(List.of(dest), listing());
    }

    @Test
    void failureAfterAllDataBeforeMoveLeavesOldFile() throws Exception {
        Path dest = dir.resolve("model.safetensors");
        Files.write(dest, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> SafeTensors.write(dest, FILE, failAt(2, new IOException("late"))));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dest));
        assertEquals(List.of(dest), listing());
    }

    @Test
    void failureWithoutExistingDestinationCreatesNothing() throws Exception {
        Path dest = dir.resolve("new.safetensors");
        assertThrows(IOException.class, () -> SafeTensors.write(dest, FILE, failAt(1, new IOException("x"))));
        assertFalse(Files.exists(dest));
        assertEquals(List.of(), listing());
    }

    @Test
    void hookSeesHeaderThenEachTensorInOrder() throws Exception {
        Path dest = dir.resolve("m.safetensors");
        List<String> seen = new java.util.ArrayList<>();
        SafeTensors.write(dest, FILE, seen::add);
        assertEquals(java.util.Arrays.asList(null, "a", "b"), seen);
        assertEquals(FILE, SafeTensors.read(dest));
    }

    @Test
    void missingDirectoryFailsCleanly() {
        Path dest = dir.resolve("no/such/dir/m.safetensors");
        assertThrows(NoSuchFileException.class, () -> SafeTensors.write(dest, FILE));
        assertFalse(Files.exists(dir.resolve("no")));
    }

    @Test
    void destinationIsADirectory() throws Exception {
        Path dest = Files.createDirectory(dir.resolve("d.safetensors"));
        IOException e = assertThrows(IOException.class, () -> SafeTensors.write(dest, FILE));
        assertTrue(e.getMessage().endsWith("is a directory"), e.getMessage());
        assertTrue(Files.isDirectory(dest));
        assertEquals(List.of(dest), listing());
    }

    @Test
    void writtenFileHasDefaultPermissionsNotTempFilePermissions() throws Exception {
        Assumptions.assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null);
        Path reference = Files.write(dir.resolve("plain"), new byte[0]);
        Path dest = dir.resolve("m.safetensors");
        SafeTensors.write(dest, FILE);
        assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(dest));
    }
}
