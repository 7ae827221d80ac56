package dev.nnc.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The contents of a safetensors file: named tensors in a fixed order, plus string metadata (the
 * header's {@code "__metadata__"} object).
 *
 * <p>Both maps are unmodifiable copies that keep the iteration order of the maps given to the
 * constructor (pass {@link LinkedHashMap}s or use {@link #builder()}). That order is the order in
 * which {@link SafeTensors} writes header entries and data, so equal inputs give byte-identical
 * files. A file that was read keeps the order of its header. {@link #equals} ignores order.
 *
 * @param tensors  the tensors by name
 * @param metadata the {@code __metadata__} entries; empty if there are none
 */
public record TensorFile(Map<String, TensorData> tensors, Map<String, String> metadata) {

    /** The header key reserved for metadata; no tensor may have this name. */
    public static final String METADATA_KEY = "__metadata__";

    /**
     * Copies and checks the maps.
     *
     * @throws NullPointerException     if a map, key or value is null
     * @throws IllegalArgumentException if a tensor is named {@value #METADATA_KEY}, or a name, key or
     *                                  value contains an unpaired UTF-16 surrogate (it could not be
     *                                  written as UTF-8)
     */
    public TensorFile {
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        Map<String, TensorData> t = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "tensor name");
            if (name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("a tensor cannot be named " + METADATA_KEY);
            }
            checkUnicode("tensor name", name);
            t.put(name, Objects.requireNonNull(e.getValue(), () -> "tensor " + name));
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), "metadata key");
            String value = Objects.requireNonNull(e.getValue(), () -> "metadata value of " + key);
            checkUnicode("metadata key", key);
            checkUnicode("metadata value", value);
            m.put(key, value);
        }
        tensors = Collections.unmodifiableMap(t);
        metadata = Collections.unmodifiableMap(m);
    }

    /** A file with these tensors (in the map's iteration order) and no metadata. */
    public static TensorFile of(Map<String, TensorData> tensors) {
        return new TensorFile(tensors, Map.of());
    }

    /** The tensor with this name, if there is one. */
    public Optional<TensorData> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** A builder that keeps insertion order. */
    public static Builder builder() {
        return new Builder();
    }

    private static void checkUnicode(String what, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " contains an unpaired surrogate U+"
                        + String.format("%04X", (int) c) + " at index " + i);
            }
        }
    }

    /** Builds a {@link TensorFile} in insertion order. */
    public static final class Builder {
        private final Map<String, TensorData> tensors = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Adds a tensor after those already added.
         *
         * @throws IllegalArgumentException if a tensor with this name was already added
         */
        public Builder tensor(String name, TensorData data) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(data, "data");
            if (tensors.putIfAbsent(name, data) != null) {
                throw new IllegalArgumentException("duplicate tensor name \"" + name + "\"");
            }
            return this;
        }

        /** Sets a metadata entry (replacing an earlier value for the same key, keeping its position). */
        public Builder metadata(String key, String value) {
            metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The file; the builder can be reused afterwards. */
        public TensorFile build() {
            return new TensorFile(tensors, metadata);
        }
    }
}
