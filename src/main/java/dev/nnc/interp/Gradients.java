package dev.nnc.interp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loss of a batch and its gradients.
 *
 * @param loss   the loss value
 * @param params the gradient of the loss with respect to every param, by name in declaration order
 * @param inputs the gradient with respect to every real-valued input that was given, by name in
 *               declaration order (zero for an input the loss does not use)
 */
public record Gradients(double loss, Map<String, Tensor> params, Map<String, Tensor> inputs) {
    public Gradients {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
    }

    /** The gradient with respect to the param or input {@code name}. */
    public Tensor of(String name) {
        Tensor t = params.get(name);
        if (t == null) t = inputs.get(name);
        if (t == null) throw new IllegalArgumentException("no gradient for '" + name + "'");
        return t;
    }
}
