package dev.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.Compiler;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The convolution kernels on shapes that reach each of their paths, both backends, f64 and f32,
 * against the interpreter ({@link ExamplesAgreeTest#agree}: outputs, the gradients of the weight
 * and of the input, the training pass). {@code y = conv(x, w)} computes the forward product, and
 * its gradients the input gradient (products then fold) and the weight gradient. The shapes
 * hit: the forward with a stride of 1 over the padded input ({@link ConvPadded}: with and
 * without padding, with dilations) and with larger strides ({@link ConvVector#forward});
 * output positions that leave a partial panel (through the tile) or fill whole ones; more
 * kernel elements than one panel (the weight gradient's panels of them, the last partial); more
 * output positions than one block of the weight gradient ({@value ConvVector#QB}); output
 * channels that leave blocks of 6, 4 and single rows; strides, dilations, padding and groups
 * (the unfold's gathering path, and the weight gradient's rows across groups); one spatial axis;
 * a depthwise convolution (fewer output channels per group than a register block: direct loops);
 * the weight gradient read in place from the padded input ({@link ConvPadded#weightGrad}: a stride
 * of 1, kernels 5 and 7 wide (register blocks of 5 and 2 kernel columns), in f64 two vectors' worth of
 * output channels per group on 512-bit vectors); with at most 8 output channels per group, the weight gradient with the output
 * positions along the lanes ({@link ConvLanes}: the cases with 4 to 7 output channels and a stride of 1).
 */
class ConvKernelsTest {
    record Conv(String name, String x, String w, String options) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Conv> convs() {
        return List.of(
                new Conv("partial panel, 7 channels out", "[batch, 4, 9, 9]", "[7, 4, 3, 3]", "padding = 1"),
                new Conv("144 kernel elements, 169 positions", "[batch, 16, 13, 13]", "[10, 16, 3, 3]", "padding = 1"),
                new Conv("groups, strides, dilations, padding", "[batch, 6, 11, 10]", "[12, 2, 3, 2]",
                        "stride = [2, 3], padding = [2, 1], dilation = [2, 1], groups = 3"),
                new Conv("1-d", "[batch, 5, 40]", "[6, 5, 5]", "padding = 2"),
                new Conv("stride 1, dilations, padding", "[batch, 3, 9, 8]", "[5, 3, 3, 2]", "padding = [2, 1], dilation = [2, 3]"),
                new Conv("70 channels out", "[batch, 3, 6, 6]", "[70, 3, 2, 2]", "stride = 2"),
                new Conv("130 channels out, 1×1", "[batch, 2, 4, 4]", "[130, 2, 1, 1]", ""),
                new Conv("depthwise", "[batch, 4, 7, 7]", "[4, 1, 3, 3]", "padding = 1, groups = 4"),
                new Conv("weight gradient in place: 10 channels per group, 4×5, dilation, padding", "[batch, 4, 12, 11]", "[20, 2, 4, 5]",
                        "padding = [1, 2], dilation = [1, 2], groups = 2"),
                new Conv("weight gradient in place: 12 channels, 3 in, 3×7 (blocks of 5 and 2 columns)", "[batch, 3, 8, 12]",
                        "[12, 3, 3, 7]", "padding = [1, 3]"),
                new Conv("weight gradient along the lanes: 5 channels, 2×7 (blocks of 1 channel, 5 and 2 columns)", "[batch, 2, 6, 10]",
                        "[5, 2, 2, 7]", "padding = [0, 1]"));
    }

    static String model(Conv c) {
        String fn = c.x.split(",").length == 4 ? "conv2d" : "conv1d";
        return """
                model Conv {
                    dim batch
                    input x : %s
                    param w : %s init normal(0, 1)
                    output y = %s(x, w%s)
                    loss = sum(y * y) / 2
                }
                """.formatted(c.x, c.w, fn, c.options.isEmpty() ? "" : ", " + c.options);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convs")
    void vectorBackendAgreesWithInterpreter(Conv c) {
        check(c, JavaEmitter.Backend.VECTOR);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convs")
    void scalarBackendAgreesWithInterpreter(Conv c) {
        check(c, JavaEmitter.Backend.SCALAR);
    }

    private static void check(Conv c, JavaEmitter.Backend backend) {
        String source = model(c);
        Compiler.Result r = Compiler.compile("conv.nn", source);
        assertTrue(r.ok(), r.render());
        for (boolean f32 : new boolean[] {false, true}) {
            ExamplesAgreeTest.agree(r.compiled().get(0), f32, "conv.nn", source, JavaEmitter.Backend.valueOf(backend.name()), 3, 3, 5);
        }
    }
}
