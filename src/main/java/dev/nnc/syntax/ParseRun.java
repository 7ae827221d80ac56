package dev.nnc.syntax;

import static dev.nnc.syntax.antlr.NNLexer.*;

import dev.nnc.diag.Diagnostic;
import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Span;
import dev.nnc.diag.Suggest;
import dev.nnc.syntax.antlr.NNLexer;
import dev.nnc.syntax.antlr.NNParser;
import java.nio.CharBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.antlr.v4.runtime.CodePointBuffer;
import org.antlr.v4.runtime.CodePointCharStream;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.ListTokenSource;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.RuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * One parse of one file: lexes and filters the tokens ({@link NewlineFilter}), then walks the
 * top level itself and lets the generated parser parse one declaration or statement at a time
 * (rules {@code packageDecl}, {@code fnDecl}, {@code modelHead}, {@code stmt}). The parser
 * stops at the first error in that piece ({@link Bail}); this class turns the error into one
 * short message, skips to the end of the statement and carries on. The parse tree of each
 * piece is dropped once {@link AstBuilder} has turned it into AST records.
 */
final class ParseRun {
    /** Bracket depth from which the parse runs on its own thread with a large stack. */
    private static final int DEEP = 48;
    private static final long BIG_STACK = 64L << 20; // 1000 levels need about 2 MB

    private final String file;
    private final String source;
    private final Diagnostics diags;
    private final AstBuilder build;
    private List<Token> toks;
    private CommonTokenStream ts;
    private NNParser parser;
    private Token unterminated;
    private boolean unterminatedReported;

    ParseRun(String file, String source, Diagnostics diags) {
        this.file = file;
        this.source = source;
        this.diags = diags;
        this.build = new AstBuilder(file);
    }

