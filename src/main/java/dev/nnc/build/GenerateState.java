package dev.nnc.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an incremental {@link Generator} run left behind, read by the next run: the options
 * fingerprint, and per input (absolute path) its modification time, content hash and the Java
 * files made from it (relative to the output folder, with their modification times). A plain
 * text file:
 * <pre>
 * nnc-generate-state 1
 * fingerprint package=(file) precision=(file) compiler=nnc-0.1.0.jar@415099/1732855000000
 * source 1732855012000 3f5a…e1 /home/me/app/src/main/nn/demo/classifier.nn
 * output 1732855013000 demo/Classifier.java
 * </pre>
 * A missing or unreadable file reads as empty: everything is compiled again.
 */
record GenerateState(String fingerprint, Map<String, Entry> entries) {
    static final String HEADER = "nnc-generate-state 1";
    static final GenerateState EMPTY = new GenerateState("", Map.of());

    /** One input: when it was last seen, its SHA-256, and its outputs (relative path → modification time). */
    record Entry(long mtime, String hash, Map<String, Long> outputs) {}

    static GenerateState read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return EMPTY;
        } catch (IOException e) {
            return EMPTY;
        }
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) return EMPTY;
        String fingerprint = "";
        Map<String, Entry> entries = new LinkedHashMap<>();
        Entry current = null;
        try {
            for (String line : lines.subList(1, lines.size())) {
                if (line.startsWith("fingerprint ")) {
                    fingerprint = line.substring("fingerprint ".length());
                } else if (line.startsWith("source ")) {
                    String[] f = line.split(" ", 4);
                    current = new Entry(Long.parseLong(f[1]), f[2], new LinkedHashMap<>());
                    entries.put(f[3], current);
                } else if (line.startsWith("output ") && current != null) {
                    String[] f = line.split(" ", 3);
                    current.outputs().put(f[2], Long.parseLong(f[1]));
                } else if (!line.isEmpty()) {
                    return EMPTY;
                }
            }
        } catch (RuntimeException e) { // a garbled line: start over
            return EMPTY;
        }
        return new GenerateState(fingerprint, entries);
    }

    void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        sb.append("fingerprint ").append(fingerprint).append('\n');
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry en = e.getValue();
            sb.append("source ").append(en.mtime()).append(' ').append(en.hash()).append(' ').append(e.getKey()).append('\n');
            for (Map.Entry<String, Long> o : en.outputs().entrySet()) {
                sb.append("output ").append(o.getValue()).append(' ').append(o.getKey()).append('\n');
            }
        }
        Generator.writeAtomically(file, sb.toString());
    }
}
