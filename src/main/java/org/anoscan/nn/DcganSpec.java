package org.anoscan.nn;

/**
 * A DCGAN architecture: square patches of 32 or 64 pixels, 1 or 3 channels, latent size nz, generator
 * and discriminator widths ngf and ndf. DCGAN-64 (the speed reference) is {@code (64, 1, 100, 64, 64)}.
 */
public record DcganSpec(int imageSize, int channels, int nz, int ngf, int ndf) {
    public DcganSpec {
        if (imageSize != 32 && imageSize != 64) {
            throw new IllegalArgumentException("DCGAN: patch size must be 32 or 64, got " + imageSize);
        }
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("DCGAN: channels must be 1 or 3, got " + channels);
        if (nz <= 0 || ngf <= 0 || ndf <= 0) {
            throw new IllegalArgumentException("DCGAN: nz, ngf, ndf must be positive, got " + nz + ", " + ngf + ", " + ndf);
        }
    }

    public static DcganSpec dcgan64() {
        return new DcganSpec(64, 1, 100, 64, 64);
    }

    /** For people: "patch 32x32, 1 channel, nz 64, ngf 32, ndf 32". */
    public String describe() {
        return "patch " + imageSize + "x" + imageSize + ", " + channels + (channels == 1 ? " channel" : " channels") + ", nz " + nz
                + ", ngf " + ngf + ", ndf " + ndf;
    }

    /** Stride-2 stages after the first 4x4 one: 3 for 32x32, 4 for 64x64. */
    public int stages() {
        return imageSize == 32 ? 3 : 4;
    }

    /** Channels of D's feature map f(x) (before the final 1-channel conv). */
    public int featureChannels() {
        return ndf << (stages() - 1);
    }
}
