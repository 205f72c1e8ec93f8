package org.anoscan.nn;

import java.util.ArrayList;
import java.util.List;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * Layers applied in order. Sequential owns the activations of its last forward pass, the returned
 * output included: they stay valid until the next forward or {@link #releaseActivations()}, so a caller
 * that keeps the output longer copies it. Backward returns a new dL/dx owned by the caller.
 */
public final class Sequential implements Layer {
    private final List<Layer> layers;
    private final List<Tensor> activations = new ArrayList<>();

    public Sequential(List<Layer> layers) {
        if (layers.isEmpty()) throw new IllegalArgumentException("Sequential: no layers");
        this.layers = List.copyOf(layers);
    }

    public List<Layer> layers() { return layers; }

    @Override
    public Tensor forward(Tensor x, boolean train) {
        releaseActivations();
        Tensor cur = x;
        for (Layer layer : layers) {
            cur = layer.forward(cur, train);
            activations.add(cur);
        }
        return cur;
    }

    @Override
    public Tensor backward(Tensor dy, boolean weightGrads) {
        Tensor cur = dy;
        for (int i = layers.size() - 1; i >= 0; i--) {
            Tensor next = layers.get(i).backward(cur, weightGrads);
            if (cur != dy) cur.close();
            cur = next;
        }
        return cur;
    }

    @Override
    public Shape outputShape(Shape in) {
        Shape s = in;
        for (Layer l : layers) s = l.outputShape(s);
        return s;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>();
        for (Layer l : layers) all.addAll(l.parameters());
        return all;
    }

    @Override
    public List<Parameter> buffers() {
        List<Parameter> all = new ArrayList<>();
        for (Layer l : layers) all.addAll(l.buffers());
        return all;
    }

    @Override
    public void releaseActivations() {
        for (Layer l : layers) l.releaseActivations();
        for (Tensor t : activations) t.close();
        activations.clear();
    }

    @Override
    public void close() {
        releaseActivations();
        for (Layer l : layers) l.close();
    }
}