    Ast.File run() {
        if (source.length() > Parser.MAX_SOURCE_CHARS) {
            diags.error(ErrorKind.TOO_LARGE, new Span(file, 1, 1, 0, 0),
                    source.length() + " characters (the limit is " + Parser.MAX_SOURCE_CHARS + ")");
            return null;
        }
        // Index the text by UTF-16 unit, so spans are String offsets and columns match the line text.
        CodePointCharStream chars = CodePointCharStream.fromBuffer(
                CodePointBuffer.withChars(CharBuffer.wrap(source.toCharArray())), file);
        NNLexer lexer = new NNLexer(chars);
        lexer.removeErrorListeners();
        NewlineFilter.Result r = NewlineFilter.run(lexer, source);
        if (r.limit != null) {
            Token t = r.limit.token();
            if (r.limit.deep()) {
                diags.errorWithHint(ErrorKind.TOO_DEEP, tokenSpan(t), "split it into several statements",
                        r.limit.detail());
            } else {
                diags.error(ErrorKind.TOO_LARGE, tokenSpan(t), r.limit.detail());
            }
            return null;
        }
        toks = r.tokens;
        int maxDepth = 0;
        int depth = 0;
        for (Token t : toks) {
            switch (t.getType()) {
                case UNTERMINATED_COMMENT -> unterminated = t;
                case LPAREN, LBRACK -> maxDepth = Math.max(maxDepth, ++depth);
                case RPAREN, RBRACK -> depth = Math.max(0, depth - 1);
                case LBRACE, RBRACE -> depth = 0;
                default -> { }
            }
        }
        if (maxDepth < DEEP) return parseFile();
        // Each bracket level costs a few dozen stack frames in the parser and the builder.
        Ast.File[] out = new Ast.File[1];
        Throwable[] failure = new Throwable[1];
        Thread worker = new Thread(null, () -> {
            try {
                out[0] = parseFile();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "nnc-parser", BIG_STACK);
        worker.setDaemon(true);
        worker.start();
        boolean interrupted = false;
        while (true) {
            try {
                worker.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failure[0] instanceof RuntimeException e) throw e;
        if (failure[0] instanceof Error e) throw e;
        return out[0];
    }

    // ------------------------------------------------------------------ the top level

    private Ast.File parseFile() {
        ts = new CommonTokenStream(new ListTokenSource(toks));
        ts.fill();
        parser = new NNParser(ts);
        parser.removeErrorListeners();
        parser.setErrorHandler(new Bail());

        Ast.QualifiedName pkg = null;
        boolean seenDecl = false;
        List<Ast.FnDecl> fns = new ArrayList<>();
        List<Ast.ModelDecl> models = new ArrayList<>();
        while (true) {
            skipSeparators();
            Token t = ts.LT(1);
            int type = t.getType();
            if (type == EOF) break;
            if (type == PACKAGE) {
                int start = ts.index();
                NNParser.PackageDeclContext c = attempt(parser::packageDecl, start, false);
                if (c == null || !endOfStatement(start, false)) continue;
                Ast.QualifiedName q = build.packageDecl(c);
                if (pkg != null) {
                    diags.error(ErrorKind.DUPLICATE_PACKAGE, build.span(c), pkg.span().line());
                } else if (seenDecl) {
                    diags.error(ErrorKind.SYNTAX, build.span(c),
                            "the package statement must come before any fn or model");
                } else {
                    pkg = q;
                }
            } else if (type == FN) {
                int start = ts.index();
                seenDecl = true;
                NNParser.FnDeclContext c = attempt(parser::fnDecl, start, false);
                if (c == null || !endOfStatement(start, false)) continue;
                try {
                    fns.add(build.fnDecl(c));
                } catch (AstBuilder.BuildError e) {
                    report(e);
                }
            } else if (type == MODEL) {
                seenDecl = true;
                Ast.ModelDecl m = parseModel();
                if (m != null) models.add(m);
            } else {
                int start = ts.index();
                if (type == RBRACE) {
                    syntax(tokenSpan(t), "unmatched '}'", null);
                } else if (!reportBadToken(t)) {
                    String hint = didYouMean(t, ts.LT(2), TOP_KEYWORDS);
                    if (hint == null && looksLikeStatement()) hint = "statements belong inside a model: model Name { ... }";
                    syntax(tokenSpan(t), "expected 'fn', 'model' or 'package', found " + show(t), hint);
                }
                if (ts.index() == start) ts.consume();
                skipToDeclaration();
            }
        }
        if (unterminated != null && !unterminatedReported) {
            unterminatedReported = true;
            diags.error(ErrorKind.UNTERMINATED_COMMENT, tokenSpan(unterminated));
        }
        return new Ast.File(file, source, pkg, List.copyOf(fns), List.copyOf(models));
    }

    private static final List<String> TOP_KEYWORDS = List.of("fn", "model", "package");
    private static final List<String> STMT_KEYWORDS =
            List.of("dim", "const", "input", "param", "buffer", "output", "optimizer", "precision");

    /** "did you mean 'model'?" when {@code word name} looks like a misspelt keyword and a name. */
    private static String didYouMean(Token word, Token next, List<String> keywords) {
        if (word.getType() != ID || !isIdent(next.getType())) return null;
        String k = Suggest.closest(word.getText(), keywords);
        return k == null ? null : "did you mean '" + k + "'?";
    }

    private boolean looksLikeStatement() {
        int t1 = ts.LA(1);
        int t2 = ts.LA(2);
        return switch (t1) {
            case DIM, CONST, INPUT, PARAM, BUFFER, OUTPUT, OPTIMIZER, PRECISION -> true;
            default -> isIdent(t1) && t2 == ASSIGN;
        };
    }

    private Ast.ModelDecl parseModel() {
        int start = ts.index();
        NNParser.ModelHeadContext head = attempt(parser::modelHead, start, false);
        if (head == null) return null;
        Ast.Ident name = build.ident(head.ident());
        List<Ast.Stmt> body = new ArrayList<>();
        while (true) {
            skipSeparators();
            Token t = ts.LT(1);
            int type = t.getType();
            if (type == RBRACE) {
                ts.consume();
                return new Ast.ModelDecl(name, List.copyOf(body), build.span(head.start, t));
            }
            if (type == EOF || startsDeclaration()) {
                if (type != EOF || unterminated == null) {
                    syntax(after(previousSignificant(t)), "expected '}' to close model '" + name.name() + "' opened at line "
                            + head.start.getLine(), null);
                }
                return new Ast.ModelDecl(name, List.copyOf(body), build.span(head.start, previousSignificant(t)));
            }
            int stmtStart = ts.index();
            NNParser.StmtContext c = attempt(parser::stmt, stmtStart, true);
            if (c == null || !endOfStatement(stmtStart, true)) continue;
            try {
                body.add(build.stmt(c));
            } catch (AstBuilder.BuildError e) {
                report(e);
            }
        }
    }

    /** Inside a model body: a line that starts a new declaration means the '}' was forgotten. */
    private boolean startsDeclaration() {
        int t1 = ts.LA(1);
        if (t1 != MODEL && t1 != FN && t1 != PACKAGE) return false;
        if (!isIdent(ts.LA(2))) return false;
        int t3 = ts.LA(3);
        return switch (t1) {
            case MODEL -> t3 == LBRACE;
            case FN -> t3 == LPAREN;
            default -> t3 == DOT || t3 == NEWLINE || t3 == SEMI || t3 == EOF;
        };
    }

    // ------------------------------------------------------------------ one piece at a time

    /** Runs one start rule; on a syntax error reports it, skips past the statement and returns null. */
    private <T> T attempt(Supplier<T> rule, int start, boolean inBody) {
        try {
            return rule.get();
        } catch (Abort a) {
            reportRecognition(a.error, start);
            if (inBody) skipStatement();
            else skipToDeclaration();
            return null;
        }
    }

    /** After a piece parsed: true when it ends properly; otherwise reports, skips and returns false. */
    private boolean endOfStatement(int start, boolean inBody) {
        Token t = ts.LT(1);
        int type = t.getType();
        if (type == NEWLINE || type == SEMI || type == EOF || (inBody && type == RBRACE)) return true;
        if (!reportBadToken(t)) {
            String msg;
            if (type == RPAREN || type == RBRACK || type == RBRACE) {
                msg = "unmatched " + show(t);
            } else {
                msg = "expected end of line or ';', found " + show(t);
            }
            syntax(tokenSpan(t), msg, continuationHint(start, t));
        }
        if (inBody) skipStatement();
        else skipToDeclaration();
        return false;
    }

    private void skipSeparators() {
        while (ts.LA(1) == NEWLINE || ts.LA(1) == SEMI) ts.consume();
    }

    /** Skips to the end of the statement: a separator or '}' outside any braces skipped over. */
    private void skipStatement() {
        int braces = 0;
        while (true) {
            int t = ts.LA(1);
            if (t == EOF) return;
            if (braces == 0 && (t == NEWLINE || t == SEMI || t == RBRACE)) return;
            if (t == LBRACE) braces++;
            else if (t == RBRACE) braces--;
            ts.consume();
        }
    }

    /** Skips to the next statement (outside braces) that starts with fn, model or package. */
    private void skipToDeclaration() {
        int braces = 0;
        while (true) {
            int t = ts.LA(1);
            if (t == EOF) return;
            if (t == LBRACE) {
                braces++;
            } else if (t == RBRACE) {
                braces = Math.max(0, braces - 1);
            } else if ((t == NEWLINE || t == SEMI) && braces == 0) {
                int next = ts.LA(2);
                if (next == FN || next == MODEL || next == PACKAGE || next == EOF) {
                    ts.consume();
                    return;
                }
            }
            ts.consume();
        }
    }

    // ------------------------------------------------------------------ messages

    private void reportRecognition(RecognitionException e, int start) {
        Token x = e.getOffendingToken() != null ? e.getOffendingToken() : ts.LT(1);
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
    private String continuationHint(int start, Token x) {
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
    private boolean reportBadToken(Token t) {
        if (t.getType() == BAD_CHAR) {
            int cp = source.codePointAt(t.getStartIndex());
            int len = Character.charCount(cp);
            Span s = new Span(file, t.getLine(), t.getCharPositionInLine() + 1, t.getStartIndex(),
                    Math.min(source.length(), t.getStartIndex() + len));
            String shown = Character.isISOControl(cp) || Character.isWhitespace(cp)
                    ? String.format("U+%04X", cp) : "'" + new String(Character.toChars(cp)) + "'";
            String hint = null;
            if (cp == '#') hint = "comments start with //";
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

    private void report(AstBuilder.BuildError e) {
        diags.add(new Diagnostic(e.kind, e.span, e.text, e.hint));
    }

    private void syntax(Span span, String msg, String hint) {
        diags.add(new Diagnostic(ErrorKind.SYNTAX, span, ErrorKind.SYNTAX.format(msg), hint));
    }

    // ------------------------------------------------------------------ tokens

    private Token previous(Token x) {
        int i = x.getTokenIndex();
        return i > 0 && i - 1 < toks.size() ? toks.get(i - 1) : null;
    }

    private Token previousSignificant(Token x) {
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
    private Span after(Token t) {
        if (t == null) return new Span(file, 1, 1, 0, 0);
        if (t.getType() == NEWLINE || t.getType() == EOF) return tokenSpan(t);
        int len = Math.max(0, t.getStopIndex() - t.getStartIndex() + 1);
        int end = t.getStartIndex() + len;
        return new Span(file, t.getLine(), t.getCharPositionInLine() + 1 + len, end, end);
    }

    private Span tokenSpan(Token t) {
        int start = Math.min(t.getStartIndex(), source.length());
        int end = Math.max(start, Math.min(t.getStopIndex() + 1, source.length()));
        if (t.getType() == NEWLINE) end = start; // a line break: point at the end of the line
        return new Span(file, t.getLine(), t.getCharPositionInLine() + 1, start, end);
    }

    /** How a token reads in a message. */
    private static String show(Token t) {
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

    private static boolean isIdent(int type) {
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

    // ------------------------------------------------------------------ error strategy

    /** Thrown out of the generated parser at its first error. */
    static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final RecognitionException error;

        Abort(RecognitionException error) {
            super(null, null, false, false);
            this.error = error;
        }
    }

    /** Stops at the first error: no single-token repair, no resynchronisation. */
    static final class Bail extends DefaultErrorStrategy {
        @Override
        public void recover(org.antlr.v4.runtime.Parser recognizer, RecognitionException e) {
            throw new Abort(e);
        }

        @Override
        public Token recoverInline(org.antlr.v4.runtime.Parser recognizer) {
            throw new Abort(new InputMismatchException(recognizer));
        }

        @Override
        public void sync(org.antlr.v4.runtime.Parser recognizer) {}

        @Override
        public void reportError(org.antlr.v4.runtime.Parser recognizer, RecognitionException e) {}
    }
}
