package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.Compiler;
import dev.nnc.check.Checker;
import dev.nnc.codegen.Agreement.Case;
import dev.nnc.ir.Model;
import dev.nnc.ir.Node;
import dev.nnc.ir.Walk;
import dev.nnc.ops.Op;
import dev.nnc.passes.Compiled;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every op and every built-in function is tested both ways: its gradient against finite
 * differences and its generated code against the interpreter. An op counts as covered by a
 * case when it is in the graphs the case evaluates (the checker's graph, which the interpreter
 * runs, and the optimized graphs of both modes, which generated code runs); a function when a
 * case's source calls it. Gradients of ops: {@code GradientCheckTest} (which proves its own
 * coverage); of functions: {@link ModelGradientsTest}. Generated code: the agreement suites.
 */
class OpCoverageTest {
    @Test
    void everyOpRunsThroughGeneratedCodeAndTheInterpreter() {
        Set<Op> covered = new LinkedHashSet<>();
        for (Case c : ModelGradientsTest.allAgreementCases()) {
            Compiler.Result r = Compiler.compile("test.nn", c.source());
            for (Compiled compiled : r.compiled()) covered.addAll(ops(compiled));
        }
        assertEquals(List.of(), missing(covered), "ops that no interpreter-versus-generated-code case reaches");
    }

    @Test
    void everyFunctionHasAGradientCheckAndAnAgreementCheck() {
        Set<String> agreed = called(ModelGradientsTest.allAgreementCases());
        Set<String> differenced = called(ModelGradientsTest.cases());
        Set<String> noAgreement = new TreeSet<>(Checker.builtinNames()), noGradient = new TreeSet<>(Checker.builtinNames());
        noAgreement.removeAll(agreed);
        noGradient.removeAll(differenced);
        noGradient.remove("stop_gradient"); // zero by definition: GradientCheckTest.stopGradientBlocksTheGradient
        assertEquals(Set.of(), noAgreement, "functions without an interpreter-versus-generated-code case");
        assertEquals(Set.of(), noGradient, "functions without a finite-difference case");
    }

    /** Every op of the checker's graph of {@code c} and of its optimized roots in both modes. */
    static Set<Op> ops(Compiled c) {
        Model m = c.model();
        List<Node> roots = new ArrayList<>(c.eval().all());
        roots.addAll(c.train().all());
        for (Model.Output o : m.outputs()) roots.add(o.node());
        if (m.loss() != null) roots.add(m.loss());
        roots.addAll(m.updates().values());
        Set<Op> ops = new LinkedHashSet<>();
        for (Node n : Walk.reachable(roots)) ops.add(n.op());
        return ops;
    }

    private static List<Op> missing(Set<Op> covered) {
        List<Op> m = new ArrayList<>(Op.all());
        m.removeAll(covered);
        return m;
    }

    /** The built-in functions the sources of {@code cases} call. */
    private static Set<String> called(List<Case> cases) {
        Set<String> out = new TreeSet<>();
        for (String f : Checker.builtinNames()) {
            Pattern call = Pattern.compile("\\b" + Pattern.quote(f) + "\\s*\\(");
            for (Case c : cases) {
                if (call.matcher(c.source()).find()) {
                    out.add(f);
                    break;
                }
            }
        }
        return out;
    }
}
