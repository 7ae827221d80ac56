package dev.nnc.diag;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders diagnostics the one way nnc shows them:
 * <pre>
 * model.nn:12:18: error[E301]: cannot add [batch, 256] and [128]: dimension 1 is 256 vs 128
 *     h = relu(x @ w1 + b1)
 *                     ^
 *   hint: did you mean 'w1'?
 * </pre>
 */
public final class Renderer {
    /** Source lines longer than this are shown as a window around the caret. */
    static final int MAX_WIDTH = 100;

    private Renderer() {}

    /** Renders one diagnostic; {@code source} is the file's text, or null if unknown. */
    public static String render(Diagnostic d, String source) {
        return render(d, source, null);
    }

    /** {@link #render(Diagnostic, String)}, finding the line by {@code index} when it is not null. */
    private static String render(Diagnostic d, String source, Lines index) {
        StringBuilder sb = new StringBuilder();
        Span s = d.span();
        if (s.isNone()) {
            sb.append(s.file());
        } else {
            sb.append(s.file()).append(':').append(s.line()).append(':').append(s.col());
        }
        sb.append(": error[").append(d.kind().code()).append("]: ").append(d.message()).append('\n');
        if (source != null && !s.isNone()) {
            String line = index != null ? index.text(s.line()) : lineText(source, s.line());
            if (line != null) {
                String shown = line.replace('\t', ' ');
                int caretCol = Math.max(1, Math.min(s.col(), shown.length() + 1));
                if (shown.length() > MAX_WIDTH) {
                    // Show a window around the caret, marking what is cut with "...".
                    int from = Math.max(0, Math.min(caretCol - 1 - MAX_WIDTH / 2, shown.length() - MAX_WIDTH));
                    int to = Math.min(shown.length(), from + MAX_WIDTH);
                    String window = (from > 0 ? "..." : "") + shown.substring(from, to) + (to < shown.length() ? "..." : "");
                    caretCol = caretCol - from + (from > 0 ? 3 : 0);
                    shown = window;
                }
                sb.append("    ").append(shown).append('\n');
                sb.append("    ").append(" ".repeat(caretCol - 1)).append('^').append('\n');
            }
        }
        if (d.hint() != null) sb.append("  hint: ").append(d.hint()).append('\n');
        return sb.toString();
    }

    /** Renders all diagnostics in file order; {@code sources} maps file names to their text. */
    public static String renderAll(List<Diagnostic> ds, Map<String, String> sources) {
        StringBuilder sb = new StringBuilder();
        Map<String, Lines> indexes = new HashMap<>(); // so many diagnostics take linear time, not quadratic
        for (Diagnostic d : ds) {
            String source = sources.get(d.span().file());
            Lines index = source == null ? null : indexes.computeIfAbsent(d.span().file(), f -> new Lines(source));
            sb.append(render(d, source, index));
        }
        return sb.toString();
    }

    /** The start offset of every line of a text, for {@link #lineText} without rescanning. */
    private static final class Lines {
        private final String source;
        private final int[] starts;

        Lines(String source) {
            this.source = source;
            int n = 1;
            for (int i = 0; i < source.length(); i++) if (source.charAt(i) == '\n') n++;
            starts = new int[n];
            for (int i = 0, l = 1; i < source.length(); i++) if (source.charAt(i) == '\n') starts[l++] = i + 1;
        }

        /** The same as {@code lineText(source, line)}. */
        String text(int line) {
            if (line < 1 || line > starts.length) return null;
            int start = starts[line - 1];
            int end = line < starts.length ? starts[line] - 1 : source.length();
            String text = source.substring(start, end);
            if (text.endsWith("\r")) text = text.substring(0, text.length() - 1);
            return text;
        }
    }

    static String lineText(String source, int line) {
        int start = 0;
        for (int l = 1; l < line; l++) {
            int nl = source.indexOf('\n', start);
            if (nl < 0) return null;
            start = nl + 1;
        }
        int end = source.indexOf('\n', start);
        if (end < 0) end = source.length();
        String text = source.substring(start, end);
        if (text.endsWith("\r")) text = text.substring(0, text.length() - 1);
        return text;
    }
}
