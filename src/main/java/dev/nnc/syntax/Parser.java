package dev.nnc.syntax;

import dev.nnc.diag.Diagnostic;
import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Span;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The front end of nnc: the text of a {@code .nn} file to an {@link Ast.File}.
 *
 * <p>It never throws for any source text: every problem becomes a {@link Diagnostic} with
 * the file, line and column, collected in the given {@link Diagnostics}:
 * <ul>
 *   <li>{@link ErrorKind#SYNTAX} (E100), {@link ErrorKind#BAD_CHARACTER} (E101) and
 *       {@link ErrorKind#UNTERMINATED_COMMENT} (E102): at most one per statement (or
 *       declaration); after an error the parser skips to the end of that statement, or, at the
 *       top level, to the next line that starts a {@code fn}, {@code model} or
 *       {@code package}, and carries on, so one file can report several;</li>
 *   <li>{@link ErrorKind#DUPLICATE_PACKAGE} (E510) for a second {@code package} statement;</li>
 *   <li>{@link ErrorKind#TOO_DEEP} (E103): brackets nested more than {@link #MAX_NESTING}
 *       levels (the whole file is rejected), or an expression tree deeper than
 *       {@link #MAX_EXPR_DEPTH} nodes (that statement is dropped), so that code walking the
 *       AST recursively is safe;</li>
 *   <li>{@link ErrorKind#TOO_LARGE} (E104): more than {@link #MAX_SOURCE_CHARS} characters,
 *       {@link #MAX_TOKENS} tokens, or {@link #MAX_STATEMENT_TOKENS} tokens in one
 *       statement (the whole file is rejected).</li>
 * </ul>
 *
 * <p><b>Result on errors.</b> When the file is rejected as a whole (too large, too deep, or an
 * internal failure, reported as E100) the result is {@code null}. Otherwise the result is a
 * partial {@link Ast.File}: it holds every declaration and statement that parsed without
 * error, and leaves out the ones that had an error (a model whose header is broken is left
 * out with its body; a model whose closing brace is missing keeps the statements before the
 * end of the file). A caller should not go on to later phases when
 * {@link Diagnostics#hasErrors()}.
 */
public final class Parser {
    private Parser() {}

    /** Largest source accepted, in characters (UTF-16 units). */
    public static final int MAX_SOURCE_CHARS = 16 * 1024 * 1024;
    /** Most tokens accepted in a file (comments and line breaks not counted). */
    public static final int MAX_TOKENS = 2_000_000;
    /** Most tokens accepted in one statement or declaration. */
    public static final int MAX_STATEMENT_TOKENS = 100_000;
    /** Deepest nesting of {@code ( )} and {@code [ ]} accepted. */
    public static final int MAX_NESTING = 1000;
    /** Deepest expression tree accepted, counted in nodes from the root to a leaf. */
    public static final int MAX_EXPR_DEPTH = 1000;

    /**
     * Parses {@code source}, the text of the file named {@code path} (the name is only used in
     * spans). Returns the AST, or null when the file is rejected as a whole (see the class
     * comment); never throws for any text.
     */
    public static Ast.File parse(String path, String source, Diagnostics diags) {
        Objects.requireNonNull(diags, "diags");
        String file = path == null ? "<input>" : path;
        String text = source == null ? "" : source;
        Diagnostics local = new Diagnostics();
        Ast.File result;
        try {
            result = new ParseRun(file, text, local).run();
        } catch (StackOverflowError | OutOfMemoryError | RuntimeException e) {
            local.error(ErrorKind.SYNTAX, new Span(file, 1, 1, 0, 0),
                    "internal error in the parser (" + e.getClass().getSimpleName() + "); please report it");
            result = null;
        }
        for (Diagnostic d : local.all()) diags.add(d);
        return result;
    }

    /**
     * Reads {@code file} as UTF-8 (malformed bytes become U+FFFD, reported where they are not in
     * a comment) and parses it; the span file name is {@code file.toString()}.
     *
     * @throws IOException when the file cannot be read (the only exception: text never throws)
     */
    public static Ast.File parse(Path file, Diagnostics diags) throws IOException {
        Objects.requireNonNull(diags, "diags");
        String name = file.toString();
        long size = Files.size(file);
        if (size > 4L * MAX_SOURCE_CHARS) {
            diags.error(ErrorKind.TOO_LARGE, new Span(name, 1, 1, 0, 0),
                    size + " bytes (the limit is " + MAX_SOURCE_CHARS + " characters)");
            return null;
        }
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        return parse(name, text, diags);
    }
}
