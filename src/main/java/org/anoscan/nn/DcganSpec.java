package org.anoscan.nn;

/**
 * A DCGAN architecture: square patches of 32 or 64 pixels, 1 or 3 channels, latent size nz, generator
 * and discriminator widths ngf and ndf. DCGAN-64 (the speed reference) is {@code (64, 1, 100, 64, 64)}.
 * A member of the compound-scaled family ({@link CompoundScaling}) also has {@code blocks} stride-1 3x3
 * convolution blocks added to each of G and D (spread over the stages by {@link #blocksInStage}), and records
 * the scaling it was made with.
 */
public record DcganSpec(int imageSize, int channels, int nz, int ngf, int ndf, int blocks, CompoundScaling scaling) {
    /** Most extra blocks G or D may have (a sanity bound for model files). */
    public static final int MAX_BLOCKS = 32;

    /** A plain DCGAN (no extra blocks, no scaling). */
    public DcganSpec(int imageSize, int channels, int nz, int ngf, int ndf) {
        this(imageSize, channels, nz, ngf, ndf, 0, CompoundScaling.NONE);
    }

    public DcganSpec {
        if (imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException("DCGAN: patch size must be 32 or 64, got " + imageSize);
        }
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("DCGAN: channels must be 1 or 3, got " + channels);
        if (nz <= 0 || ngf <= 0 || ndf <= 0) {
            throw new IllegalArgumentException("DCGAN: nz, ngf, ndf must be positive, got " + nz + ", " + ngf + ", " + ndf);
        }
        if (blocks < 0 || blocks > MAX_BLOCKS) throw new IllegalArgumentException("DCGAN: blocks must be 0-" + MAX_BLOCKS + ", got " + blocks);
        if (scaling == null) throw new IllegalArgumentException("DCGAN: scaling is null (use CompoundScaling.NONE)");
    }

    /** The same network without the record of how it was scaled (two specs that build identical networks compare equal). */
    public DcganSpec withoutScalingRecord() {
        return new DcganSpec(imageSize, channels, nz, ngf, ndf, blocks, CompoundScaling.NONE);
    }

    public static DcganSpec dcgan64() {
        return new DcganSpec(64, 1, 100, 64, 64);
    }

    /** For people: "patch 32x32, 1 channel, nz 64, ngf 32, ndf 32". */
    public String describe() {
        return "patch " + imageSize + "x" + imageSize + ", " + channels + (channels == 1 ? " channel" : " channels") + ", nz " + nz
                + ", ngf " + ngf + ", ndf " + ndf + (blocks > 0 ? ", " + blocks + " extra 3x3 block(s) in G and in D" : "")
                + (scaling.isNone() ? "" : ", " + scaling.describe() + ", resolution x" + String.format(java.util.Locale.ROOT, "%.3g", scaling.resolution()));
    }

    /** Stride-2 stages after the first 4x4 one: 3 for 32x32, 4 for 64x64. */
    public int stages() {
        return imageSize == 32 ? 3 : 4;
    }

    /**
     * Extra blocks in a stage, counted from the 4x4 one (G's first, D's last): the blocks are dealt out
     * round-robin from there, so the cheapest-to-reach low-resolution stages get the remainder.
     */
    public int blocksInStage(int fromLowResolution) {
        return blocks / stages() + (fromLowResolution < blocks % stages() ? 1 : 0);
    }

    /** Channels of D's feature map f(x) (before the final 1-channel conv). */
    public int featureChannels() {
        return ndf << (stages() - 1);
    }
}
