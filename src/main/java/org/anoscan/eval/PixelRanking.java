package org.anoscan.eval;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * All pixels of a set of images pooled and sorted once by score, kept in primitive arrays so 100
 * maps of 512x512 (26M pixels) cost about 4 bytes per normal pixel and 8 per anomalous pixel:
 * <ul>
 *   <li>normal pixels: their scores in a {@code float[]}, ascending;</li>
 *   <li>anomalous pixels: a {@code long[]} of keys, ascending, each holding the score as an
 *       order-preserving int in the high 32 bits and the pixel's ground-truth region id (or 0) in
 *       the low 32 bits, so AUPRO can weight a pixel by its region without a per-pixel lookup
 *       table.</li>
 * </ul>
 * {@link #sweepFromTop} then walks both arrays from the highest score down, one group per distinct
 * score.
 */
final class PixelRanking {

    /** Receives one group of equal scores, from the highest score to the lowest. */
    interface TieGroupVisitor {
        /**
         * @param normals         normal pixels with this score
         * @param anomalous       anomalous pixels with this score
         * @param regionCoverage  sum over those anomalous pixels of 1 / (size of their region);
         *                        0 when regions were not labelled
         */
        void group(float score, long normals, long anomalous, double regionCoverage);
    }

    private final float[] normalScores;
    private final long[] anomalousKeys;
    private final double[] regionWeights; // 1 / size by global region id; null without regions
    private final int regionCount;

    private PixelRanking(float[] normalScores, long[] anomalousKeys, double[] regionWeights, int regionCount) {
        this.normalScores = normalScores;
        this.anomalousKeys = anomalousKeys;
        this.regionWeights = regionWeights;
        this.regionCount = regionCount;
    }

    /**
     * @param labelRegions whether to find the connected ground-truth regions (needed by AUPRO
     *                     only)
     */
    static PixelRanking build(List<AnomalyMap> maps, List<GroundTruthMask> masks, boolean labelRegions) {
        Objects.requireNonNull(maps, "anomaly maps must not be null");
        Objects.requireNonNull(masks, "masks must not be null");
        if (maps.size() != masks.size()) {
            throw new IllegalArgumentException("got " + maps.size() + " anomaly maps but " + masks.size()
                    + " ground-truth masks; give one mask per map");
        }
        if (maps.isEmpty()) {
            throw new IllegalArgumentException("no anomaly maps given");
        }
        long anomalousTotal = 0;
        long normalTotal = 0;
        for (int i = 0; i < maps.size(); i++) {
            AnomalyMap map = Objects.requireNonNull(maps.get(i), "anomaly map " + i + " is null");
            GroundTruthMask mask = Objects.requireNonNull(masks.get(i), "mask " + i + " is null");
            if (map.width() != mask.width() || map.height() != mask.height()) {
                throw new IllegalArgumentException("anomaly map " + i + " is " + map.width() + "x" + map.height()
                        + " but its mask is " + mask.width() + "x" + mask.height());
            }
            long anomalous = 0;
            for (boolean a : mask.anomalous()) {
                if (a) {
                    anomalous++;
                }
            }
            anomalousTotal += anomalous;
            normalTotal += mask.anomalous().length - anomalous;
        }
        if (anomalousTotal > Integer.MAX_VALUE - 8 || normalTotal > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many pixels to pool (" + (anomalousTotal + normalTotal)
                    + "); evaluate fewer or smaller maps at once");
        }

        float[] normals = new float[(int) normalTotal];
        long[] keys = new long[(int) anomalousTotal];
        int[] regionSizes = labelRegions ? new int[16] : null;
        int regionCount = 0;
        int n = 0;
        int a = 0;
        for (int i = 0; i < maps.size(); i++) {
            float[] scores = maps.get(i).scores();
            GroundTruthMask mask = masks.get(i);
            boolean[] anomalous = mask.anomalous();
            // Label one image at a time: only one image's label array is alive at once.
            RegionLabeler.Regions regions = labelRegions ? RegionLabeler.label(mask) : null;
            for (int p = 0; p < scores.length; p++) {
                float s = scores[p];
                if (Float.isNaN(s)) {
                    throw new IllegalArgumentException("anomaly map " + i + " has a NaN score at pixel (x="
                            + p % mask.width() + ", y=" + p / mask.width() + "); anomaly scores must be numbers");
                }
                s += 0.0f; // -0.0f + 0.0f == +0.0f, so both zeros are one tie group
                if (anomalous[p]) {
                    int region = regions == null ? 0 : regionCount + regions.labels()[p];
                    keys[a++] = ((long) sortableBits(s) << 32) | (region & 0xFFFF_FFFFL);
                } else {
                    normals[n++] = s;
                }
            }
            if (regions != null) {
                if (regionCount + regions.count() + 1 > regionSizes.length) {
                    regionSizes = Arrays.copyOf(regionSizes,
                            Math.max(2 * regionSizes.length, regionCount + regions.count() + 1));
                }
                System.arraycopy(regions.sizes(), 1, regionSizes, regionCount + 1, regions.count());
                regionCount += regions.count();
            }
        }
        Arrays.sort(normals);
        Arrays.sort(keys);
        double[] weights = null;
        if (labelRegions) {
            weights = new double[regionCount + 1];
            for (int r = 1; r <= regionCount; r++) {
                weights[r] = 1.0 / regionSizes[r];
            }
        }
        return new PixelRanking(normals, keys, weights, regionCount);
    }

    long normalCount() {
        return normalScores.length;
    }

    long anomalousCount() {
        return anomalousKeys.length;
    }

    /** Connected ground-truth regions over all images; 0 when regions were not labelled. */
    int regionCount() {
        return regionCount;
    }

    void sweepFromTop(TieGroupVisitor visitor) {
        int i = normalScores.length - 1;
        int j = anomalousKeys.length - 1;
        while (i >= 0 || j >= 0) {
            int top = Integer.MIN_VALUE;
            if (i >= 0) {
                top = sortableBits(normalScores[i]);
            }
            if (j >= 0) {
                top = Math.max(top, (int) (anomalousKeys[j] >> 32));
            }
            long normals = 0;
            while (i >= 0 && sortableBits(normalScores[i]) == top) {
                normals++;
                i--;
            }
            long anomalous = 0;
            double coverage = 0;
            while (j >= 0 && (int) (anomalousKeys[j] >> 32) == top) {
                anomalous++;
                if (regionWeights != null) {
                    coverage += regionWeights[(int) anomalousKeys[j]];
                }
                j--;
            }
            visitor.group(fromSortableBits(top), normals, anomalous, coverage);
        }
    }

    /** An int whose signed order is the float's order (for non-NaN floats). */
    static int sortableBits(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits ^ ((bits >> 31) & 0x7FFF_FFFF);
    }

    static float fromSortableBits(int sortable) {
        return Float.intBitsToFloat(sortable ^ ((sortable >> 31) & 0x7FFF_FFFF));
    }
}
