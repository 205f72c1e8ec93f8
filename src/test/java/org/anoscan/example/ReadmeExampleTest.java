package org.anoscan.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.anoscan.backend.Backend;
import org.anoscan.backend.Devices;
import org.anoscan.io.ModelFile;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.SearchConfig;
import org.anoscan.search.SearchResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's library example, compiled and run, so that it stays true. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void libraryExampleRuns() throws Exception {
        Path file = dir.resolve("model.safetensors");
        try (Backend cpu = Devices.open("cpu", s -> { }); Dcgan m = new Dcgan(cpu, new DcganSpec(32, 1, 16, 8, 8), 1L)) {
            ModelFile.save(file, m, Map.of(), Map.of());
        }
        int b = 3;
        float[] patches = new float[b * 32 * 32]; // B patches, CHW each, values in [-1, 1]
        java.util.Arrays.fill(patches, -0.5f);

        // --- README example starts here ---
        try (Backend backend = Devices.open("auto", System.err::println);
             Dcgan model = ModelFile.load(file, backend).model()) {
            SearchConfig cfg = SearchConfig.defaults().withIterations(200).withRestarts(2);
            List<SearchResult> results = new LatentSearch(model, cfg).search(patches, b);
            for (SearchResult r : results) {
                float score = r.score();              // the anomaly score: higher is more abnormal
                float[] residual = r.residualMap();   // |x - G(z)|, CHW: where the patch is abnormal
                // --- README example ends here ---
                assertTrue(score > 0 && Float.isFinite(score));
                assertEquals(32 * 32, residual.length);
            }
            assertEquals(b, results.size());
        }
    }
}
