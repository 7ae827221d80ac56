package dev.nnc.syntax;

import static dev.nnc.syntax.antlr.NNLexer.*;

import dev.nnc.diag.Diagnostic;
import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Span;
import dev.nnc.diag.Suggest;
import dev.nnc.syntax.antlr.NNParser;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.RuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * The syntax errors of one parse ({@link ParseRun}), in words: what the parser expected where,
 * which bracket is still open, which earlier line's operator carried the statement on, a bad
 * character or a comment never closed; and the spans they point at.
 */
final class SyntaxErrors {
    private final String file;
    private final String source;
    private final Diagnostics diags;
    private List<Token> toks = List.of();
    private boolean unterminatedReported;

    SyntaxErrors(String file, String source, Diagnostics diags) {
        this.file = file;
        this.source = source;
        this.diags = diags;
    }

    /** The filtered tokens of the file, once lexed. */
    void tokens(List<Token> tokens) {
        this.toks = tokens;
    }

    private static final List<String> STMT_KEYWORDS =
            List.of("dim", "const", "input", "param", "buffer", "output", "optimizer", "precision");

    /** "did you mean 'model'?" when {@code word name} looks like a misspelt keyword and a name. */
    static String didYouMean(Token word, Token next, List<String> keywords) {
        if (word.getType() != ID || !isIdent(next.getType())) return null;
        String k = Suggest.closest(word.getText(), keywords);
        return k == null ? null : "did you mean '" + k + "'?";
    }

    // ------------------------------------------------------------------ messages

    /** Reports the parser's first error in the piece that starts at token {@code start}; {@code next} is the token it stopped at. */
    void reportRecognition(RecognitionException e, int start, Token next) {
        Token x = e.getOffendingToken() != null ? e.getOffendingToken() : next;
        if (reportBadToken(x)) return;
        Token p = previous(x);
        IntervalSet expected = expectedTokens(e);
        RuleContext ctx = e.getCtx();
        if (ctx instanceof NNParser.IdentContext && ctx.parent != null) ctx = ctx.parent;
        if (ctx instanceof NNParser.ShapeContext && ctx.parent instanceof NNParser.StmtContext) ctx = ctx.parent;
        String hint = null;
        String msg = null;
        Span where = at(x, p);

        if (e instanceof NoViableAltException nv && ctx != null && ctx.getClass() == NNParser.StmtContext.class) {
            Token first = nv.getStartToken();
            if (x.getTokenIndex() == first.getTokenIndex()) {
                msg = "expected a statement, found " + show(x);
                if (isBinaryOperator(x.getType()) && (p == null || p.getType() == NEWLINE)) {
                    hint = "a line break ends a statement; to continue an expression on the next line,"
                            + " end the line with the operator";
                }
                where = tokenSpan(x);
            } else {
                String what = switch (first.getType()) {
                    case DIM, CONST, INPUT, PARAM, BUFFER, OUTPUT -> "a name";
                    case OPTIMIZER -> "an optimizer such as sgd(lr = 0.01)";
                    case PRECISION -> "f32 or f64";
                    default -> null;
                };
                String tail = isEndOfLine(x.getType()) || x.getType() == SEMI ? "" : ", found " + show(x);
                msg = "expected " + (what != null ? what : "'='") + " after '" + first.getText() + "'" + tail;
            }
        } else if (expected.contains(NUMBER)) {
            if (isEnd(x.getType()) && x.getType() != COMMA && p != null) {
                msg = "missing expression after " + show(p);
                if (isEndOfLine(x.getType()) || x.getLine() != p.getLine()) where = after(p);
                hint = ""; // the missing piece is right there: no continuation hint
            } else {
                msg = "expected an expression, found " + show(x);
                if (x.getType() == STAR && p != null && p.getType() == STAR) hint = "use ^ for powers: x ^ 2";
            }
        } else if (p != null && (p.getType() == LPAREN || p.getType() == LBRACK || p.getType() == COMMA)
                && (!isEnd(x.getType()) || x.getType() == COMMA)
                && innermostOpen(start, x.getTokenIndex()) != null) {
            // after '(' or ',' in a list: an entry is missing or malformed
            msg = "expected " + (ctx instanceof NNParser.FnDeclContext ? "a name" : "an expression") + ", found " + show(x);
        } else {
            Token open = innermostOpen(start, x.getTokenIndex());
            int closer = open == null ? -1 : (open.getType() == LPAREN ? RPAREN : RBRACK);
            if (open != null && expected.contains(closer)) {
                msg = "expected '" + (closer == RPAREN ? ")" : "]") + "' to close '" + open.getText()
                        + "' at line " + open.getLine();
            } else {
                List<String> names = describe(expected, ctx, x);
                if (!names.isEmpty() && names.size() <= 3) {
                    msg = "expected " + orList(names) + found(x, p);
                } else {
                    msg = "unexpected " + show(x);
                    where = tokenSpan(x);
                }
            }
        }
        if (hint == null && ctx instanceof NNParser.StmtContext && p != null && x.getTokenIndex() == start + 1) {
            hint = didYouMean(p, x, STMT_KEYWORDS);
        }
        if (hint == null && (x.getType() == TRUE || x.getType() == FALSE)) {
            hint = "'true' and 'false' are reserved words: they cannot be names";
        }
        if (hint == null) hint = continuationHint(start, x);
        syntax(where, msg, hint == null || hint.isEmpty() ? null : hint);
    }

