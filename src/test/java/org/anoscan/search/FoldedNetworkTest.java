package org.anoscan.search;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.nn.Sequential;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.anoscan.testutil.SmallCpuModel;
import org.anoscan.testutil.TestModels;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The folded search networks against the layer-by-layer eval-mode networks they replace (batch norm
 * applied separately, backward through every layer): outputs and input gradients agree to float
 * rounding, ||folded - layered|| / ||layered|| < 1e-5.
 */
class FoldedNetworkTest {
    private CpuBackend cpu;
    private Dcgan model;
    private final Random rnd = new Random(5);

    @RegisterExtension
    final SmallCpuModel fixture = new SmallCpuModel(new DcganSpec(32, 1, 10, 8, 8), 4L, rnd);

    @BeforeEach
    void setUp() {
        cpu = fixture.cpu();
        model = fixture.model();
    }

    @Test
    void foldedGeneratorMatchesLayeredGenerator() {
        compare(model.generator(), model.latentShape(4));
    }

    @Test
    void foldedFeaturesMatchLayeredFeatures() {
        compare(model.features(), model.imageShape(4));
    }

    @Test
    void foldedNetworksOfAModelWithExtraBlocks() {
        try (Dcgan deep = new Dcgan(cpu, new DcganSpec(32, 1, 10, 8, 8, 4, org.anoscan.nn.CompoundScaling.NONE), 6L)) {
            TestModels.randomizeBatchNorms(deep, rnd);
            compare(deep.generator(), deep.latentShape(3));
            compare(deep.features(), deep.imageShape(3));
        }
    }

    private void compare(Sequential net, Shape in) {
        float[] x = new float[in.size()];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        Shape outShape = net.outputShape(in);
        float[] dy = new float[outShape.size()];
        for (int i = 0; i < dy.length; i++) dy[i] = (float) rnd.nextGaussian();
        float[] yLayered;
        float[] dxLayered;
        float[] yFolded;
        float[] dxFolded;
        try (Tensor xt = cpu.fromHost(x, in); Tensor dyt = cpu.fromHost(dy, outShape)) {
            yLayered = net.forward(xt, false).toHost();
            try (Tensor dx = net.backward(dyt, false)) {
                dxLayered = dx.toHost();
            }
            net.releaseActivations();
            try (FoldedNetwork folded = new FoldedNetwork(net, in.withN(1))) {
                yFolded = folded.forward(xt).toHost();
                try (Tensor dx = folded.backward(dyt)) {
                    dxFolded = dx.toHost();
                }
            }
        }
        assertTrue(TestModels.relativeDifference(yFolded, yLayered) < 1e-5, "forward differs by " + TestModels.relativeDifference(yFolded, yLayered));
        assertTrue(TestModels.relativeDifference(dxFolded, dxLayered) < 1e-5, "backward differs by " + TestModels.relativeDifference(dxFolded, dxLayered));
    }
}
