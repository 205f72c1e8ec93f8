package org.anoscan.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RegionLabelerTest {

    @Test
    void separateBlobsAreSeparateRegions() {
        RegionLabeler.Regions r = RegionLabeler.label(Grids.mask(
                "##....",
                "##..#.",
                "....##"));
        assertEquals(2, r.count());
        assertArrayEquals(new int[] {11, 4, 3}, r.sizes()); // background 18 - 7 = 11
        assertArrayEquals(new int[] {
                1, 1, 0, 0, 0, 0,
                1, 1, 0, 0, 2, 0,
                0, 0, 0, 0, 2, 2}, r.labels());
    }

    @Test
    void diagonalNeighboursJoin() {
        // 8-connectivity (as the MVTec script): the diagonal chain is one region; with the 4-neighbour
        // cross it would be three.
        RegionLabeler.Regions r = RegionLabeler.label(Grids.mask(
                "#..",
                ".#.",
                "..#"));
        assertEquals(1, r.count());
        assertEquals(3, r.sizes()[1]);
    }

    @Test
    void concaveShapeIsOneRegion() {
        // A U whose arms are only joined at the bottom row.
        RegionLabeler.Regions r = RegionLabeler.label(Grids.mask(
                "#...#",
                "#...#",
                "#####"));
        assertEquals(1, r.count());
        assertEquals(9, r.sizes()[1]);
    }

    @Test
    void emptyAndFullMasks() {
        assertEquals(0, RegionLabeler.label(GroundTruthMask.normal(4, 3)).count());
        RegionLabeler.Regions full = RegionLabeler.label(Grids.mask("###", "###"));
        assertEquals(1, full.count());
        assertArrayEquals(new int[] {0, 6}, full.sizes());
    }

    @Test
    void largeSingleRegionNeedsNoRecursion() {
        // A recursive flood fill would overflow the thread stack on 262k pixels.
        boolean[] all = new boolean[512 * 512];
        java.util.Arrays.fill(all, true);
        RegionLabeler.Regions r = RegionLabeler.label(all, 512, 512);
        assertEquals(1, r.count());
        assertEquals(512 * 512, r.sizes()[1]);
    }

    @Test
    void agreesWithUnionFindOnRandomMasks() {
        Random random = new Random(5);
        for (int trial = 0; trial < 100; trial++) {
            int w = 1 + random.nextInt(20);
            int h = 1 + random.nextInt(20);
            GroundTruthMask mask = Grids.randomMask(random, w, h, random.nextDouble());
            RegionLabeler.Regions r = RegionLabeler.label(mask);
            int[] reference = BruteForce.regions8(mask.anomalous(), w, h);
            // Both number regions in row-major order of first pixel, so ids must be identical.
            assertArrayEquals(reference, r.labels(), "trial " + trial);
            int[] sizes = new int[r.count() + 1];
            for (int id : reference) sizes[id]++;
            assertArrayEquals(sizes, r.sizes());
        }
    }
}
