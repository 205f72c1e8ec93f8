package org.anoscan.search;

import java.util.ArrayList;
import java.util.List;
import org.anoscan.backend.Activation;
import org.anoscan.backend.Backend;
import org.anoscan.backend.ConvSpec;
import org.anoscan.backend.FoldedConv;
import org.anoscan.nn.ActivationLayer;
import org.anoscan.nn.BatchNorm2d;
import org.anoscan.nn.Conv2d;
import org.anoscan.nn.ConvTranspose2d;
import org.anoscan.nn.Layer;
import org.anoscan.nn.Sequential;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * The frozen, eval-mode form of a conv / batch-norm / activation stack that the latent search runs:
 * each eval batch norm is folded into its convolution (scale into the weights, shift into a bias), and
 * bias and activation run fused into the convolution's output pass (and the activation's backward into
 * the backward-data's input pass) where the backend fuses them. Only each stage's output is kept for backward, and
 * backward gives gradients with respect to the input only: ReLU and LeakyReLU derivatives are read
 * from the output's sign (the same as the input's), Tanh and Sigmoid from the output.
 *
 * <p>Owns the folded weights and the kept outputs; the input stays the caller's.
 */
final class FoldedNetwork implements AutoCloseable {
    private record Stage(boolean transposed, Tensor weight, Tensor bias, boolean ownsWeight, ConvSpec spec, Activation act,
                         Shape inPerSample) {
    }

    private final Backend backend;
    private final List<Stage> stages = new ArrayList<>();
    private final List<Tensor> outputs = new ArrayList<>();

    /** Folds net (convs, each optionally followed by a batch norm and an activation) with its current weights. */
    FoldedNetwork(Sequential net, Shape inputPerSample) {
        this(net.parameters().get(0).value().backend(), net, inputPerSample);
    }

    /** As above, running every op through {@code backend} (the model's, which may wrap its tensors' backend). */
    FoldedNetwork(Backend backend, Sequential net, Shape inputPerSample) {
        List<Layer> layers = net.layers();
        this.backend = backend;
        Shape s = inputPerSample;
        try {
            for (int i = 0; i < layers.size(); ) {
                Layer conv = layers.get(i++);
                BatchNorm2d bn = i < layers.size() && layers.get(i) instanceof BatchNorm2d b ? b : null;
                if (bn != null) i++;
                Activation act = i < layers.size() && layers.get(i) instanceof ActivationLayer a ? a.kind() : null;
                if (act != null) i++;
                boolean transposed = conv instanceof ConvTranspose2d;
                Tensor w;
                ConvSpec spec;
                if (conv instanceof Conv2d c) {
                    w = c.weight().value();
                    spec = c.spec();
                } else if (conv instanceof ConvTranspose2d c) {
                    w = c.weight().value();
                    spec = c.spec();
                } else {
                    throw new IllegalArgumentException("FoldedNetwork: expected a convolution, got " + conv.getClass().getSimpleName());
                }
                if (bn != null) {
                    FoldedConv f = backend.foldBatchNorm(w, transposed, null, bn.gamma().value(), bn.beta().value(),
                            bn.runningMean().value(), bn.runningVar().value(), BatchNorm2d.EPS);
                    stages.add(new Stage(transposed, f.weight(), f.bias(), true, spec, act, s));
                } else {
                    stages.add(new Stage(transposed, w, null, false, spec, act, s));
                }
                s = conv.outputShape(s);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The output, owned by this network until the next forward or close. */
    Tensor forward(Tensor x) {
        releaseOutputs();
        Tensor cur = x;
        for (Stage st : stages) {
            Tensor y = backend.convBiasActivation(st.transposed, cur, st.weight, st.bias, st.act, st.spec);
            outputs.add(y);
            cur = y;
        }
        return cur;
    }

    /** Each stage's output of the last forward (the last is forward's result), owned by this network. */
    List<Tensor> stageOutputs() { return java.util.Collections.unmodifiableList(outputs); }

    /** dL/dinput of the last forward, given dL/doutput; a new tensor owned by the caller. */
    Tensor backward(Tensor dy) {
        try (TensorScope scope = new TensorScope()) {
            return scope.keep(backward(dy, scope));
        }
    }

    /**
     * dL/dinput of the last forward, given dL/doutput; the result and every temporary belong to
     * {@code scope}, so a failing op leaves nothing behind. Temporaries are closed as soon as they are used.
     */
    Tensor backward(Tensor dy, TensorScope scope) {
        return backward(dy, scope, false);
    }

    /** The last stage's activation (null when none). */
    Activation lastActivation() {
        return stages.isEmpty() ? null : stages.get(stages.size() - 1).act;
    }

    /**
     * As {@link #backward(Tensor, TensorScope)}, from the gradient at the last stage's activation input:
     * the caller computed that activation's backward itself (fused into its loss kernel).
     */
    Tensor backwardFromPreActivation(Tensor dpre, TensorScope scope) {
        return backward(dpre, scope, true);
    }

    private Tensor backward(Tensor dy, TensorScope scope, boolean skipLastActivation) {
        Tensor cur = dy;
        for (int i = stages.size() - 1; i >= 0; i--) {
            Stage st = stages.get(i);
            Shape in = st.inPerSample.withN(dy.shape().n());
            boolean act = st.act != null && !(skipLastActivation && i == stages.size() - 1);
            Tensor dx = scope.add(act ? backend.convActivationBackwardData(st.transposed, cur, outputs.get(i), st.act, st.weight, in, st.spec)
                    : st.transposed ? backend.convTranspose2dBackwardData(cur, st.weight, in, st.spec)
                    : backend.conv2dBackwardData(cur, st.weight, in, st.spec));
            if (cur != dy) cur.close();
            cur = dx;
        }
        return cur;
    }

    void releaseOutputs() {
        for (Tensor t : outputs) t.close();
        outputs.clear();
    }

    @Override
    public void close() {
        releaseOutputs();
        for (Stage st : stages) {
            if (st.ownsWeight) {
                st.weight.close();
                st.bias.close();
            }
        }
        stages.clear();
    }
}
