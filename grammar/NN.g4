/*
 * The grammar of .nn files (the language reference: docs/language.md, sections "A file",
 * "Declarations inside a model" and "Expressions").
 *
 * How it is used. The lexer output goes through dev.nnc.syntax.NewlineFilter, which decides
 * where statements end: it keeps a NEWLINE only when it ends a statement and drops it
 * inside ( ) and [ ], after a binary operator, ',', '=', ':', '{', ';', and before '{'; it
 * collapses runs of NEWLINEs and drops comments (a block comment that spans lines counts as
 * a line break). So the parser rules below only ever see NEWLINE where a statement may end.
 * dev.nnc.syntax.Parser drives the rules packageDecl, fnDecl, modelHead and stmt one
 * statement at a time (that bounds memory and gives one error per statement); the rule
 * `file` is the same language in one rule, kept in step with the driver by tests.
 *
 * Reserved words: only `true` and `false`. Every other keyword (package fn model dim const
 * input param buffer init output optimizer precision int) is contextual: it is a keyword only where
 * a declaration or clause starts with it, and an ordinary name everywhere else (see `ident`).
 * `loss` and `T` are not keywords at all: `loss = e` is an assignment that the AST builder
 * turns into a loss statement, and `.T` is a '.' followed by the name T.
 *
 * Precedence, loosest first: comparisons `< <= > >= == !=` (they do not chain: the AST builder
 * reports `a < b < c`), `+ -` (left), `* /` (left), `@` (left), unary `-`, `^` (right; its right
 * operand may start with unary minus), postfix `.T` and indexing `x[…]`, call and atom.
 * The operator rules are flat lists (no left recursion); the AST builder folds them into
 * left- or right-leaning trees with loops, so long chains never recurse per term.
 *
 * No target-language actions: the grammar is plain.
 *
 * Choices where the language contract is silent (docs/language.md states them for users):
 *  - numbers: `.5` is one, `2.` is not (so `x.T` and `2.T` stay simple); a minus sign is always
 *    the unary operator (`-1` is Unary(Num 1)); a literal that overflows a double is an error;
 *  - a trailing comma is allowed in call arguments, fn parameters and [ ] lists (not in `dim`);
 *  - `optimizer adam` may leave out the parentheses; `fn f() = ...` may have no parameters;
 *  - shape entries and `init` are parsed as expressions; the AST builder requires `init` to be
 *    a name or a call; everything else about them is the checker's business (as are the order
 *    of named and positional arguments, and where true/false and [ ] lists may appear);
 *  - empty statements (`;;`) are allowed; a model's `}` needs no separator after it;
 *  - `package` must come first, and only once (the driver reports E100 / E510);
 *  - block comments do not nest; a block comment spanning lines is a line break;
 *  - names are ASCII; \r\n ends a line like \n; a BOM is ignored;
 *  - postfix `.name` exists only as `.T`;
 *  - an index list `x[…]` holds at least one entry; `x [0]` with a space is indexing too.
 */
grammar NN;

// ------------------------------------------------------------------ file

// A model's closing '}' needs no separator after it; `package` and `fn` end with one (the
// filter puts a NEWLINE before EOF). `package` may appear only once and first: the driver
// checks that, the grammar does not.
file        : sep* ((packageDecl | fnDecl) sep+ | modelDecl sep*)* EOF ;
sep         : NEWLINE | SEMI ;

packageDecl : PACKAGE ident (DOT ident)* ;

fnDecl      : FN ident LPAREN (ident (COMMA ident)* COMMA?)? RPAREN ASSIGN expr ;

modelDecl   : modelHead sep* (stmt (sep+ stmt)*)? sep* RBRACE ;
modelHead   : MODEL ident LBRACE ;

// ------------------------------------------------------------------ statements in a model

stmt
    : DIM ident (COMMA ident)*                      # dimStmt
    | CONST ident ASSIGN expr                       # constStmt
    | INPUT ident COLON INT? shape                  # inputStmt
    | PARAM ident COLON shape (INIT expr)?          # paramStmt
    | BUFFER ident COLON shape (INIT expr)?         # bufferStmt
    | OUTPUT ident (ASSIGN expr)?                   # outputStmt
    | OPTIMIZER ident (LPAREN argList? RPAREN)?     # optimizerStmt
    | PRECISION ident                               # precisionStmt
    | ident ASSIGN expr                             # assignStmt   // also `loss = e`
    ;

