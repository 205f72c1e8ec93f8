package org.anoscan.nn;

import java.util.List;
import org.anoscan.backend.Backend;
import org.anoscan.backend.BatchNormGrads;
import org.anoscan.backend.BatchNormState;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * Batch norm over the channels of an NCHW tensor, PyTorch defaults (eps 1e-5, momentum 0.1).
 * gamma starts at N(1, 0.02) and beta at 0, as DCGAN's weight init.
 */
public final class BatchNorm2d implements Layer {
    public static final float EPS = 1e-5f;
    public static final float MOMENTUM = 0.1f;

    private final Backend backend;
    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private Tensor input;
    private Tensor saveMean; // owned: batch statistics of the last training-mode forward
    private Tensor saveInvStd;
    private boolean lastTrain;

    public BatchNorm2d(Backend backend, String name, int channels, Init init) {
        this.backend = backend;
        Shape c = Shape.of(channels);
        this.gamma = new Parameter(name + ".weight", backend.fromHost(init.normal(channels, 1, 0.02), c));
        this.beta = new Parameter(name + ".bias", backend.zeros(c));
        this.runningMean = new Parameter(name + ".running_mean", backend.zeros(c));
        Tensor ones = backend.zeros(c);
        backend.fill(ones, 1f);
        this.runningVar = new Parameter(name + ".running_var", ones);
    }

    public Parameter gamma() { return gamma; }

    public Parameter beta() { return beta; }

    public Parameter runningMean() { return runningMean; }

    public Parameter runningVar() { return runningVar; }

    @Override
    public Tensor forward(Tensor x, boolean train) {
        releaseActivations();
        input = x;
        lastTrain = train;
        if (!train) {
            return backend.batchNormEval(x, gamma.value(), beta.value(), runningMean.value(), runningVar.value(), EPS);
        }
        BatchNormState s = backend.batchNormTrain(x, gamma.value(), beta.value(), runningMean.value(), runningVar.value(),
                MOMENTUM, EPS);
        saveMean = s.saveMean();
        saveInvStd = s.saveInvStd();
        return s.y(); // the caller owns y; the statistics stay here for backward
    }

    @Override
    public Tensor backward(Tensor dy, boolean weightGrads) {
        if (input == null) throw new IllegalStateException("BatchNorm2d " + gamma.name() + ": backward before forward");
        if (!lastTrain) return backend.batchNormEvalBackward(dy, gamma.value(), runningVar.value(), EPS);
        BatchNormGrads g = backend.batchNormBackward(dy, input, gamma.value(), saveMean, saveInvStd,
                weightGrads);
        if (weightGrads) {
            gamma.accumulateGrad(g.dgamma());
            beta.accumulateGrad(g.dbeta());
        }
        return g.dx();
    }

    @Override
    public Shape outputShape(Shape in) {
        return in;
    }

    @Override
    public List<Parameter> parameters() { return List.of(gamma, beta); }

    @Override
    public List<Parameter> buffers() { return List.of(runningMean, runningVar); }

    @Override
    public void releaseActivations() {
        input = null;
        if (saveMean != null) {
            saveMean.close();
            saveInvStd.close();
            saveMean = null;
            saveInvStd = null;
        }
    }
}
