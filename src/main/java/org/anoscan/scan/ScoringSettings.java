package org.anoscan.scan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.anoscan.search.ScoringMode;

/**
 * The scoring settings a calibrated model carries in its info map ({@code scoring.*} keys), because scores,
 * and so the thresholds calibrated from them, move with them: scanning with the model's own settings is
 * what makes its thresholds mean what calibration measured. {@link Calibration} stores them;
 * {@link AnomalyScanner#open(java.nio.file.Path, String, java.util.function.Consumer)} and the command line
 * use them unless told otherwise, and a scan that differs is warned.
 *
 * <p>Models calibrated before these keys existed carry four of them as {@code threshold.*}; they are read too.
 */
public final class ScoringSettings {
    /** One stored setting: its info key, a name for people, how to read it from and write it into a config. */
    public enum Setting {
        ITERATIONS("scoring.iterations", "threshold.iterations", "iterations",
                (c, p) -> Integer.toString(c.search().effectiveIterations()), // 0 in encoder mode, whatever was asked
                (c, v) -> c.withIterations(Integer.parseInt(v))),
        RESTARTS("scoring.restarts", null, "restarts",
                (c, p) -> Integer.toString(c.search().restarts()),
                (c, v) -> c.withSearch(c.search().withRestarts(Integer.parseInt(v)))),
        LAMBDA("scoring.lambda", null, "lambda",
                (c, p) -> Float.toString(c.search().lambda()),
                (c, v) -> c.withSearch(c.search().withLambda(Float.parseFloat(v)))),
        LEARNING_RATE("scoring.learning_rate", null, "learning rate",
                (c, p) -> Float.toString(c.search().learningRate()),
                (c, v) -> c.withSearch(c.search().withLearningRate(Float.parseFloat(v)))),
        SEED("scoring.seed", null, "seed",
                (c, p) -> Long.toString(c.search().seed()),
                (c, v) -> c.withSearch(c.search().withSeed(Long.parseLong(v)))),
        STRIDE("scoring.stride", "threshold.stride", "stride",
                (c, p) -> Integer.toString(c.strideFor(p)),
                (c, v) -> c.withStride(Integer.parseInt(v))),
        TOP_K("scoring.top_k", "threshold.top_k", "top-k",
                (c, p) -> Integer.toString(c.topK()),
                (c, v) -> c.withTopK(Integer.parseInt(v))),
        FLAT_STD("scoring.flat_std", "threshold.flat_std", "flat-patch threshold",
                (c, p) -> Double.toString(c.flatStd()),
                (c, v) -> c.withFlatStd(Double.parseDouble(v))),
        // the map the pixel threshold was taken on, as asked for (auto resolves the same way while the statistics are there)
        MAP("scoring.map", null, "map",
                (c, p) -> c.map().label(),
                (c, v) -> c.withMap(MapKind.parse(v), c.smoothing())),
        // NaN: the map's default smoothing
        SMOOTHING("scoring.smoothing", null, "smoothing (strides)",
                (c, p) -> Double.toString(c.smoothing()),
                (c, v) -> c.withMap(c.map(), Double.parseDouble(v))),
        SCALE("scoring.scale", null, "scale",
                (c, p) -> Double.toString(c.scale()),
                (c, v) -> c.withScale(Double.parseDouble(v))),
        // search, encoder or hybrid; a model calibrated before modes existed reads as search (see stored)
        MODE("scoring.mode", null, "mode",
                (c, p) -> c.search().mode().label(),
                (c, v) -> c.withSearch(c.search().withMode(ScoringMode.parse(v))));

        private final String key;
        private final String legacyKey;
        private final String label;
        private final BiFunction<ScanConfig, Integer, String> get;
        private final BiFunction<ScanConfig, String, ScanConfig> set;

        Setting(String key, String legacyKey, String label, BiFunction<ScanConfig, Integer, String> get,
                BiFunction<ScanConfig, String, ScanConfig> set) {
            this.key = key;
            this.legacyKey = legacyKey;
            this.label = label;
            this.get = get;
            this.set = set;
        }

        public String key() { return key; }

        public String label() { return label; }

        /** This setting's value in {@code cfg}, as stored (the stride in pixels for a patch of {@code patchSize}). */
        public String of(ScanConfig cfg, int patchSize) { return get.apply(cfg, patchSize); }

