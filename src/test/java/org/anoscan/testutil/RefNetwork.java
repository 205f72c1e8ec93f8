package org.anoscan.testutil;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.anoscan.nn.ActivationLayer;
import org.anoscan.nn.BatchNorm2d;
import org.anoscan.nn.Conv2d;
import org.anoscan.nn.ConvTranspose2d;
import org.anoscan.nn.Layer;
import org.anoscan.nn.Parameter;
import org.anoscan.nn.Sequential;
import org.anoscan.tensor.Shape;

/** A network's forward pass in double (naive convolutions, textbook batch norm), independent of any backend. */
public final class RefNetwork {
    private RefNetwork() {}

    /** The network's forward pass in double, from the weights map (perturbed in place by the caller). */
    public static double[] forward(List<Layer> layers, Map<Parameter, double[]> w, double[] x, Shape in, boolean train) {
        double[] a = x;
        int[] d = in.dims();
        if (d.length == 2) d = new int[] {d[0], d[1], 1, 1};
        for (Layer l : layers) {
            if (l instanceof Conv2d c) {
                int[] wd = c.weight().value().shape().dims();
                a = RefConv.conv2d(a, d, w.get(c.weight()), wd, null, c.spec().stride(), c.spec().padding());
                d = new int[] {d[0], wd[0], RefConv.convOut(d[2], wd[2], c.spec().stride(), c.spec().padding()),
                        RefConv.convOut(d[3], wd[3], c.spec().stride(), c.spec().padding())};
            } else if (l instanceof ConvTranspose2d c) {
                int[] wd = c.weight().value().shape().dims();
                a = RefConv.convTranspose2d(a, d, w.get(c.weight()), wd, null, c.spec().stride(), c.spec().padding());
                d = new int[] {d[0], wd[1], RefConv.convTransposeOut(d[2], wd[2], c.spec().stride(), c.spec().padding()),
                        RefConv.convTransposeOut(d[3], wd[3], c.spec().stride(), c.spec().padding())};
            } else if (l instanceof BatchNorm2d b) {
                int hw = d[2] * d[3];
                a = train
                        ? RefOps.batchNormTrain(a, d[0], d[1], hw, w.get(b.gamma()), w.get(b.beta()), BatchNorm2d.EPS)
                        : RefOps.batchNormEval(a, d[0], d[1], hw, w.get(b.gamma()), w.get(b.beta()), w.get(b.runningMean()),
                                w.get(b.runningVar()), BatchNorm2d.EPS);
            } else if (l instanceof ActivationLayer act) {
                a = RefOps.activation(act.kind(), a);
            } else {
                throw new IllegalStateException("no reference for " + l);
            }
        }
        return a;
    }

    public static List<Layer> flatten(Layer l) {
        List<Layer> out = new ArrayList<>();
        if (l instanceof Sequential s) {
            for (Layer c : s.layers()) out.addAll(flatten(c));
        } else {
            out.add(l);
        }
        return out;
    }
}
