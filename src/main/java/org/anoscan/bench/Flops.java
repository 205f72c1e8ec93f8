package org.anoscan.bench;

import org.anoscan.nn.Conv2d;
import org.anoscan.nn.ConvTranspose2d;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.Layer;
import org.anoscan.nn.Sequential;
import org.anoscan.tensor.Shape;

/** Floating-point operation counts of a model's convolutions (2 per multiply-add), for throughput figures. */
public final class Flops {
    private Flops() {}

    /** One search iteration per patch: G forward + G backward-data + f forward + f backward-data. */
    public static double searchIteration(Dcgan model) {
        return 2 * (forward(model.generator(), model.latentShape(1)) + forward(model.features(), model.imageShape(1)));
    }

    /** Convolution FLOPs of one forward pass of net on an input of the given shape. */
    public static double forward(Sequential net, Shape input) {
        double total = 0;
        Shape s = input;
        for (Layer l : net.layers()) {
            Shape out = l.outputShape(s);
            if (l instanceof Conv2d c) {
                Shape w = c.weight().value().shape();
                total += 2.0 * out.size() * w.dim(1) * w.dim(2) * w.dim(3);
            } else if (l instanceof ConvTranspose2d c) {
                Shape w = c.weight().value().shape();
                total += 2.0 * s.size() * w.dim(1) * w.dim(2) * w.dim(3);
            }
            s = out;
        }
        return total;
    }
}
