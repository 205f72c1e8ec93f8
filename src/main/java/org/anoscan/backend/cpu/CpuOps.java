package org.anoscan.backend.cpu;

import org.anoscan.backend.Activation;
import org.anoscan.backend.AdamConfig;
import org.anoscan.backend.BatchNormGrads;
import org.anoscan.backend.BatchNormState;
import org.anoscan.backend.LossAndGrad;
import org.anoscan.tensor.Tensor;

/** Element-wise, batch-norm, loss and optimiser ops of the CPU backend: plain loops over native buffers. */
final class CpuOps {
    private final CpuBackend cpu;

    CpuOps(CpuBackend cpu) {
        this.cpu = cpu;
    }

    Tensor biasBackward(Tensor dy) { throw new UnsupportedOperationException("TODO"); }

    BatchNormState batchNormTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float momentum, float eps) { throw new UnsupportedOperationException("TODO"); }

    Tensor batchNormEval(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float eps) { throw new UnsupportedOperationException("TODO"); }

    BatchNormGrads batchNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor saveMean, Tensor saveInvStd, boolean weightGrads) { throw new UnsupportedOperationException("TODO"); }

    Tensor batchNormEvalBackward(Tensor dy, Tensor gamma, Tensor runningVar, float eps) { throw new UnsupportedOperationException("TODO"); }

    Tensor activation(Activation a, Tensor x) { throw new UnsupportedOperationException("TODO"); }

    Tensor activationBackward(Activation a, Tensor x, Tensor y, Tensor dy) { throw new UnsupportedOperationException("TODO"); }

    Tensor add(Tensor a, Tensor b) { throw new UnsupportedOperationException("TODO"); }

    void axpy(float alpha, Tensor x, Tensor y) { throw new UnsupportedOperationException("TODO"); }

    Tensor absDiff(Tensor a, Tensor b) { throw new UnsupportedOperationException("TODO"); }

    Tensor l1PerSample(Tensor a, Tensor b) { throw new UnsupportedOperationException("TODO"); }

    LossAndGrad l1LossWithGrad(Tensor pred, Tensor target, float weight) { throw new UnsupportedOperationException("TODO"); }

    LossAndGrad bceWithLogits(Tensor logits, float target) { throw new UnsupportedOperationException("TODO"); }

    void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, int step, AdamConfig cfg) { throw new UnsupportedOperationException("TODO"); }

    void adamPerSampleStep(Tensor z, Tensor grad, Tensor m, Tensor v, Tensor steps, Tensor active, AdamConfig cfg) { throw new UnsupportedOperationException("TODO"); }

    void keepBest(Tensor loss, Tensor bestLoss, Tensor z, Tensor bestZ) { throw new UnsupportedOperationException("TODO"); }
}
