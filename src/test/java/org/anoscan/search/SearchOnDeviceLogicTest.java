package org.anoscan.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.anoscan.backend.Backend;
import org.anoscan.backend.DeviceMemory;
import org.anoscan.backend.DeviceOutOfMemoryException;
import org.anoscan.backend.GraphCapable;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.nn.Dcgan;
import org.anoscan.nn.DcganSpec;
import org.anoscan.tensor.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The search's device-facing logic, run on the CPU through a stand-in backend: a batch too large for
 * the "card" is split rather than failed, and a graph-capable backend gets one recorded iteration that
 * is replayed. The stand-in delegates every op to a CpuBackend, so results can be compared exactly.
 */
class SearchOnDeviceLogicTest {
    private static final DcganSpec SPEC = new DcganSpec(32, 1, 12, 8, 8);
    private CpuBackend cpu;

    @BeforeEach
    void setUp() {
        cpu = new CpuBackend();
    }

    @AfterEach
    void tearDown() {
        assertEquals(0, cpu.liveTensors());
        cpu.close();
    }

    /** A CPU backend that also claims DeviceMemory and GraphCapable, with hooks for the tests. */
    private Backend standIn(int maxBatch, AtomicInteger captures, AtomicInteger replays) {
        return (Backend) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Backend.class, DeviceMemory.class, GraphCapable.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "freeDeviceMemory", "totalDeviceMemory" -> {
                            return Long.MAX_VALUE / 4; // room for anything: only the allocation below fails
                        }
                        case "releaseIdleMemory" -> {
                            return null;
                        }
                        case "capture" -> {
                            captures.incrementAndGet();
                            return StandIns.replaying((Runnable) args[0], replays::incrementAndGet);
                        }
                        case "fromHost" -> {
                            Shape s = (Shape) args[1];
                            if (s.rank() == 4 && s.dim(1) == 1 && s.dim(2) == 32 && s.n() > maxBatch) throw new DeviceOutOfMemoryException("stand-in", 1L << 30, 0, 1L << 30);
                        }
                        default -> { }
                    }
                    return StandIns.call(cpu, method, args);
                });
    }

    @Test
    void batchTooLargeForTheDeviceIsSplit() {
        AtomicInteger none = new AtomicInteger();
        Backend small = standIn(3, none, none);
        float[] x = StandIns.patches(8);
        SearchConfig cfg = SearchConfig.defaults().withIterations(6).withRestarts(2);
        List<SearchResult> split;
        List<SearchResult> whole;
        try (Dcgan m = new Dcgan(small, SPEC, 5L)) {
            split = new LatentSearch(m, cfg).search(x, 8);
        }
        try (Dcgan m = new Dcgan(cpu, SPEC, 5L)) {
            whole = new LatentSearch(m, cfg).search(x, 8);
        }
        assertEquals(8, split.size());
        for (int i = 0; i < 8; i++) {
            assertEquals(whole.get(i).score(), split.get(i).score(), 1e-5f * whole.get(i).score(), "patch " + i);
        }
    }

    @Test
    void graphCapableBackendReplaysOneRecordedIteration() {
        AtomicInteger captures = new AtomicInteger();
        AtomicInteger replays = new AtomicInteger();
        Backend graphs = standIn(1 << 20, captures, replays);
        float[] x = StandIns.patches(4);
        SearchConfig cfg = SearchConfig.defaults().withIterations(12);
        List<SearchResult> replayed;
        List<SearchResult> plain;
        try (Dcgan m = new Dcgan(graphs, SPEC, 6L)) {
            replayed = new LatentSearch(m, cfg).search(x, 4);
        }
        assertEquals(1, captures.get(), "one capture per batch");
        assertEquals(11, replays.get(), "the first iteration runs uncaptured, the other 11 are replays");
        try (Dcgan m = new Dcgan(cpu, SPEC, 6L)) {
            plain = new LatentSearch(m, cfg).search(x, 4);
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(plain.get(i).score(), replayed.get(i).score(), 0f);
            assertEquals(12, replayed.get(i).iterations());
        }
    }

    @Test
    void estimateOfDeviceBytesPerSearchCoversTheKeptOutputs() {
        try (Dcgan m = new Dcgan(cpu, DcganSpec.dcgan64(), 1L)) {
            long bytes = new LatentSearch(m, SearchConfig.defaults()).bytesPerSearch();
            // the folded DCGAN-64 keeps its conv outputs: G 126,976 floats and f 122,880 per patch (1.0 MB),
            // counted by hand from the layer shapes; gradients and temporaries come on top, at most as much again,
            // and the convolution workspace a device backend's plans may use per search
            long kept = 4L * (126_976 + 122_880);
            long workspace = org.anoscan.backend.DeviceMemory.CONV_WORKSPACE_PER_SEARCH;
            assertTrue(bytes > kept + workspace && bytes < 2.2 * kept + workspace, "estimate " + bytes + " vs kept outputs " + kept);
            assertTrue(bytes < 3_000_000, "the design budget is 3 MB per search, estimate " + bytes);
        }
    }
}