shape       : LBRACK (expr (COMMA expr)* COMMA?)? RBRACK ;

// ------------------------------------------------------------------ expressions

expr        : sum ((LT | LE | GT | GE | EQ | NE) sum)* ; // < <= > >= == !=  (no chains: see AstBuilder)
sum         : product ((PLUS | MINUS) product)* ;      // + -   left
product     : matmul ((STAR | SLASH) matmul)* ;        // * /   left
matmul      : unary (AT unary)* ;                      // @     left
// unary minus is looser than ^ but may also open the right operand of ^:
// -a ^ -b ^ c  is  -(a ^ (-(b ^ c)))
unary       : signed (CARET signed)* ;                 // ^     right
signed      : MINUS* postfix ;                         // unary -
postfix     : atom (DOT ident | LBRACK subscript (COMMA subscript)* COMMA? RBRACK)* ;   // .T  x[i, a:b:s, ...]
subscript
    : ELLIPSIS                                      # ellipsisSubscript
    | expr? COLON expr? (COLON expr?)?              # sliceSubscript
    | expr                                          # indexSubscript
    ;
atom
    : NUMBER                                        # numberAtom
    | (TRUE | FALSE)                                # boolAtom
    | ident LPAREN argList? RPAREN                  # callAtom
    | ident                                         # nameAtom
    | LPAREN expr RPAREN                            # parenAtom
    | shape                                         # listAtom
    ;

argList     : arg (COMMA arg)* COMMA? ;
arg         : (ident ASSIGN)? expr ;

// a name: contextual keywords are names too
ident
    : ID
    | PACKAGE | FN | MODEL | DIM | CONST | INPUT | PARAM | BUFFER | INIT | OUTPUT
    | OPTIMIZER | PRECISION | INT
    ;

// ------------------------------------------------------------------ lexer

PACKAGE   : 'package' ;
FN        : 'fn' ;
MODEL     : 'model' ;
DIM       : 'dim' ;
CONST     : 'const' ;
INPUT     : 'input' ;
PARAM     : 'param' ;
BUFFER    : 'buffer' ;
INIT      : 'init' ;
OUTPUT    : 'output' ;
OPTIMIZER : 'optimizer' ;
PRECISION : 'precision' ;
INT       : 'int' ;
TRUE      : 'true' ;
FALSE     : 'false' ;

ID        : [A-Za-z_] [A-Za-z0-9_]* ;

// 3  0.5  1e-4  2.5E+3  .5   (no trailing dot: `2.` is not a number, so `x.T` stays simple)
NUMBER    : DIGITS ('.' DIGITS)? EXPONENT?
          | '.' DIGITS EXPONENT?
          ;
fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;

PLUS      : '+' ;
MINUS     : '-' ;
STAR      : '*' ;
SLASH     : '/' ;
AT        : '@' ;
CARET     : '^' ;
LE        : '<=' ;
GE        : '>=' ;
EQ        : '==' ;
NE        : '!=' ;
LT        : '<' ;
GT        : '>' ;
ASSIGN    : '=' ;
COLON     : ':' ;
COMMA     : ',' ;
ELLIPSIS  : '...' ;
DOT       : '.' ;
SEMI      : ';' ;
LPAREN    : '(' ;
RPAREN    : ')' ;
LBRACK    : '[' ;
RBRACK    : ']' ;
LBRACE    : '{' ;
RBRACE    : '}' ;

// Only \n ends a line (\r\n too); a lone \r is whitespace, like the BOM. Blank lines fold
// into one NEWLINE token.
NEWLINE   : '\n' ([ \t\f\r\u000B\uFEFF]* '\n')* ;
WS        : [ \t\f\r\u000B\uFEFF]+ -> skip ;

LINE_COMMENT  : '//' ~[\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
// A '/*' that is never closed runs to the end of the file (it cannot contain '*/').
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* ;

// Anything else is one bad character; the parser reports it (E101).
BAD_CHAR  : . ;
