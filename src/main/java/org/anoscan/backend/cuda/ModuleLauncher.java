package org.anoscan.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.javacpp.PointerPointer;

/** Loads the PTX modules of {@link CudaKernels#ENTRIES} and launches their kernels on one stream with cuLaunchKernel. */
final class ModuleLauncher implements KernelLauncher, AutoCloseable {
    private final CudaStream stream;
    private final List<KernelModule> modules = new ArrayList<>();
    private final Map<String, CUfunc_st> functions = new HashMap<>();

    ModuleLauncher(CudaStream stream) {
        this.stream = stream;
        try {
            for (Map.Entry<String, List<String>> e : CudaKernels.ENTRIES.entrySet()) {
                KernelModule m = new KernelModule(e.getKey(), e.getValue());
                modules.add(m);
                for (String entry : e.getValue()) functions.put(entry, m.function(entry));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void launch(String entry, int gridX, int gridY, int block, KernelArgs args) {
        CUfunc_st f = functions.get(entry);
        if (f == null) throw new IllegalStateException("no kernel " + entry + " is loaded");
        CudaCheck.driver(cuLaunchKernel(f, gridX, gridY, 1, block, 1, 1, 0, stream.handle(), args.params(), (PointerPointer<?>) null),
                "cuLaunchKernel(" + entry + ", grid " + gridX + "x" + gridY + ", block " + block + ")");
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (KernelModule m : modules) {
            try {
                m.close();
            } catch (RuntimeException e) {
                if (first == null) first = e; else first.addSuppressed(e);
            }
        }
        modules.clear();
        functions.clear();
        if (first != null) throw first;
    }
}
