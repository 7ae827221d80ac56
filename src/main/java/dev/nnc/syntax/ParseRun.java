package dev.nnc.syntax;

import static dev.nnc.syntax.antlr.NNLexer.*;

import dev.nnc.diag.Diagnostics;
import dev.nnc.diag.ErrorKind;
import dev.nnc.diag.Span;
import dev.nnc.syntax.antlr.NNLexer;
import dev.nnc.syntax.antlr.NNParser;
import dev.nnc.util.BigStack;
import java.nio.CharBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.antlr.v4.runtime.CodePointBuffer;
import org.antlr.v4.runtime.CodePointCharStream;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.ListTokenSource;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;

/**
 * One parse of one file: lexes and filters the tokens ({@link NewlineFilter}), then walks the
 * top level itself and lets the generated parser parse one declaration or statement at a time
 * (rules {@code packageDecl}, {@code fnDecl}, {@code modelHead}, {@code stmt}). The parser
 * stops at the first error in that piece ({@link Bail}); {@link SyntaxErrors} turns the error
 * into one short message, and this class skips to the end of the statement and carries on.
 * The parse tree of each piece is dropped once {@link AstBuilder} has turned it into AST records.
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
    private final SyntaxErrors errors;
    private Token unterminated;

    ParseRun(String file, String source, Diagnostics diags) {
        this.file = file;
        this.source = source;
        this.diags = diags;
        this.build = new AstBuilder(file);
        this.errors = new SyntaxErrors(file, source, diags);
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
                diags.errorWithHint(ErrorKind.TOO_DEEP, errors.tokenSpan(t), "split it into several statements",
                        r.limit.detail());
            } else {
                diags.error(ErrorKind.TOO_LARGE, errors.tokenSpan(t), r.limit.detail());
            }
            return null;
        }
        toks = r.tokens;
        errors.tokens(toks);
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
        return BigStack.call("nnc-parser", BIG_STACK, this::parseFile);
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
                    errors.report(e);
                }
            } else if (type == MODEL) {
                seenDecl = true;
                Ast.ModelDecl m = parseModel();
                if (m != null) models.add(m);
            } else {
                int start = ts.index();
                if (type == RBRACE) {
                    errors.syntax(errors.tokenSpan(t), "unmatched '}'", null);
                } else if (!errors.reportBadToken(t)) {
                    String hint = SyntaxErrors.didYouMean(t, ts.LT(2), TOP_KEYWORDS);
                    if (hint == null && looksLikeStatement()) hint = "statements belong inside a model: model Name { ... }";
                    errors.syntax(errors.tokenSpan(t), "expected 'fn', 'model' or 'package', found " + SyntaxErrors.show(t), hint);
                }
                if (ts.index() == start) ts.consume();
                skipToDeclaration();
            }
        }
        if (unterminated != null) errors.reportBadToken(unterminated); // once, if no statement ran into it
        return new Ast.File(file, source, pkg, List.copyOf(fns), List.copyOf(models));
    }

    private static final List<String> TOP_KEYWORDS = List.of("fn", "model", "package");

    private boolean looksLikeStatement() {
        int t1 = ts.LA(1);
        int t2 = ts.LA(2);
        return switch (t1) {
            case DIM, CONST, INPUT, PARAM, BUFFER, OUTPUT, OPTIMIZER, PRECISION -> true;
            default -> SyntaxErrors.isIdent(t1) && t2 == ASSIGN;
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
                    errors.syntax(errors.after(errors.previousSignificant(t)), "expected '}' to close model '" + name.name() + "' opened at line "
                            + head.start.getLine(), null);
                }
                return new Ast.ModelDecl(name, List.copyOf(body), build.span(head.start, errors.previousSignificant(t)));
            }
            int stmtStart = ts.index();
            NNParser.StmtContext c = attempt(parser::stmt, stmtStart, true);
            if (c == null || !endOfStatement(stmtStart, true)) continue;
            try {
                body.add(build.stmt(c));
            } catch (AstBuilder.BuildError e) {
                errors.report(e);
            }
        }
    }

    /** Inside a model body: a line that starts a new declaration means the '}' was forgotten. */
    private boolean startsDeclaration() {
        int t1 = ts.LA(1);
        if (t1 != MODEL && t1 != FN && t1 != PACKAGE) return false;
        if (!SyntaxErrors.isIdent(ts.LA(2))) return false;
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
            errors.reportRecognition(a.error, start, ts.LT(1));
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
        if (!errors.reportBadToken(t)) {
            String msg;
            if (type == RPAREN || type == RBRACK || type == RBRACE) {
                msg = "unmatched " + SyntaxErrors.show(t);
            } else {
                msg = "expected end of line or ';', found " + SyntaxErrors.show(t);
            }
            errors.syntax(errors.tokenSpan(t), msg, errors.continuationHint(start, t));
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
