package org.anoscan.backend.cpu;

import org.anoscan.backend.Activation;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.BatchNormGrads;
import org.anoscan.backend.BatchNormState;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.tensor.Tensor;

/**
 * Element-wise, batch-norm, loss and optimiser ops of the CPU backend: plain loops over native buffers.
 * Routes each op to the small class that implements its family.
 */
final class CpuOps {
    private final CpuElementwise elementwise;
    private final CpuBatchNorm batchNorm;
    private final CpuReductions reductions;
    private final CpuAdam adam;

    CpuOps(CpuBackend cpu) {
        this.elementwise = new CpuElementwise(cpu);
        this.batchNorm = new CpuBatchNorm(cpu);
        this.reductions = new CpuReductions(cpu);
        this.adam = new CpuAdam(cpu);
    }

    Tensor biasBackward(Tensor dy) {
        return reductions.biasBackward(dy);
    }

    BatchNormState batchNormTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float momentum, float eps) {
        return batchNorm.train(x, gamma, beta, runningMean, runningVar, momentum, eps);
    }

    Tensor batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float eps) {
        return batchNorm.eval(x, gamma, beta, runningMean, runningVar, eps);
    }

    BatchNormGrads batchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor saveMean, Tensor saveInvStd, boolean weightGrads) {
        return batchNorm.backward(dy, x, gamma, saveMean, saveInvStd, weightGrads);
    }

    Tensor batchNormEvalBackward(Tensor dy, Tensor gamma, Tensor runningVar, float eps) {
        return batchNorm.evalBackward(dy, gamma, runningVar, eps);
    }

    Tensor activation(Activation a, Tensor x) {
        return elementwise.activation(a, x);
    }

    Tensor activationBackward(Activation a, Tensor x, Tensor y, Tensor dy) {
        return elementwise.activationBackward(a, x, y, dy);
    }

    Tensor add(Tensor a, Tensor b) {
        return elementwise.add(a, b);
    }

    void axpy(float alpha, Tensor x, Tensor y) {
        elementwise.axpy(alpha, x, y);
    }

    Tensor absDiff(Tensor a, Tensor b) {
        return elementwise.absDiff(a, b);
    }

    Tensor l1PerSample(Tensor a, Tensor b) {
        return reductions.l1PerSample(a, b);
    }

    LossAndGrad l1LossWithGrad(Tensor pred, Tensor target, float weight) {
        return reductions.l1LossWithGrad(pred, target, weight);
    }

    LossAndGrad l2LossWithGrad(Tensor pred, Tensor target, float weight) {
        return reductions.l2LossWithGrad(pred, target, weight);
    }

    LossAndGrad bceWithLogits(Tensor logits, float target) {
        return reductions.bceWithLogits(logits, target);
    }

    void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, int step, AdamConfig cfg) {
        adam.step(param, grad, m, v, step, cfg);
    }

    void adamPerSampleStep(Tensor z, Tensor grad, Tensor m, Tensor v, Tensor steps, Tensor active, AdamConfig cfg) {
        adam.perSampleStep(z, grad, m, v, steps, active, cfg);
    }

    void keepBest(Tensor loss, Tensor bestLoss, Tensor z, Tensor bestZ) {
        adam.keepBest(loss, bestLoss, z, bestZ);
    }
}
