package org.anoscan.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.nn.Encoder;
import org.anoscan.tensor.Tensor;
import org.anoscan.testutil.GradCheck;
import org.anoscan.testutil.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The encoder and hybrid scoring modes of {@link LatentSearch}, on a small random model with a random encoder. */
class ScoringModeTest {
    private static final DcganSpec SPEC = new DcganSpec(32, 1, 8, 4, 4);
    private static CpuBackend cpu;
    private static Dcgan model;
    private static float[] patches;
    private static final int COUNT = 6;

    @BeforeAll
    static void setUp() {
        cpu = new CpuBackend();
        model = new Dcgan(cpu, SPEC, 3L);
        TestModels.randomizeBatchNorms(model, new Random(3));
        model.setEncoder(new Encoder(cpu, SPEC, 4, 11L));
        patches = GradCheck.randomFloats(COUNT * 32 * 32, new Random(5), 0.5);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        assertEquals(0, cpu.liveTensors(), "tensors leaked");
        cpu.close();
    }

    /** E(x) by the unfolded network in eval mode: what the encoder mode must start from. */
    private static float[] encoded() {
        try (Tensor x = cpu.fromHost(patches, model.imageShape(COUNT))) {
            float[] z = model.encoder().network().forward(x, false).toHost();
            model.encoder().network().releaseActivations();
            return z;
        }
    }

    @Test
    void encoderModeScoresEOfXWithoutASearchStep() {
        SearchConfig cfg = SearchConfig.defaults().withIterations(30).withMode(ScoringMode.ENCODER);
        List<SearchResult> r = new LatentSearch(model, cfg).search(patches, COUNT);
        float[] ez = encoded();
        for (int p = 0; p < COUNT; p++) {
            SearchResult s = r.get(p);
            assertEquals(0, s.iterations(), "no search step in encoder mode");
            for (int i = 0; i < SPEC.nz(); i++) assertEquals(ez[p * SPEC.nz() + i], s.z()[i], 1e-5f, "z = E(x), patch " + p);
            // the score is the AnoGAN loss at G(E(x)): check the residual term from the returned maps
            double residual = 0;
            for (float v : s.residualMap()) residual += v;
            assertEquals(0.9 * residual, s.residualScore(), 1e-3 * residual, "residual term at G(E(x))");
            assertTrue(Float.isFinite(s.score()) && s.score() > s.residualScore(), "score = residual + feature terms");
        }
    }

    @Test
    void hybridStartsAtEOfXAndNeverScoresWorseThanTheEncoderAlone() {
        List<SearchResult> enc = new LatentSearch(model, SearchConfig.defaults().withMode(ScoringMode.ENCODER)).search(patches, COUNT);
        List<SearchResult> hybrid0 = new LatentSearch(model, SearchConfig.defaults().withIterations(1).withMode(ScoringMode.HYBRID))
                .search(patches, COUNT);
        List<SearchResult> hybrid = new LatentSearch(model, SearchConfig.defaults().withIterations(20).withMode(ScoringMode.HYBRID))
                .search(patches, COUNT);
        List<SearchResult> search = new LatentSearch(model, SearchConfig.defaults().withIterations(20)).search(patches, COUNT);
        for (int p = 0; p < COUNT; p++) {
            // one step: the best z seen is the start E(x) or the point after one step, whose loss was not evaluated, so E(x)
            assertArrayEquals(enc.get(p).z(), hybrid0.get(p).z(), 1e-6f, "hybrid starts at E(x)");
            assertTrue(hybrid.get(p).score() <= enc.get(p).score() * (1 + 1e-5), "hybrid keeps the best z it saw, E(x) included");
            assertTrue(distance(search.get(p).z(), hybrid.get(p).z()) > 0.1, "hybrid is not a plain search from a random z");
        }
    }

    private static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (double) (a[i] - b[i]);
        return Math.sqrt(s);
    }

    @Test
    void restartsAddRandomStartsBesideEOfX() {
        SearchConfig cfg = SearchConfig.defaults().withIterations(0).withMode(ScoringMode.HYBRID).withRestarts(3);
        List<SearchResult> r = new LatentSearch(model, cfg.withTrace(false)).search(patches, COUNT);
        List<SearchResult> enc = new LatentSearch(model, SearchConfig.defaults().withMode(ScoringMode.ENCODER)).search(patches, COUNT);
        for (int p = 0; p < COUNT; p++) {
            SearchResult h = r.get(p);
            assertTrue(h.score() <= enc.get(p).score() * (1 + 1e-5), "E(x) is one of the starts");
            if (h.restart() == 0) assertArrayEquals(enc.get(p).z(), h.z(), 1e-6f, "restart 0 is E(x)");
            else assertTrue(h.score() < enc.get(p).score() * (1 + 1e-5), "a random start won only by scoring lower");
            assertTrue(h.restart() < 3);
        }
    }

    @Test
    void aModelWithoutEncoderSaysSoInOneLine() {
        try (Dcgan plain = new Dcgan(cpu, SPEC, 1L)) {
            for (ScoringMode m : new ScoringMode[] {ScoringMode.ENCODER, ScoringMode.HYBRID}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> new LatentSearch(plain, SearchConfig.defaults().withMode(m)));
                assertTrue(e.getMessage().contains("needs an encoder") && e.getMessage().contains("train-encoder")
                        && !e.getMessage().contains("\n"), e.getMessage());
            }
            new LatentSearch(plain, SearchConfig.defaults().withMode(ScoringMode.SEARCH)); // fine
        }
    }

    @Test
    void modesParseByName() {
        assertEquals(ScoringMode.HYBRID, ScoringMode.parse("Hybrid"));
        assertEquals(ScoringMode.ENCODER, ScoringMode.parse("encoder"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScoringMode.parse("fast"));
        assertTrue(e.getMessage().contains("search, encoder or hybrid"), e.getMessage());
    }
}
