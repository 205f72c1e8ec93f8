package org.anoscan.search;

import java.util.Locale;

/**
 * Where a patch's z comes from before it is scored:
 * {@code search} (AnoGAN: Γ Adam steps from a random z), {@code encoder} (f-AnoGAN: z = E(x), one forward pass,
 * no search) or {@code hybrid} (z starts at E(x), then N search steps; extra restarts start at random z beside it).
 */
public enum ScoringMode {
    SEARCH, ENCODER, HYBRID;

    /** The name people type: "search", "encoder", "hybrid". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean needsEncoder() {
        return this != SEARCH;
    }

    /** Parses a label; throws IllegalArgumentException naming the choices. */
    public static ScoringMode parse(String s) {
        for (ScoringMode m : values()) {
            if (m.label().equalsIgnoreCase(s.trim())) return m;
        }
        throw new IllegalArgumentException("unknown scoring mode '" + s + "' (search, encoder or hybrid)");
    }

    /** The one-line reason a model without an encoder cannot score in this mode. */
    public String noEncoderMessage() {
        return "the " + label() + " scoring mode needs an encoder and this model has none: add one with "
                + "'anoscan train-encoder -m MODEL NORMAL-IMAGES...' or use --mode search";
    }
}
