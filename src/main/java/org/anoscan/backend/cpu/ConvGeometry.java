package org.anoscan.backend.cpu;

/**
 * One convolution seen from its image side: an image [c, h, w] and its column matrix
 * [c*kh*kw, oh*ow] (row = input channel and kernel tap, column = output position). conv2d reads
 * the columns of its input; a transposed convolution, being the adjoint, writes columns into its
 * output, so both ops describe themselves with this one geometry.
 */
record ConvGeometry(int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow) {

    /** Rows of the column matrix (the GEMM inner dimension of a conv forward). */
    int rows() {
        return c * kh * kw;
    }

    /** Columns of the column matrix per sample: output positions. */
    int cols() {
        return oh * ow;
    }

    int imageSize() {
        return c * h * w;
    }

    /** A 1x1 kernel with stride 1 and no padding: the column matrix [c, h*w] is the image itself. */
    boolean isIdentity() {
        return kh == 1 && kw == 1 && stride == 1 && pad == 0 && oh == h && ow == w;
    }

    /**
     * The kernel covers the whole unpadded image once (1x1 output, as the first layer of a DCGAN
     * generator and the last of its discriminator): the column matrix [c*h*w, 1] is the image itself,
     * and the convolution is a fully connected layer over the batch.
     */
    boolean isDense() {
        return pad == 0 && kh == h && kw == w && oh == 1 && ow == 1;
    }
}