    /** ", found 'x'", or " after 'p'" when the statement just ended. */
    private String found(Token x, Token p) {
        if (isEndOfLine(x.getType()) || x.getType() == SEMI) {
            Token prev = p != null ? p : previous(x);
            return prev == null ? "" : " after " + show(prev);
        }
        return ", found " + show(x);
    }

    /** The expected tokens worth naming: not the operators that could continue an expression. */
    private static List<String> describe(IntervalSet expected, RuleContext ctx, Token x) {
        Set<String> out = new LinkedHashSet<>();
        boolean afterOperand = expected.contains(PLUS) || expected.contains(STAR) || expected.contains(AT)
                || expected.contains(CARET) || expected.contains(DOT);
        boolean shapeStmt = ctx instanceof NNParser.InputStmtContext || ctx instanceof NNParser.ParamStmtContext
                || ctx instanceof NNParser.BufferStmtContext;
        for (int type : expected.toList()) {
            if (type == Token.EOF || type == Token.EPSILON) continue;
            if (afterOperand && (isBinaryOperator(type) || type == DOT || type == LPAREN || type == LBRACK)) continue;
            if (isIdent(type)) {
                String name = "a name";
                if (ctx instanceof NNParser.ModelHeadContext) name = "a model name";
                else if (ctx instanceof NNParser.PostfixContext) name = "'T'";
                else if (ctx instanceof NNParser.FnDeclContext f && x.getTokenIndex() == f.start.getTokenIndex() + 1) {
                    name = "a function name";
                }
                out.add(name);
            } else if (type == LBRACK && shapeStmt) {
                out.add("a shape such as [batch, 3]");
            } else if (type == INT && shapeStmt) {
                continue;
            } else {
                out.add(NNParser.VOCABULARY.getLiteralName(type) != null
                        ? NNParser.VOCABULARY.getLiteralName(type)
                        : NNParser.VOCABULARY.getDisplayName(type));
            }
        }
        return new ArrayList<>(out);
    }

    private static String orList(List<String> xs) {
        if (xs.size() == 1) return xs.get(0);
        return String.join(", ", xs.subList(0, xs.size() - 1)) + " or " + xs.get(xs.size() - 1);
    }

    private static IntervalSet expectedTokens(RecognitionException e) {
        try {
            IntervalSet s = e.getExpectedTokens();
            return s == null ? new IntervalSet() : s;
        } catch (RuntimeException ex) {
            return new IntervalSet();
        }
    }

    /** The innermost '(' or '[' opened and not closed in tokens [start, end). */
    private Token innermostOpen(int start, int end) {
        ArrayDeque<Token> open = new ArrayDeque<>();
        for (int i = Math.max(0, start); i < end && i < toks.size(); i++) {
            Token t = toks.get(i);
            switch (t.getType()) {
                case LPAREN, LBRACK -> open.push(t);
                case RPAREN, RBRACK -> {
                    if (!open.isEmpty()) open.pop();
                }
                default -> { }
            }
        }
        return open.peek();
    }

    /**
     * When the error is on a line that the statement reached only because an earlier line
     * ended with an operator, '=' or ':', says so: that operator is usually the mistake.
     */
    String continuationHint(int start, Token x) {
        int depth = 0;
        Token joined = null;
        for (int i = Math.max(0, start); i < x.getTokenIndex() && i + 1 < toks.size(); i++) {
            Token t = toks.get(i);
            switch (t.getType()) {
                case LPAREN, LBRACK -> depth++;
                case RPAREN, RBRACK -> depth = Math.max(0, depth - 1);
                default -> { }
            }
            Token next = toks.get(i + 1);
            int type = t.getType();
            if (depth == 0 && next.getLine() > t.getLine()
                    && (isBinaryOperator(type) || type == ASSIGN || type == COLON)) {
                joined = t;
            }
        }
        if (joined == null || x.getLine() <= joined.getLine()) return null;
        return "line " + joined.getLine() + " ends with " + show(joined)
                + ", so the statement continues on the next line";
    }

