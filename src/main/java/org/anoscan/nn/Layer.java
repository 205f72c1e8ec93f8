package org.anoscan.nn;

import java.util.List;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/**
 * A network layer. {@link #forward} keeps references to what its backward pass needs (the input is
 * owned by the caller and must stay open until backward); {@link #backward} returns a new dL/dx owned by
 * the caller and, when {@code weightGrads}, accumulates the parameter gradients. The latent search
 * passes {@code weightGrads = false}: it needs gradients with respect to inputs only.
 */
public interface Layer extends AutoCloseable {

    /** train: batch statistics in batch norm (and running statistics updated); else running statistics. */
    Tensor forward(Tensor x, boolean train);

    Tensor backward(Tensor dy, boolean weightGrads);

    Shape outputShape(Shape input);

    /** Trainable parameters, in a fixed order. */
    List<Parameter> parameters();

    /** Non-trained state saved with the model (batch-norm running statistics), name to tensor. */
    default List<Parameter> buffers() {
        return List.of();
    }

    /** Drops what forward kept for backward (state owned by the layer). */
    default void releaseActivations() {
    }

    /** Closes the parameters, buffers and kept state. */
    @Override
    default void close() {
        releaseActivations();
        for (Parameter p : parameters()) p.close();
        for (Parameter b : buffers()) b.close();
    }
}
