package org.anoscan.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.anoscan.nn.CompoundScaling;
import org.anoscan.nn.DcganSpec;
import org.junit.jupiter.api.Test;

/**
 * The grid search trains each distinct network once: the candidates that rounding collapses onto one network (MNIST)
 * or onto one network and resolution (texture) share a group. Expected groups worked out by hand from the rounding
 * rules (widths to multiples of 8, blocks to whole ones).
 */
class CompoundScalingSearchTest {
    private static final DcganSpec MNIST_BASE = OneClassBenchmark.quick().spec(); // widths 16
    private static final DcganSpec TEXTURE_BASE = TextureLocalisation.quick().spec(); // widths 24

    private static List<CompoundScalingSearch.Candidate> candidates() {
        List<CompoundScalingSearch.Candidate> out = new ArrayList<>(List.of(new CompoundScalingSearch.Candidate("base", CompoundScaling.NONE)));
        out.addAll(CompoundScalingSearch.parseCandidates(String.join(",", CompoundScalingSearch.grid().stream()
                .map(c -> c.alpha() + ":" + c.beta() + ":" + c.gamma()).toList())));
        return out;
    }

    private static List<String> labels(List<CompoundScalingSearch.Candidate> group) {
        return group.stream().map(CompoundScalingSearch.Candidate::label).toList();
    }

    @Test
    void theGridAtPhiOneHasSixDistinctMnistNetworks() {
        List<CompoundScalingSearch.Candidate> all = candidates();
        assertEquals(16, all.size());
        Map<DcganSpec, List<CompoundScalingSearch.Candidate>> groups = CompoundScalingSearch.distinct(all, c -> c.network(MNIST_BASE));
        assertEquals(6, groups.size(), "widths 16/24 x 0-3 blocks as the grid reaches them: " + groups.keySet());
        // β 1.1 and 1.2 round ngf 16 back to 16: with α 1 and any γ, the base network itself
        assertEquals(List.of("base", "α 1.00 β 1.00 γ 1.40", "α 1.00 β 1.10 γ 1.30", "α 1.00 β 1.20 γ 1.20"),
                labels(groups.get(MNIST_BASE.withoutScalingRecord())));
        DcganSpec oneBlock = new DcganSpec(32, 1, 32, 16, 16, 1, CompoundScaling.NONE);
        assertEquals(6, groups.get(oneBlock).size(), "α 1.2 and 1.4 both add one block: " + labels(groups.get(oneBlock)));
        for (DcganSpec n : groups.keySet()) assertEquals(CompoundScaling.NONE, n.scaling(), "networks compare without the scaling record");
    }

    @Test
    void theDefaultCoefficientsAreOneOfTheGridsCandidates() {
        // train --phi's defaults are the grid search's choice: they must lie on the grid it searched
        assertTrue(CompoundScalingSearch.grid().contains(new CompoundScaling(1, CompoundScaling.ALPHA, CompoundScaling.BETA, CompoundScaling.GAMMA)),
                "defaults " + CompoundScaling.ALPHA + ", " + CompoundScaling.BETA + ", " + CompoundScaling.GAMMA + " not in " + CompoundScalingSearch.grid());
    }

    @Test
    void theTextureProxyAlsoSeparatesResolutions() {
        Map<CompoundScalingSearch.TextureKey, List<CompoundScalingSearch.Candidate>> groups = CompoundScalingSearch.distinct(candidates(),
                c -> new CompoundScalingSearch.TextureKey(c.network(TEXTURE_BASE), c.scaling().resolution()));
        assertEquals(14, groups.size());
        List<List<String>> shared = groups.values().stream().filter(g -> g.size() > 1).map(CompoundScalingSearchTest::labels).toList();
        // widths 24: β 1.1 -> 24, β 1.2-1.4 -> 32; α 1.2 and 1.4 -> one block
        assertEquals(List.of(List.of("α 1.20 β 1.10 γ 1.20", "α 1.40 β 1.00 γ 1.20"), List.of("α 1.20 β 1.30 γ 1.00", "α 1.40 β 1.20 γ 1.00")), shared);
    }

    @Test
    void badArgumentsFailInOneLine() {
        CompoundScalingSearch.Failure f = assertThrows(CompoundScalingSearch.Failure.class,
                () -> CompoundScalingSearch.main(new String[] {"--device", "tpu", "--no-quality"}));
        assertTrue(f.getMessage().startsWith("CompoundScalingSearch: bad device 'tpu'"), f.getMessage());
        assertFalse(f.getMessage().contains("\n"));
        assertEquals(0, f.getStackTrace().length, "no stack trace for a user's mistake");
        f = assertThrows(CompoundScalingSearch.Failure.class, () -> CompoundScalingSearch.main(new String[] {"--candidates", "1.2:1.1"}));
        assertTrue(f.getMessage().contains("alpha:beta:gamma"), f.getMessage());
        f = assertThrows(CompoundScalingSearch.Failure.class, () -> CompoundScalingSearch.main(new String[] {"--candidates", "0.5:1:1"}));
        assertTrue(f.getMessage().contains("must lie in [1, 4]"), f.getMessage());
        f = assertThrows(CompoundScalingSearch.Failure.class, () -> CompoundScalingSearch.main(new String[] {"--digits"}));
        assertEquals("CompoundScalingSearch: --digits needs a value", f.getMessage());
        f = assertThrows(CompoundScalingSearch.Failure.class, () -> CompoundScalingSearch.main(new String[] {"--seed", "two", "--no-quality"}));
        assertTrue(f.getMessage().contains("two"), f.getMessage());
        f = assertThrows(CompoundScalingSearch.Failure.class, () -> CompoundScalingSearch.main(new String[] {"--family", "--max-phi", "4", "--no-quality"}));
        assertEquals("CompoundScalingSearch: --max-phi must lie in [0, 3], got 4", f.getMessage());
        f = assertThrows(CompoundScalingSearch.Failure.class,
                () -> CompoundScalingSearch.main(new String[] {"--family", "--min-phi", "3", "--max-phi", "2", "--no-quality"}));
        assertEquals("CompoundScalingSearch: --min-phi must lie in [0, --max-phi], got 3", f.getMessage());
    }
}
