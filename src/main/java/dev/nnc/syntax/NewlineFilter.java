package dev.nnc.syntax;

import dev.nnc.syntax.antlr.NNLexer;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenSource;

/**
 * Decides where statements end, between the lexer and the parser. It reads every token of
 * the lexer and keeps the significant ones (comments are dropped) plus the NEWLINEs that end
 * a statement. A NEWLINE is dropped:
 * <ul>
 *   <li>inside {@code ( )} or {@code [ ]} (a {@code '{'} or {@code '}'} resets that depth, so a
 *       forgotten {@code ')'} does not swallow the rest of the file);</li>
 *   <li>after a token that cannot end a statement: a binary operator {@code + - * / @ ^} or a
 *       comparison {@code < <= > >= == !=},
 *       {@code ','}, {@code '='}, {@code ':'}, {@code '{'}, {@code ';'};</li>
 *   <li>at the start of the file, and before a {@code '{'} (so {@code model M} may put its brace
 *       on the next line);</li>
 *   <li>after another NEWLINE (runs collapse to one).</li>
 * </ul>
 * A block comment that spans lines counts as a line break, as in Go. When the last significant
 * token is not already a separator, a NEWLINE is added before EOF, so every {@code fn} and
 * {@code package} declaration ends with one.
 *
 * <p>It also enforces the limits that keep the parser safe: bracket nesting
 * ({@link Parser#MAX_NESTING}), tokens per file ({@link Parser#MAX_TOKENS}) and tokens per
 * statement ({@link Parser#MAX_STATEMENT_TOKENS}). When one is exceeded it stops and reports
 * it in {@link Result#limit}.
 */
final class NewlineFilter {
    private NewlineFilter() {}

    /** What the filter produced. */
    static final class Result {
        /** The significant tokens, indexed 0.., ending with EOF (all on the default channel). */
        final List<Token> tokens;
        /** Null, or the limit that was exceeded. */
        final Limit limit;

        Result(List<Token> tokens, Limit limit) {
            this.tokens = tokens;
            this.limit = limit;
        }
    }

    /** A limit exceeded at {@code token}: TOO_DEEP when {@code deep}, else TOO_LARGE. */
    record Limit(boolean deep, Token token, String detail) {}

    /** Runs the lexer to its end (or to the first limit) and filters its tokens. */
    static Result run(TokenSource lexer, String source) {
        List<Token> out = new ArrayList<>();
        Token prevSig = null; // last kept token that is not a NEWLINE
        Token pendingNl = null; // a NEWLINE kept back until the next significant token
        int depth = 0;
        int stmtTokens = 0;
        while (true) {
            Token t = lexer.nextToken();
            int type = t.getType();
            if (type == NNLexer.LINE_COMMENT) continue;
            if (type == NNLexer.BLOCK_COMMENT) {
                if (!spansLines(source, t)) continue;
                CommonToken nl = new CommonToken(t);
                nl.setType(NNLexer.NEWLINE);
                nl.setChannel(Token.DEFAULT_CHANNEL);
                t = nl;
                type = NNLexer.NEWLINE;
            }
            if (t.getChannel() != Token.DEFAULT_CHANNEL) continue;
            if (type == NNLexer.NEWLINE) {
                if (depth > 0 || prevSig == null || continues(prevSig.getType()) || pendingNl != null) continue;
                pendingNl = t;
                continue;
            }
            if (type == Token.EOF && pendingNl == null && prevSig != null && !isSeparator(prevSig.getType())) {
                pendingNl = endOfFileNewline(t);
            }
            if (pendingNl != null) {
                if (type != NNLexer.LBRACE) {
                    add(out, pendingNl);
                    stmtTokens = 0;
                }
                pendingNl = null;
            }
            switch (type) {
                case NNLexer.LPAREN, NNLexer.LBRACK -> {
                    if (++depth > Parser.MAX_NESTING) {
                        return new Result(out, new Limit(true, t, String.valueOf(Parser.MAX_NESTING)));
                    }
                }
                case NNLexer.RPAREN, NNLexer.RBRACK -> depth = Math.max(0, depth - 1);
                case NNLexer.LBRACE, NNLexer.RBRACE -> depth = 0;
                default -> { }
            }
            add(out, t);
            if (type == Token.EOF) return new Result(out, null);
            if (out.size() > Parser.MAX_TOKENS) {
                return new Result(out, new Limit(false, t, "more than " + Parser.MAX_TOKENS + " tokens"));
            }
            if (type == NNLexer.SEMI || type == NNLexer.LBRACE || type == NNLexer.RBRACE) {
                stmtTokens = 0;
            } else if (++stmtTokens > Parser.MAX_STATEMENT_TOKENS) {
                return new Result(out, new Limit(false, t,
                        "a statement of more than " + Parser.MAX_STATEMENT_TOKENS + " tokens"));
            }
            prevSig = t;
        }
    }

    private static void add(List<Token> out, Token t) {
        if (t instanceof CommonToken ct) ct.setTokenIndex(out.size());
        out.add(t);
    }

    /** True when a line break after a token of this type continues the statement. */
    static boolean continues(int type) {
        return switch (type) {
            case NNLexer.PLUS, NNLexer.MINUS, NNLexer.STAR, NNLexer.SLASH, NNLexer.AT, NNLexer.CARET,
                    NNLexer.LT, NNLexer.LE, NNLexer.GT, NNLexer.GE, NNLexer.EQ, NNLexer.NE,
                    NNLexer.COMMA, NNLexer.ASSIGN, NNLexer.COLON, NNLexer.LBRACE,
                    NNLexer.SEMI, NNLexer.LPAREN, NNLexer.LBRACK -> true;
            default -> false;
        };
    }

    private static boolean isSeparator(int type) {
        return type == NNLexer.SEMI || type == NNLexer.NEWLINE;
    }

    private static boolean spansLines(String source, Token t) {
        int end = Math.min(t.getStopIndex(), source.length() - 1);
        for (int i = t.getStartIndex(); i <= end; i++) {
            if (source.charAt(i) == '\n') return true;
        }
        return false;
    }

    private static Token endOfFileNewline(Token eof) {
        CommonToken nl = new CommonToken(eof);
        nl.setType(NNLexer.NEWLINE);
        nl.setText("\n");
        return nl;
    }
}
