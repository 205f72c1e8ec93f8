package org.anoscan.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.anoscan.io.FloatImage;
import org.junit.jupiter.api.Test;

class PatchBatcherTest {
    private static final int P = 16;

    /** An iterator that counts how many images were pulled, to show the batcher reads lazily. */
    private static final class CountingIterator implements Iterator<FloatImage> {
        final List<FloatImage> images;
        int pulled;

        CountingIterator(List<FloatImage> images) { this.images = images; }

        @Override public boolean hasNext() { return pulled < images.size(); }

        @Override public FloatImage next() { return images.get(pulled++); }
    }

    @Test
    void streamsPatchesOfManyImagesIntoFixedBatchesWithTheirOrigins() {
        List<FloatImage> images = List.of(TilerTest.random(2, 35, 27, 1), TilerTest.random(2, 16, 16, 2),
                TilerTest.random(2, 20, 40, 3));
        Tiler tiler = new Tiler(P, 8, false);
        int batchSize = 4, len = 2 * P * P;
        CountingIterator source = new CountingIterator(images);
        PatchBatcher batcher = new PatchBatcher(source, tiler, 2, batchSize);

        List<PatchRef> expected = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            for (PatchPosition p : tiler.positions(images.get(i))) expected.add(new PatchRef(i, images.get(i), p));
        }
        // 35x27 -> rows {0,8,16,19} x cols {0,8,11} = 12; 16x16 -> 1; 20x40 -> rows {0,4} x cols {0,8,16,24} = 8
        assertEquals(21, expected.size());

        List<PatchRef> seen = new ArrayList<>();
        List<Integer> completed = new ArrayList<>();
        float[] buffer = null;
        int batches = 0;
        while (batcher.hasNext()) {
            PatchBatch b = batcher.next();
            batches++;
            if (batches == 1) assertEquals(1, source.pulled, "the first batch needs only the first image");
            if (buffer == null) buffer = b.data();
            assertSame(buffer, b.data(), "one buffer, reused: memory is bounded by the batch");
            assertEquals(batchSize * len, b.data().length);
            assertTrue(b.skipped().isEmpty());
            for (int k = 0; k < b.count(); k++) {
                PatchRef r = b.patches().get(k);
                float[] want = tiler.extract(r.image(), r.position());
                assertArrayEquals(want, Arrays.copyOfRange(b.data(), k * len, (k + 1) * len), 0f, "slot " + k + " " + r);
            }
            for (int i = b.count() * len; i < b.data().length; i++) assertEquals(0f, b.data()[i], 0f, "tail is zero");
            // an image is reported complete in the batch holding its last patch
            for (int img : b.completedImages()) {
                PatchRef last = expected.stream().filter(r -> r.imageIndex() == img).reduce((a, c) -> c).orElseThrow();
                assertTrue(b.patches().contains(last), "image " + img + " completed with its last patch");
            }
            seen.addAll(b.patches());
            completed.addAll(b.completedImages());
        }
        assertEquals(6, batches); // ceil(21 / 4)
        assertEquals(expected, seen);
        assertEquals(List.of(0, 1, 2), completed);
        assertThrows(java.util.NoSuchElementException.class, batcher::next);
    }

    @Test
    void flatPatchesAreSkippedAndListed() {
        // left half constant (background), right half a random texture
        FloatImage noise = TilerTest.random(1, 32, 64, 7);
        float[] v = noise.data().clone();
        for (int y = 0; y < 32; y++) Arrays.fill(v, y * 64, y * 64 + 32, 0.25f);
        FloatImage img = FloatImage.map(32, 64, v, "half-flat");
        Tiler tiler = new Tiler(P, 8, false); // rows {0,8,16}, cols {0,8,...,48}

        PatchBatcher batcher = new PatchBatcher(List.of(img).iterator(), tiler, 1, 8, 0.01);
        List<PatchRef> searched = new ArrayList<>(), skipped = new ArrayList<>();
        List<Integer> completed = new ArrayList<>();
        while (batcher.hasNext()) {
            PatchBatch b = batcher.next();
            for (int k = 0; k < b.count(); k++) {
                float[] want = tiler.extract(img, b.patches().get(k).position());
                assertArrayEquals(want, Arrays.copyOfRange(b.data(), k * P * P, (k + 1) * P * P), 0f);
            }
            searched.addAll(b.patches());
            skipped.addAll(b.skipped());
            completed.addAll(b.completedImages());
        }
        List<PatchPosition> flat = new ArrayList<>(), textured = new ArrayList<>();
        for (PatchPosition p : tiler.positions(img)) (p.x() + P <= 32 ? flat : textured).add(p);
        assertEquals(flat, skipped.stream().map(PatchRef::position).toList());
        assertEquals(textured, searched.stream().map(PatchRef::position).toList());
        assertEquals(List.of(0), completed);
        assertFalse(flat.isEmpty());
    }

    @Test
    void lastImageMadeOnlyOfFlatPatchesStillCompletes() {
        FloatImage flat = FloatImage.map(16, 16, new float[256], "flat");
        PatchBatcher batcher = new PatchBatcher(List.of(flat).iterator(), new Tiler(P), 1, 4, 0.01);
        PatchBatch b = batcher.next();
        assertEquals(0, b.count());
        assertEquals(1, b.skipped().size());
        assertEquals(List.of(0), b.completedImages());
        assertFalse(batcher.hasNext());
    }

    @Test
    void wrongChannelCountAndTooSmallImagesNameTheImage() {
        PatchBatcher colour = new PatchBatcher(List.of(TilerTest.random(1, 16, 16, 1)).iterator(), new Tiler(P), 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, colour::next);
        assertTrue(e.getMessage().startsWith("random-16x16: 1 channels but the model takes 3"), e.getMessage());

        PatchBatcher small = new PatchBatcher(List.of(TilerTest.random(1, 8, 30, 1)).iterator(), new Tiler(P), 1, 4);
        e = assertThrows(IllegalArgumentException.class, small::next);
        assertTrue(e.getMessage().startsWith("random-8x30: image 8x30 is smaller"), e.getMessage());

        assertThrows(IllegalArgumentException.class,
                () -> new PatchBatcher(List.<FloatImage>of().iterator(), new Tiler(P), 1, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new PatchBatcher(List.<FloatImage>of().iterator(), new Tiler(P), 1, 4, Double.NaN));
    }
}
