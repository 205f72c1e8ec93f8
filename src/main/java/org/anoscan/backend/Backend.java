package org.anoscan.backend;

import org.anoscan.tensor.Precision;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * The ops a DCGAN and a batched latent search need, on one compute device. Ops take and return
 * tensors of this backend, never Java arrays: a device backend keeps a whole search on the device.
 * Host copies are explicit ({@link #fromHost}, {@link #toHost}). Every returned tensor is new and owned
 * by the caller (close it), except where a method says it works in place.
 *
 * <p>Layouts follow PyTorch: images NCHW; conv2d weights [Cout, Cin, k, k]; conv-transpose2d weights
 * [Cin, Cout, k, k]; per-channel vectors [C]. Bad arguments throw with a message that names the op and
 * the shapes. A backend is used by one thread at a time.
 */
public interface Backend extends AutoCloseable {

    /** Short name: "cpu", "cuda:0". */
    String name();

    /** One line for people: device, threads, library versions. */
    String description();

    /** Convolution arithmetic; the CPU backend always computes in fp32. */
    Precision precision();

    void setPrecision(Precision precision);

    /**
     * The precision a run uses when none is asked for: TF32 on a GPU with TF32 tensor cores (as PyTorch's
     * cuDNN default), FP32 elsewhere. A backend starts in FP32 whatever this says; callers choose.
     */
    default Precision defaultPrecision() {
        return Precision.FP32;
    }

    // ---- memory ----

    Tensor zeros(Shape shape);

    Tensor fromHost(float[] data, Shape shape);

    float[] toHost(Tensor t);

    /** Copies src into dst (same shape), in place. */
    void copyInto(Tensor src, Tensor dst);

    /** Sets every element of t to value, in place. */
    void fill(Tensor t, float value);

    /** Tensors made by this backend and not yet closed. */
    long liveTensors();

    /** Bytes of tensor storage made by this backend and not yet freed. */
    long liveBytes();

    // ---- convolutions (square kernels, PyTorch layouts and output sizes) ----

    /** y = conv2d(x, w) (+ bias per output channel when bias is not null). */
    Tensor conv2d(Tensor x, Tensor w, Tensor bias, ConvSpec spec);

    /** dL/dx of conv2d, given dL/dy. */
    Tensor conv2dBackwardData(Tensor dy, Tensor w, Shape xShape, ConvSpec spec);

    /** dL/dw of conv2d, given dL/dy and the forward input x. */
    Tensor conv2dBackwardFilter(Tensor dy, Tensor x, Shape wShape, ConvSpec spec);

    /** y = conv-transpose2d(x, w) (+ bias), the adjoint of conv2d with the same w and spec. */
    Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, ConvSpec spec);

    /** dL/dx of conv-transpose2d: a conv2d of dy with w. */
    Tensor convTranspose2dBackwardData(Tensor dy, Tensor w, Shape xShape, ConvSpec spec);

    /** dL/dw of conv-transpose2d, given dL/dy and the forward input x. */
    Tensor convTranspose2dBackwardFilter(Tensor dy, Tensor x, Shape wShape, ConvSpec spec);

    /** dL/dbias of a per-channel bias: dy summed over N, H, W, shape [C]. */
    Tensor biasBackward(Tensor dy);

    // ---- batch norm (per channel of an NCHW tensor) ----

    /**
     * Training mode: normalises with the batch statistics and updates runningMean and runningVar in
     * place ({@code r = (1 - momentum) r + momentum * batch}, unbiased variance, as PyTorch).
     */
    BatchNormState batchNormTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                  float momentum, float eps);

    /** Eval mode: normalises with the running statistics. */
    Tensor batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float eps);

    /** Backward of training mode; dgamma and dbeta only when weightGrads. */
    BatchNormGrads batchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
                                     boolean weightGrads);

    /** Backward of eval mode with respect to x: dy * gamma / sqrt(runningVar + eps). */
    Tensor batchNormEvalBackward(Tensor dy, Tensor gamma, Tensor runningVar, float eps);

    /**
     * Folds an eval-mode batch norm that follows a convolution into the convolution: a new weight (w
     * scaled per output channel by gamma / sqrt(var + eps)) and bias (beta - mean * that scale, plus the
     * scaled old bias when not null). w is conv2d [Cout, Cin, k, k], or conv-transpose2d [Cin, Cout, k, k]
     * when transposed.
     */
    FoldedConv foldBatchNorm(Tensor w, boolean transposed, Tensor bias, Tensor gamma, Tensor beta, Tensor runningMean,
                             Tensor runningVar, float eps);

    /** In place: y = a(y + bias[c]) per channel; bias may be null (none), a may be null (identity). */
    void biasActivation(Tensor y, Tensor bias, Activation a);

    // ---- element-wise ----

    Tensor activation(Activation a, Tensor x);

    /**
     * dL/dx of y = a(x) given dL/dy. ReLU and LeakyReLU read x; Tanh and Sigmoid read y (the other may be
     * null).
     */
    Tensor activationBackward(Activation a, Tensor x, Tensor y, Tensor dy);

    /** a + b, same shapes. */
    Tensor add(Tensor a, Tensor b);

    /** y += alpha * x, in place. */
    void axpy(float alpha, Tensor x, Tensor y);

    /** |a - b| element-wise (the residual map). */
    Tensor absDiff(Tensor a, Tensor b);

    // ---- losses and reductions ----

    /** Per-sample L1 distance: [N] with sum over all but the first dimension of |a - b|. */
    Tensor l1PerSample(Tensor a, Tensor b);

    /**
     * Fused per-sample weighted L1 and its gradient: loss[n] = weight * sum |pred - target| over sample
     * n, grad = weight * sign(pred - target) (0 where equal).
     */
    LossAndGrad l1LossWithGrad(Tensor pred, Tensor target, float weight);

    /**
     * Fused per-sample weighted squared error and its gradient: loss[n] = weight * sum (pred - target)^2 over
     * sample n, grad = 2 * weight * (pred - target). The encoder's training loss (f-AnoGAN's izi_f) is two of them.
     */
    LossAndGrad l2LossWithGrad(Tensor pred, Tensor target, float weight);

    /**
     * Binary cross-entropy with logits against a constant target (1, 0, or a smoothed label), averaged
     * over all elements: loss shape [1], grad = (sigmoid(x) - target) / count.
     */
    LossAndGrad bceWithLogits(Tensor logits, float target);

    // ---- optimisers, in place ----

    /** One Adam step on a parameter tensor; step counts from 1. */
    void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, int step, AdamConfig cfg);

    /**
     * One Adam step per row of a batch of independent searches: z, grad, m, v have N rows; steps [N]
     * holds each row's step count (incremented here for active rows); active [N] (1 = update, 0 =
     * frozen), or null for all rows.
     */
    void adamPerSampleStep(Tensor z, Tensor grad, Tensor m, Tensor v, Tensor steps, Tensor active, AdamConfig cfg);

    /** Per row n: where loss[n] < bestLoss[n], bestLoss[n] = loss[n] and row n of bestZ = row n of z. */
    void keepBest(Tensor loss, Tensor bestLoss, Tensor z, Tensor bestZ);

    // ---- fused convolution passes of the latent search (defaults: the composition; the CPU fuses them) ----

    /**
     * conv2d (or conv-transpose2d when transposed) without bias, then {@link #biasActivation}(y, bias, a):
     * a folded stage's forward in one pass over the output.
     */
    default Tensor convBiasActivation(boolean transposed, Tensor x, Tensor w, Tensor bias, Activation a, ConvSpec spec) {
        Tensor y = transposed ? convTranspose2d(x, w, null, spec) : conv2d(x, w, null, spec);
        try {
            if (bias != null || a != null) biasActivation(y, bias, a);
            return y;
        } catch (RuntimeException | Error e) {
            y.close();
            throw e;
        }
    }

    /**
     * {@link #activationBackward}(a, y, y, dy) (the derivative read from the activation's output y, which
     * has the input's sign for ReLU-like kinds), then the backward-data of conv2d (or conv-transpose2d when
     * transposed): a folded stage's backward in one pass over its input gradient.
     */
    default Tensor convActivationBackwardData(boolean transposed, Tensor dy, Tensor y, Activation a, Tensor w, Shape xShape,
                                              ConvSpec spec) {
        try (Tensor g = activationBackward(a, y, y, dy)) {
            return transposed ? convTranspose2dBackwardData(g, w, xShape, spec) : conv2dBackwardData(g, w, xShape, spec);
        }
    }

    // ---- fused steps of the latent search ----
    // Each is defined by the composition of the ops above that its default runs (the CPU reference); a
    // device backend may run it as one kernel, which must agree with the composition.

    /**
     * The residual term at G's tanh output gz, and the gradient at tanh's input: loss[n] = weight * sum
     * |gz - x| over sample n, and (dgz + weight * sign(gz - x)) * (1 - gz^2), where dgz is the gradient that
     * reached gz from the feature term. Replaces l1LossWithGrad, the axpy into dgz and tanh's backward.
     */
    default LossAndGrad residualTanhBackward(Tensor gz, Tensor x, Tensor dgz, float weight) {
        LossAndGrad residual = l1LossWithGrad(gz, x, weight);
        try (Tensor grad = residual.grad(); Tensor sum = add(dgz, grad)) {
            return new LossAndGrad(residual.loss(), activationBackward(Activation.TANH, null, gz, sum));
        } catch (RuntimeException | Error e) {
            residual.loss().close();
            throw e;
        }
    }

    /**
     * The feature term at f's last LeakyReLU output fg, and the gradient at that LeakyReLU's input:
     * loss[n] = weight * sum |fg - fx| over sample n, and weight * sign(fg - fx), times the slope where
     * fg <= 0 (the output's sign is the input's). Replaces l1LossWithGrad and the LeakyReLU backward.
     */
    default LossAndGrad featureLeakyBackward(Tensor fg, Tensor fx, float weight) {
        LossAndGrad feature = l1LossWithGrad(fg, fx, weight);
        try (Tensor grad = feature.grad()) {
            return new LossAndGrad(feature.loss(), activationBackward(Activation.LEAKY_RELU, fg, fg, grad));
        } catch (RuntimeException | Error e) {
            feature.loss().close();
            throw e;
        }
    }

    /**
     * The end of a search iteration, per row: loss = lossA + lossB (returned), then
     * {@link #keepBest}(loss, bestLoss, z, bestZ), then {@link #adamPerSampleStep}(z, grad, m, v, steps,
     * active, cfg).
     */
    default Tensor searchUpdate(Tensor lossA, Tensor lossB, Tensor bestLoss, Tensor z, Tensor bestZ, Tensor grad, Tensor m, Tensor v,
                                Tensor steps, Tensor active, AdamConfig cfg) {
        Tensor loss = add(lossA, lossB);
        try {
            keepBest(loss, bestLoss, z, bestZ);
            adamPerSampleStep(z, grad, m, v, steps, active, cfg);
        } catch (RuntimeException | Error e) {
            loss.close();
            throw e;
        }
        return loss;
    }

    /** Frees what the backend holds itself (pools, handles); its tensors must be closed first. */
    @Override
    void close();
}
