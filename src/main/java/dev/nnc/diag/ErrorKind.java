package dev.nnc.diag;

import java.text.MessageFormat;
import java.util.Locale;

/**
 * Every error nnc reports, each with a stable code (documented in the README; never reused)
 * and a message template in {@link MessageFormat} syntax. Codes are grouped by phase:
 * E1xx syntax, E2xx names, E3xx arguments, E4xx shapes and types, E5xx model structure,
 * E6xx generated files.
 */
public enum ErrorKind {
    // ---- syntax
    SYNTAX("E100", "{0}"),
    BAD_CHARACTER("E101", "unexpected character {0}"),
    UNTERMINATED_COMMENT("E102", "this comment is never closed with */"),
    TOO_DEEP("E103", "expression nested too deeply (more than {0} levels)"),
    TOO_LARGE("E104", "source too large: {0}"),

    // ---- names
    UNKNOWN_NAME("E200", "unknown name ''{0}''"),
    UNKNOWN_FUNCTION("E201", "unknown function ''{0}''"),
    DUPLICATE_NAME("E202", "''{0}'' is already declared at line {1}"),
    REBIND_FIXED("E203", "cannot rebind {0} ''{1}'': inputs, params, buffers, dims and consts are fixed"),
    RECURSIVE_FN("E204", "function ''{0}'' is recursive ({1}); functions are inlined, so recursion is not allowed"),
    DUPLICATE_FN("E205", "function ''{0}'' is already defined at line {1}"),
    DUPLICATE_MODEL("E206", "model ''{0}'' is already defined at line {1}"),
    NOT_A_VALUE("E207", "{0} ''{1}'' is not a value here"),
    NOT_A_FUNCTION("E208", "''{0}'' is not a function"),

    // ---- arguments
    ARG_COUNT("E300", "{0} takes {1}, got {2}"),
    UNKNOWN_ARG("E301", "{0} has no argument named ''{1}''"),
    DUPLICATE_ARG("E302", "argument ''{0}'' of {1} is given twice"),
    POSITIONAL_AFTER_NAMED("E303", "positional argument after a named one"),
    MISSING_ARG("E304", "{0} needs argument ''{1}''"),
    NOT_CONSTANT("E305", "argument ''{0}'' of {1} must be a compile-time number"),
    BAD_ARG_VALUE("E306", "argument ''{0}'' of {1} {2}"),
    MISPLACED_BOOL("E307", "''{0}'' is only a value of named arguments such as keepdims = {0}"),
    ARG_TYPE("E308", "argument ''{0}'' of {1} must be {2}"),

