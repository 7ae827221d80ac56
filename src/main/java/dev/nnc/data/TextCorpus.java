package dev.nnc.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A plain text file (UTF-8) read for a character-level language model: its characters as ids of
 * its {@link Vocabulary}, split into a training part and a held-out part at its end (a tenth of
 * the text, at least one window), and windows of {@code seq + 1} characters cut from them: a
 * window's first {@code seq} characters are the tokens, its last {@code seq} the next characters.
 */
public final class TextCorpus {
    /** The fraction of the text held out at its end. */
    public static final double HELD_OUT = 0.1;

    private final String file;
    private final Vocabulary vocabulary;
    private final int[] ids;
    private final int seq;
    private final int trainEnd;

    private TextCorpus(String file, Vocabulary vocabulary, int[] ids, int seq, int trainEnd) {
        this.file = file;
        this.vocabulary = vocabulary;
        this.ids = ids;
        this.seq = seq;
        this.trainEnd = trainEnd;
    }

    /**
     * Reads {@code path} as UTF-8 (a leading byte order mark is dropped) for windows of
     * {@code seq} characters.
     *
     * @throws DataException naming the file if it cannot be read, is not UTF-8 or is too short
     */
    public static TextCorpus read(Path path, int seq) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new DataException(path + ": no such file");
        } catch (IOException e) {
            throw new DataException(path + ": cannot read: " + e.getMessage());
        }
        return of(path.toString(), decode(bytes, path.toString()), seq);
    }

    private static String decode(byte[] bytes, String file) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = d.decode(in, out, true);
        if (!r.isError()) r = d.flush(out);
        if (r.isError()) throw new DataException(file + ": not UTF-8 text: the byte at offset " + in.position() + " is not valid UTF-8");
        out.flip();
        String text = out.toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /**
     * The text {@code text} of file {@code file} (for messages) for windows of {@code seq} characters.
     *
     * @throws DataException naming the file if the text is empty or too short for a training
     *                       window and a held-out window
     */
    public static TextCorpus of(String file, String text, int seq) {
        if (seq < 1) throw new DataException("--seq must be at least 1, got " + seq);
        if (text.isEmpty()) throw new DataException(file + ": the text is empty");
        Vocabulary v = Vocabulary.of(text);
        int[] ids = v.ids(text);
        int n = ids.length;
        if (n < seq + 1) {
            throw new DataException(file + ": " + n + " characters, fewer than one window of " + (seq + 1)
                    + " (--seq " + seq + " and the character after them)");
        }
        int held = Math.max((int) Math.ceil(n * HELD_OUT), seq + 1);
        if (n - held < seq + 1) {
            throw new DataException(file + ": " + n + " characters, fewer than the " + 2 * (seq + 1) + " that a training window and a"
                    + " held-out window of --seq " + seq + " need; use a longer text or a smaller --seq");
        }
        return new TextCorpus(file, v, ids, seq, n - held);
    }

    public String file() {
        return file;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** The characters of a window's tokens. */
    public int seq() {
        return seq;
    }

    /** The number of characters in the text. */
    public int length() {
        return ids.length;
    }

    /** The number of characters in the training part (the text before the held-out part). */
    public int trainLength() {
        return trainEnd;
    }

    /** A training window at an offset drawn from {@code rng}, written at window {@code at} of {@code tokens} and {@code next}. */
    public void trainWindow(SplittableRandom rng, int[] tokens, int[] next, int at) {
        window(rng.nextInt(trainEnd - seq), tokens, next, at);
    }

    /** The number of held-out windows: consecutive, not overlapping, after the training part. */
    public int heldOutWindows() {
        return (ids.length - trainEnd - 1) / seq;
    }

    /** Held-out window {@code i} ({@code < heldOutWindows()}), written at window {@code at} of {@code tokens} and {@code next}. */
    public void heldOutWindow(int i, int[] tokens, int[] next, int at) {
        window(trainEnd + i * seq, tokens, next, at);
    }

    /** The window of characters {@code [offset, offset + seq]}: tokens the first seq, next the last seq. */
    void window(int offset, int[] tokens, int[] next, int at) {
        System.arraycopy(ids, offset, tokens, at * seq, seq);
        System.arraycopy(ids, offset + 1, next, at * seq, seq);
    }
}
