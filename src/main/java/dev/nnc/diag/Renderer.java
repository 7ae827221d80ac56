package dev.nnc.diag;

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
        StringBuilder sb = new StringBuilder();
        Span s = d.span();
        if (s.isNone()) {
            sb.append(s.file());
        } else {
            sb.append(s.file()).append(':').append(s.line()).append(':').append(s.col());
        }
        sb.append(": error[").append(d.kind().code()).append("]: ").append(d.message()).append('\n');
        if (source != null && !s.isNone()) {
            String line = lineText(source, s.line());
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
        for (Diagnostic d : ds) sb.append(render(d, sources.get(d.span().file())));
        return sb.toString();
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