    // ---- shapes and types
    BROADCAST("E400", "cannot {0} {1} and {2}: dimension {3} is {4} vs {5}"),
    MATMUL("E401", "cannot multiply {0} @ {1}: inner dimensions {2} vs {3}"),
    RANK("E402", "{0} needs {1}, got {2}"),
    AXIS_RANGE("E403", "axis {0} is out of range for {1} (rank {2})"),
    RESHAPE_COUNT("E404", "cannot reshape {0} to {1}: {2} vs {3} elements"),
    CONCAT_SHAPE("E405", "cannot concat {0} and {1} along axis {2}: dimension {3} is {4} vs {5}"),
    LOSS_NOT_SCALAR("E406", "the loss must be a scalar (shape []), got {0}"),
    GRAD_NOT_SCALAR("E407", "grad needs a scalar function (shape []), got {0}"),
    GRAD_WRT("E408", "grad is taken with respect to an input or param, and {0} is not one"),
    BAD_DIM("E409", "a shape entry must be a positive integer, a const or a dim; {0}"),
    SIZE_OVERFLOW("E410", "{0} has {1} elements; nnc supports at most 2147483647 elements per tensor"),
    INT_TENSOR("E411", "integer input ''{0}'' can only be used as class labels or ids (cross_entropy, one_hot, embedding)"),
    LABEL_SHAPE("E412", "{0}: labels {1} do not fit logits {2}"),
    SHAPE_ARITHMETIC("E413", "cannot compute {0} in a shape: {1}"),
    INDEX_RANGE("E420", "index {0} is out of range for dimension {1} of {2}, whose size is {3}"),
    BAD_INDEX("E421", "{0}"),
    RESHAPE_INFER("E422", "cannot infer the -1 in reshape({0}, {1}): {2}"),
    DIM_PRODUCT("E423", "{0} would make a dimension {1}, but a runtime dim can only stand alone in a shape"),
    WINDOW_STATIC("E424", "{0} needs compile-time channels and spatial sizes (only the batch, dim 0, may be a runtime dim), got {1}"),
    CONV_CHANNELS("E425", "{0}: input {1} has {2} channels, but weight {3} takes {4} (its dim 1 × groups {5})"),
    CONV_GROUPS("E426", "{0}: groups = {1} must divide both the input''s {2} channels and the weight''s {3} output channels"),
    WINDOW_TOO_LARGE("E427", "{0}: along axis {1} the window spans {2} (kernel {3}, dilation {4}), more than the padded input''s {5} ({6} + 2 × padding {7})"),
    ATTENTION_MASK_AND_CAUSAL("E428", "scaled_dot_product_attention takes a mask or causal = true, not both (as PyTorch)"),
    ATTENTION_SHAPE("E429", "scaled_dot_product_attention: {0} {1} does not fit {2} {3}: {4}"),

    // ---- model structure
    DUPLICATE_LOSS("E500", "the model already has a loss at line {0}"),
    DUPLICATE_OPTIMIZER("E501", "the model already has an optimizer at line {0}"),
    UNKNOWN_OPTIMIZER("E502", "unknown optimizer ''{0}''; nnc has sgd, adam and adamw"),
    UNKNOWN_INITIALIZER("E503", "unknown initializer ''{0}''"),
    UNKNOWN_PRECISION("E504", "unknown precision ''{0}''; use f32 or f64"),
    OPTIMIZER_WITHOUT_LOSS("E505", "model ''{0}'' has an optimizer but no loss"),
    CONST_EVAL("E506", "{0}"),
    NOTHING_TO_COMPUTE("E507", "model ''{0}'' has neither an output nor a loss"),
    DUPLICATE_OUTPUT("E508", "output ''{0}'' is already declared at line {1}"),
    DUPLICATE_PRECISION("E509", "the model already declares its precision at line {0}"),
    DUPLICATE_PACKAGE("E510", "the file already has a package statement at line {0}"),
    UNKNOWN_MODEL("E511", "no model named ''{0}''; the file has {1}"),
    INITIALIZER_FAN("E512", "initializer {0} needs a parameter of rank 2 or more to compute fan-in and fan-out, got {1}"),
    JAVA_PACKAGE("E514", "package {0} cannot hold the generated Java classes: {1}"),
    BUFFER_UPDATED_TWICE("E515", "buffer ''{0}'' is already updated at line {1}; a buffer holds one running value"),

    // ---- generated files (reported by dev.nnc.build.Generator, which knows every input of a run)
    CLASS_CLASH("E600", "model ''{0}'' would be generated as {1}, which {2} also generates"),
    FOLDER_PACKAGE("E601", "model ''{0}'' has no package statement, and its folder {1} is not a Java package name");

    private final String code;
    private final String template;

    ErrorKind(String code, String template) {
        this.code = code;
        this.template = template;
    }

    /** The stable code, such as {@code E400}. */
    public String code() {
        return code;
    }

    public String template() {
        return template;
    }

    /** The message with {@code args} filled in. */
    public String format(Object... args) {
        Object[] strs = new Object[args.length];
        for (int i = 0; i < args.length; i++) strs[i] = args[i] == null ? "null" : String.valueOf(args[i]);
        return new MessageFormat(template, Locale.ROOT).format(strs);
    }
}
