/**
 * The reference interpreter of nnc: evaluates the graph IR directly, in double (or emulating
 * float), and is the oracle that generated code and the PyTorch fixtures are compared with.
 *
 * <ul>
 *   <li>{@link dev.nnc.interp.Tensor}: shape + row-major {@code double[]}; integer label
 *       tensors share the representation, flagged by {@link dev.nnc.ir.DType#INT}.
 *   <li>{@link dev.nnc.interp.Interpreter}: evaluates nodes (memoized per instance), reads
 *       runtime dims off input shapes ({@code bindDims}), F64 or F32 emulation, training or
 *       evaluation mode.
 *   <li>The kernels themselves live with the ops ({@code dev.nnc.ops}): each elementwise op's
 *       scalar definition (the numerical contract for generated code), each reduction's
 *       identity and combination, each layout and structured op's {@code eval}; the error
 *       function is {@link dev.nnc.ir.Erf}.
 *   <li>{@link dev.nnc.interp.Rng}, {@link dev.nnc.interp.DropoutMasks},
 *       {@link dev.nnc.interp.Initializers}: the exactly specified random numbers (SplitMix64,
 *       stream seeds by {@code Rng.mix}) that generated code reproduces bit for bit.
 *   <li>{@link dev.nnc.interp.Optimizers}: SGD and Adam with torch.optim's update rules.
 *   <li>{@link dev.nnc.interp.Session}: one model's params, optimizer state and step counter;
 *       {@code infer}, {@code loss}, {@code lossAndGradients}, {@code trainStep}.
 * </ul>
 *
 * <p>Choices where the brief left room: ELU is {@code alpha·expm1(x)} for {@code x <= 0}
 * (the same value as {@code alpha·(exp(x) − 1)} without its cancellation near 0; PyTorch's
 * vectorized kernel does the same); {@code max} over an empty axis is {@code -inf};
 * {@code clamp} with {@code lo > hi} gives {@code hi}, as torch.clamp; the training step
 * counter starts at 0 (the first {@code trainStep} uses the masks of step 0) while Adam's
 * bias-correction step {@code t} starts at 1.
 */
package dev.nnc.interp;
