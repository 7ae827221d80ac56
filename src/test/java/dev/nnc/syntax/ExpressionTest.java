package dev.nnc.syntax;

import static dev.nnc.syntax.Parse.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** Precedence, associativity and every kind of atom, printed as S-expressions. */
class ExpressionTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                // the examples of LANGUAGE.md
                Arguments.of("-x ^ 2", "(neg (^ x 2))"),
                Arguments.of("a * b @ c", "(* a (@ b c))"),
                Arguments.of("x ^ -1.5", "(^ x (neg 1.5))"),
                Arguments.of("2 ^ -x", "(^ 2 (neg x))"),
                // associativity
                Arguments.of("2 ^ 3 ^ 2", "(^ 2 (^ 3 2))"),
                Arguments.of("a - b - c", "(- (- a b) c)"),
                Arguments.of("a - b + c", "(+ (- a b) c)"),
                Arguments.of("a / b / c", "(/ (/ a b) c)"),
                Arguments.of("a / b * c", "(* (/ a b) c)"),
                Arguments.of("a @ b @ c", "(@ (@ a b) c)"),
                // each level against its neighbours
                Arguments.of("a + b * c", "(+ a (* b c))"),
                Arguments.of("a * b + c", "(+ (* a b) c)"),
                Arguments.of("a @ b * c", "(* (@ a b) c)"),
                Arguments.of("a @ b + c @ d", "(+ (@ a b) (@ c d))"),
                Arguments.of("-a @ b", "(@ (neg a) b)"),
                Arguments.of("a @ -b", "(@ a (neg b))"),
                Arguments.of("a * -b", "(* a (neg b))"),
                Arguments.of("a - -b", "(- a (neg b))"),
                Arguments.of("--a", "(neg (neg a))"),
                Arguments.of("-a * b", "(* (neg a) b)"),
                Arguments.of("-a ^ b * c", "(* (neg (^ a b)) c)"),
                Arguments.of("a ^ -b ^ c", "(^ a (neg (^ b c)))"),
                Arguments.of("-a ^ -b ^ c", "(neg (^ a (neg (^ b c))))"),
                Arguments.of("a ^ -b * c", "(* (^ a (neg b)) c)"),
                Arguments.of("a ^ - - b", "(^ a (neg (neg b)))"),
                Arguments.of("e ^ x", "(^ e x)"),
                // postfix .T binds tightest
                Arguments.of("x.T @ w", "(@ (T x) w)"),
                Arguments.of("-x.T", "(neg (T x))"),
                Arguments.of("x.T.T", "(T (T x))"),
                Arguments.of("x.T ^ 2", "(^ (T x) 2)"),
                Arguments.of("2 ^ x.T", "(^ 2 (T x))"),
                Arguments.of("f(x).T", "(T (f x))"),
                Arguments.of("(a + b).T", "(T (+ a b))"),
                // parentheses
                Arguments.of("(a + b) * c", "(* (+ a b) c)"),
                Arguments.of("(-x) ^ 2", "(^ (neg x) 2)"),
                Arguments.of("((x))", "x"),
                Arguments.of("(2 ^ 3) ^ 2", "(^ (^ 2 3) 2)"),
                // atoms
                Arguments.of("3", "3"),
                Arguments.of("0.5", "0.5"),
                Arguments.of("1e-4", "1e-4"),
                Arguments.of("2.5E+3", "2.5E+3"),
                Arguments.of(".5", ".5"),
                Arguments.of("1E5", "1E5"),
                Arguments.of("pi * e", "(* pi e)"),
                Arguments.of("f()", "(f)"),
                Arguments.of("relu(x @ w1 + b1)", "(relu (+ (@ x w1) b1))"),
                Arguments.of("dropout(h, p = 0.2)", "(dropout h p=0.2)"),
                Arguments.of("sum(x, -1, keepdims = true)", "(sum x (neg 1) keepdims=true)"),
                Arguments.of("sgd(lr = 0.1, nesterov = false)", "(sgd lr=0.1 nesterov=false)"),
                Arguments.of("reshape(x, [batch, 2 * n])", "(reshape x [batch (* 2 n)])"),
                Arguments.of("reshape(x, [])", "(reshape x [])"),
                Arguments.of("f(a, b,)", "(f a b)"),
                Arguments.of("grad(sum(grad(f, w) * v), w)", "(grad (sum (* (grad f w) v)) w)"),
                Arguments.of("f(g(h(x)))", "(f (g (h x)))"),
                // Java keywords and contextual keywords are names
                Arguments.of("class + this * String", "(+ class (* this String))"),
                Arguments.of("input @ param", "(@ input param)"),
                Arguments.of("output(init, dim = const)", "(output init dim=const)"),
                Arguments.of("model + fn + package + int + loss + precision + optimizer",
                        "(+ (+ (+ (+ (+ (+ model fn) package) int) loss) precision) optimizer)"));
    }

    @ParameterizedTest(name = "{0}  =>  {1}")
    @MethodSource("cases")
    void parses(String source, String sexpr) {
        assertEquals(sexpr, expr(source));
    }

    @Test
    void numberValues() {
        assertEquals(1e-4, ((Ast.Num) Parse.exprAst("1e-4")).value());
        assertEquals(2500.0, ((Ast.Num) Parse.exprAst("2.5E+3")).value());
        assertEquals(0.5, ((Ast.Num) Parse.exprAst(".5")).value());
        assertEquals(3.0, ((Ast.Num) Parse.exprAst("3")).value());
    }

    @Test
    void booleansAreBoolNodes() {
        Ast.Call c = assertInstanceOf(Ast.Call.class, Parse.exprAst("f(keepdims = true, x = false)"));
        assertEquals(new Ast.Bool(true, c.args().get(0).value().span()), c.args().get(0).value());
        assertEquals(false, ((Ast.Bool) c.args().get(1).value()).value());
    }

    @Test
    void unaryOpIsMinus() {
        Ast.Unary u = assertInstanceOf(Ast.Unary.class, Parse.exprAst("-x"));
        assertEquals("-", u.op());
    }

    @Test
    void namedArgumentsKeepTheirOrderAfterPositionalOnes() {
        Ast.Call c = assertInstanceOf(Ast.Call.class, Parse.exprAst("leaky_relu(x, slope = 0.1)"));
        assertEquals(null, c.args().get(0).name());
        assertEquals("slope", c.args().get(1).name().name());
        // order is kept as written; whether positional may follow named is the checker's call (E303)
        assertEquals("(f a=1 b)", expr("f(a = 1, b)"));
    }
}