    /** Reports a bad character or an unterminated comment; false for any other token. */
    boolean reportBadToken(Token t) {
        if (t.getType() == BAD_CHAR) {
            int cp = source.codePointAt(t.getStartIndex());
            int len = Character.charCount(cp);
            Span s = new Span(file, t.getLine(), t.getCharPositionInLine() + 1, t.getStartIndex(),
                    Math.min(source.length(), t.getStartIndex() + len));
            String shown = Character.isISOControl(cp) || Character.isWhitespace(cp) || cp == 0xFFFD
                    ? String.format("U+%04X", cp) : "'" + new String(Character.toChars(cp)) + "'";
            String hint = null;
            if (cp == 0xFFFD) hint = "bytes that are not UTF-8 read as U+FFFD: nnc reads .nn files as UTF-8; save the file as UTF-8";
            else if (cp == '#') hint = "comments start with //";
            else if (Character.isLetter(cp)) hint = "names use only the letters A-Z and a-z, digits and _";
            else if (cp == '"' || cp == '\'' || cp == '\u2018' || cp == '\u201c') hint = "the language has no strings";
            diags.add(new Diagnostic(ErrorKind.BAD_CHARACTER, s, ErrorKind.BAD_CHARACTER.format(shown), hint));
            return true;
        }
        if (t.getType() == UNTERMINATED_COMMENT) {
            if (!unterminatedReported) {
                unterminatedReported = true;
                diags.error(ErrorKind.UNTERMINATED_COMMENT, tokenSpan(t));
            }
            return true;
        }
        return false;
    }

    void report(AstBuilder.BuildError e) {
        diags.add(new Diagnostic(e.kind, e.span, e.text, e.hint));
    }

    void syntax(Span span, String msg, String hint) {
        diags.add(new Diagnostic(ErrorKind.SYNTAX, span, ErrorKind.SYNTAX.format(msg), hint));
    }

    // ------------------------------------------------------------------ tokens

    private Token previous(Token x) {
        int i = x.getTokenIndex();
        return i > 0 && i - 1 < toks.size() ? toks.get(i - 1) : null;
    }

    Token previousSignificant(Token x) {
        for (int i = x.getTokenIndex() - 1; i >= 0; i--) {
            Token t = toks.get(i);
            if (t.getType() != NEWLINE && t.getType() != SEMI) return t;
        }
        return x;
    }

    /** Where to point for an error at {@code x}: right after {@code p} when x is on a later line. */
    private Span at(Token x, Token p) {
        if (p != null && p.getType() != NEWLINE && (isEndOfLine(x.getType()) || x.getLine() != p.getLine())) {
            return after(p);
        }
        return tokenSpan(x);
    }

    /** An empty span just after {@code t} (or at the start of the file). */
    Span after(Token t) {
        if (t == null) return new Span(file, 1, 1, 0, 0);
        if (t.getType() == NEWLINE || t.getType() == EOF) return tokenSpan(t);
        int len = Math.max(0, t.getStopIndex() - t.getStartIndex() + 1);
        int end = t.getStartIndex() + len;
        return new Span(file, t.getLine(), t.getCharPositionInLine() + 1 + len, end, end);
    }

    Span tokenSpan(Token t) {
        int start = Math.min(t.getStartIndex(), source.length());
        int end = Math.max(start, Math.min(t.getStopIndex() + 1, source.length()));
        if (t.getType() == NEWLINE) end = start; // a line break: point at the end of the line
        return new Span(file, t.getLine(), t.getCharPositionInLine() + 1, start, end);
    }

    /** How a token reads in a message. */
    static String show(Token t) {
        return switch (t.getType()) {
            case EOF -> "end of file";
            case NEWLINE -> "end of line";
            case UNTERMINATED_COMMENT -> "'/*'";
            default -> {
                String s = t.getText();
                if (s.length() > 24) s = s.substring(0, 21) + "...";
                yield "'" + s + "'";
            }
        };
    }

    static boolean isIdent(int type) {
        return type == ID || (type >= PACKAGE && type <= INT);
    }

    private static boolean isBinaryOperator(int type) {
        return type == PLUS || type == MINUS || type == STAR || type == SLASH || type == AT || type == CARET
                || type == LT || type == LE || type == GT || type == GE || type == EQ || type == NE;
    }

    private static boolean isEndOfLine(int type) {
        return type == NEWLINE || type == EOF;
    }

    /** Tokens that end what came before: an expression is missing when one comes instead. */
    private static boolean isEnd(int type) {
        return switch (type) {
            case NEWLINE, EOF, SEMI, RBRACE, RPAREN, RBRACK, COMMA -> true;
            default -> false;
        };
    }
}
