package org.anoscan.cli;

import java.util.List;
import java.util.stream.Collectors;
import org.anoscan.backend.Backend;

/** The backends --device opened (one, or one per listed device), closed together. */
record DeviceSet(List<Backend> all) implements AutoCloseable {
    /** The first device: it holds the model the outputs are reported from. */
    Backend first() { return all.get(0); }

    /** Every device's description, joined. */
    String description() {
        return all.stream().map(Backend::description).collect(Collectors.joining(" + "));
    }

    @Override
    public void close() {
        for (Backend b : all) b.close();
    }
}
