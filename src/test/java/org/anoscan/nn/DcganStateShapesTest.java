package org.anoscan.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.anoscan.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

/** {@link Dcgan#stateShapes} (used to check model files before building) matches what the builders make. */
class DcganStateShapesTest {
    @Test
    void shapesMatchTheBuiltNetworks() {
        try (CpuBackend cpu = new CpuBackend()) {
            for (DcganSpec spec : List.of(new DcganSpec(32, 1, 12, 8, 4), new DcganSpec(64, 3, 5, 4, 6), new DcganSpec(32, 3, 7, 2, 2))) {
                Map<String, int[]> expected = Dcgan.stateShapes(spec);
                try (Dcgan model = new Dcgan(cpu, spec, 1L)) {
                    assertEquals(model.state().size(), expected.size(), spec.toString());
                    for (Parameter p : model.state()) {
                        assertArrayEquals(p.value().shape().dims(), expected.get(p.name()), spec + " " + p.name());
                    }
                }
            }
        }
    }
}
