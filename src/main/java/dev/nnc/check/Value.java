package dev.nnc.check;

import dev.nnc.ir.Node;
import java.util.List;

/**
 * What an argument expression evaluated to: a graph node, a compile-time number, a boolean or
 * a bracketed list. Numbers keep their node form too, so they can be used as tensors.
 */
sealed interface Value {
    record Tensor(Node node) implements Value {}

    record Number(double value, Node node) implements Value {}

    record Bool(boolean value) implements Value {}

    record ListValue(List<dev.nnc.syntax.Ast.Expr> items) implements Value {}
}
