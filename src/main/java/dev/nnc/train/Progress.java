package dev.nnc.train;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Epoch progress: on a terminal a bar redrawn in place (with the running loss and rows per
 * second), otherwise one plain line per epoch, or nothing.
 */
public final class Progress {
    /** How progress is shown. */
    public enum Mode { BAR, LINES, NONE }

    private static final int BAR_WIDTH = 24;
    private static final long REDRAW_NANOS = 80_000_000L;

    private final PrintWriter out;
    private final Mode mode;
    private final String unit;
    private String prefix = "";
    private int epoch, epochs, rows;
    private long start, lastDraw;
    private int lastLength;
    private boolean lineOpen;
    private double lossSum;
    private int lossRows;

    public Progress(PrintWriter out, Mode mode) {
        this(out, mode, "rows");
    }

    /** Progress counting {@code unit} ("rows", "windows") per second. */
    public Progress(PrintWriter out, Mode mode, String unit) {
        this.out = out;
        this.mode = mode;
        this.unit = unit;
    }

    public Mode mode() {
        return mode;
    }

    /** Starts epoch {@code epoch} (1-based) of {@code epochs}, over {@code rows} rows; {@code prefix} names the run ("fold 2/5"). */
    public void epochStart(String prefix, int epoch, int epochs, int rows) {
        this.prefix = prefix.isEmpty() ? "" : prefix + "  ";
        this.epoch = epoch;
        this.epochs = epochs;
        this.rows = rows;
        this.start = System.nanoTime();
        this.lossSum = 0;
        this.lossRows = 0;
    }

    /** After a training step: {@code done} rows of this epoch are done; {@code loss} is the step's loss. */
    public void step(int done, double loss) {
        if (mode != Mode.BAR) return;
        lossSum += loss * (done - lossRows);
        lossRows = done;
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS) return;
        lastDraw = now;
        draw(done, lossSum / Math.max(1, done), now, "");
    }

    private void draw(int done, double loss, long now, String extra) {
        int filled = (int) ((long) BAR_WIDTH * done / Math.max(1, rows));
        StringBuilder sb = new StringBuilder("\r").append(prefix);
        sb.append(String.format(Locale.ROOT, "epoch %" + digits(epochs) + "d/%d [", epoch, epochs));
        for (int i = 0; i < BAR_WIDTH; i++) sb.append(i < filled ? '=' : i == filled ? '>' : ' ');
        sb.append(String.format(Locale.ROOT, "] %3d%%  loss %.4g  %s %s/s", 100L * done / Math.max(1, rows), loss,
                rate(done, now - start), unit));
        sb.append(extra);
        int len = sb.length();
        for (int i = len; i < lastLength; i++) sb.append(' ');
        lastLength = len;
        out.print(sb);
        out.flush();
        lineOpen = true;
    }

    /** Ends the epoch with its mean loss (the bar is redrawn at most every 80 ms, and after the last epoch). */
    public void epochEnd(double meanLoss) {
        long now = System.nanoTime();
        if (mode == Mode.BAR) {
            if (epoch == epochs || now - lastDraw >= REDRAW_NANOS) {
                lastDraw = now;
                draw(rows, meanLoss, now, "");
            }
        } else {
            epochEnd(meanLoss, "");
        }
    }

    /**
     * Ends the epoch with its mean loss and {@code extra} after it (", held-out loss 2.1"); a bar
     * is drawn in full and its line ended, so that every epoch keeps its line.
     */
    public void epochEnd(double meanLoss, String extra) {
        long now = System.nanoTime();
        if (mode == Mode.BAR) {
            lastDraw = now;
            draw(rows, meanLoss, now, extra);
            finish();
        } else if (mode == Mode.LINES) {
            out.println(String.format(Locale.ROOT, "%sepoch %d/%d: loss %.6g, %s %s/s%s", prefix, epoch, epochs, meanLoss,
                    rate(rows, now - start), unit, extra));
            out.flush();
        }
    }

    /** Ends the bar's line (after the last epoch of a run), so the next text starts on a new line. */
    public void finish() {
        if (lineOpen) {
            out.println();
            out.flush();
            lineOpen = false;
            lastLength = 0;
        }
    }

    /** A line of its own, in every mode (a bar's line is ended first). */
    public void note(String line) {
        finish();
        out.println(line);
        out.flush();
    }

    private static String rate(int rows, long nanos) {
        double r = rows / Math.max(1e-9, nanos / 1e9);
        return String.format(Locale.ROOT, "%,.0f", r);
    }

    private static int digits(int n) {
        return Integer.toString(n).length();
    }
}
