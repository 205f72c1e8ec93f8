package org.anoscan.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;
import static org.bytedeco.cuda.global.cudart.cuModuleUnload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.javacpp.BytePointer;

/**
 * One PTX module from the class path (built from cuda-kernels/NAME.cu by the Maven build), loaded with
 * cuModuleLoadData (the driver JIT-compiles the compute_80 PTX for the device at hand), and its entry
 * points. Owns the module: close unloads it.
 */
final class KernelModule implements AutoCloseable {
    /** Where the build puts the PTX, as a class-path resource folder. */
    static final String RESOURCE_DIR = "org/anoscan/cuda/";

    private final String name;
    private final Map<String, CUfunc_st> functions = new HashMap<>();
    private CUmod_st module;

    KernelModule(String name, List<String> entries) {
        this.name = name;
        byte[] ptx = readPtx(name);
        CUmod_st m = new CUmod_st();
        try (BytePointer image = new BytePointer(ptx.length + 1L)) {
            image.put(ptx, 0, ptx.length).put(ptx.length, (byte) 0); // the driver reads PTX as a C string
            CudaCheck.driver(cuModuleLoadData(m, image), "cuModuleLoadData(" + name + ".ptx)");
        }
        module = m;
        try {
            for (String entry : entries) {
                CUfunc_st f = new CUfunc_st();
                CudaCheck.driver(cuModuleGetFunction(f, m, entry), "cuModuleGetFunction(" + name + ".ptx, " + entry + ")");
                functions.put(entry, f);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The PTX text of module {@code name}; throws a clear message when the build made none. */
    static byte[] readPtx(String name) {
        String path = RESOURCE_DIR + name + ".ptx";
        try (InputStream in = KernelModule.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("CUDA kernels missing: class-path resource " + path + " not found; it is built from "
                        + "cuda-kernels/" + name + ".cu when nvcc is found at build time (PATH, /usr/local/cuda/bin or /usr/local/bin): "
                        + "install the CUDA toolkit and rebuild, or use --device cpu");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }

    CUfunc_st function(String entry) {
        if (module == null) throw new IllegalStateException("kernel module " + name + " is unloaded");
        CUfunc_st f = functions.get(entry);
        if (f == null) throw new IllegalArgumentException("kernel module " + name + " has no entry " + entry);
        return f;
    }

    @Override
    public void close() {
        if (module == null) return;
        CUmod_st m = module;
        module = null;
        functions.clear();
        CudaCheck.driver(cuModuleUnload(m), "cuModuleUnload(" + name + ".ptx)");
    }
}