        /**
         * The stored value, or null when the model carries none. A model calibrated before modes existed was
         * calibrated in search mode: its mode reads as search.
         */
        String stored(Map<String, String> info) {
            String v = info.get(key);
            if (v == null && this == MODE && ITERATIONS.stored(info) != null) return ScoringMode.SEARCH.label();
            return v != null || legacyKey == null ? v : info.get(legacyKey);
        }

        /** {@code cfg} with the stored value {@code v}; a malformed value is a one-line error naming the key. */
        ScanConfig apply(ScanConfig cfg, String v) {
            try {
                return set.apply(cfg, v.trim());
            } catch (IllegalArgumentException e) { // NumberFormatException too
                throw new IllegalArgumentException("model file: " + key + " = '" + v + "' is not a valid " + label
                        + " (" + e.getMessage() + "); recalibrate the model");
            }
        }
    }

    private ScoringSettings() {}

    /** The info entries recording {@code cfg}'s scoring settings for a model of patch size {@code patchSize}. */
    public static Map<String, String> of(ScanConfig cfg, int patchSize) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Setting s : Setting.values()) out.put(s.key(), s.of(cfg, patchSize));
        return out;
    }

    /** Puts {@code cfg}'s settings into {@code info}, dropping the older {@code threshold.*} spellings of them. */
    public static void store(Map<String, String> info, ScanConfig cfg, int patchSize) {
        for (Setting s : Setting.values()) if (s.legacyKey != null) info.remove(s.legacyKey);
        info.putAll(of(cfg, patchSize));
    }

    /** Search steps per patch in hybrid mode when neither the caller nor the model's calibration says. */
    public static final int DEFAULT_HYBRID_ITERATIONS = 10;

    /**
     * The mode when neither the caller ({@code modeGiven}) nor the model's calibration chose one: hybrid, with
     * {@link #DEFAULT_HYBRID_ITERATIONS} steps unless iterations were given or stored, for a model with an encoder;
     * {@code cfg} unchanged otherwise.
     */
    public static ScanConfig defaultMode(ScanConfig cfg, Map<String, String> info, boolean hasEncoder, boolean modeGiven,
                                         boolean iterationsGiven) {
        if (modeGiven || !hasEncoder || Setting.MODE.stored(info) != null) return cfg;
        ScanConfig out = cfg.withSearch(cfg.search().withMode(ScoringMode.HYBRID));
        return iterationsGiven || Setting.ITERATIONS.stored(info) != null ? out : out.withIterations(DEFAULT_HYBRID_ITERATIONS);
    }

    /** True when {@code info} carries at least one scoring setting. */
    public static boolean present(Map<String, String> info) {
        for (Setting s : Setting.values()) if (s.stored(info) != null) return true;
        return false;
    }

    /** {@code cfg} with every setting the model stores, except those in {@code keep} (the caller's explicit ones). */
    public static ScanConfig apply(ScanConfig cfg, Map<String, String> info, Set<Setting> keep) {
        ScanConfig out = cfg;
        for (Setting s : Setting.values()) {
            String v = s.stored(info);
            if (v != null && !keep.contains(s)) out = s.apply(out, v);
        }
        return out;
    }

    /** "iterations 100, restarts 1, ...": the settings the model stores, for a one-line notice; empty when none. */
    public static String describe(Map<String, String> info) {
        List<String> parts = new ArrayList<>();
        for (Setting s : Setting.values()) {
            String v = s.stored(info);
            if (v != null) parts.add(s.label() + " " + v);
        }
        return String.join(", ", parts);
    }

    /**
     * One warning per setting where {@code cfg} differs from the model's stored one (compared after reading
     * both through the config, so "0.10" and "0.1" agree); empty when they all match or none is stored.
     */
    public static List<String> differences(ScanConfig cfg, int patchSize, Map<String, String> info) {
        List<String> out = new ArrayList<>();
        for (Setting s : Setting.values()) {
            String v = s.stored(info);
            if (v == null) continue;
            String stored = s.of(s.apply(cfg, v), patchSize), now = s.of(cfg, patchSize);
            if (!stored.equals(now)) {
                out.add("the model was calibrated with " + s.label() + " " + stored + " but this scan uses " + now
                        + ": its thresholds may not fit; use the model's setting or recalibrate");
            }
        }
        return out;
    }
}
