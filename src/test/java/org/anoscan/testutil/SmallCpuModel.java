package org.anoscan.testutil;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A small DCGAN on a fresh CPU backend for each test ({@code @RegisterExtension}), its batch norms randomised
 * ({@link TestModels#randomizeBatchNorms}); after the test it checks that no tensor leaked and closes both.
 */
public final class SmallCpuModel implements BeforeEachCallback, AfterEachCallback {
    private final DcganSpec spec;
    private final long seed;
    private final Random rnd;
    private CpuBackend cpu;
    private Dcgan model;

    /** rnd: the test's own generator, so that the batch norms take the draws they always took. */
    public SmallCpuModel(DcganSpec spec, long seed, Random rnd) {
        this.spec = spec;
        this.seed = seed;
        this.rnd = rnd;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        cpu = new CpuBackend();
        model = new Dcgan(cpu, spec, seed);
        TestModels.randomizeBatchNorms(model, rnd);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        model.close();
        assertEquals(0, cpu.liveTensors(), "tensors leaked");
        cpu.close();
    }

    public CpuBackend cpu() { return cpu; }

    public Dcgan model() { return model; }
}
