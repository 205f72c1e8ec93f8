package org.anoscan.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaDriverGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaRuntimeGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.Loader;

/**
 * Finds out, once per JVM, whether CUDA devices can be used: loads the JavaCPP bindings (which load the
 * NVIDIA driver's libcuda.so.1, the CUDA 13 runtime, cuBLAS and cuDNN 9 installed on the machine) and
 * counts devices. Missing libraries never escape as linkage errors: they become {@link #reason()}.
 */
final class CudaProbe {
    /** What to install, said in every reason. */
    static final String INSTALL = "install the NVIDIA driver (libcuda.so.1), the CUDA 13 runtime (libcudart.so.13) "
            + "and cuBLAS (libcublas.so.13), and cuDNN 9 (libcudnn.so.9), with their lib folders on LD_LIBRARY_PATH "
            + "(for example /usr/local/nvidia/lib64:/usr/local/cuda/lib64), or use --device cpu";

    private final int devices;
    private final String reason;
    private final String versions;

    private CudaProbe(int devices, String reason, String versions) {
        this.devices = devices;
        this.reason = reason;
        this.versions = versions;
    }

    private static final class Holder {
        static final CudaProbe RESULT = run();
    }

    static CudaProbe get() {
        return Holder.RESULT;
    }

    /** Devices that can be opened; 0 when the libraries, the driver or the devices are missing. */
    int devices() { return devices; }

    /** Empty when devices exist; else one line: what was looked for, what failed, what to install. */
    String reason() { return reason; }

    /** "CUDA runtime 13.0, driver 13.0, cuDNN 9.19.0" (empty when unavailable). */
    String versions() { return versions; }

    private static CudaProbe run() {
        try {
            Loader.load(cudart.class);
        } catch (LinkageError | RuntimeException e) { // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError
            return unavailable("the CUDA runtime could not be loaded (JavaCPP org.bytedeco:cuda 13.1 for " + platform()
                    + " needs libcuda.so.1 and libcudart.so.13): " + rootMessage(e));
        }
        int[] count = new int[1];
        int status;
        try {
            status = cudaGetDeviceCount(count);
        } catch (LinkageError e) {
            return unavailable("cudaGetDeviceCount could not be called: " + rootMessage(e));
        }
        if (status != cudaSuccess) {
            return unavailable("cudaGetDeviceCount failed: " + CudaCheck.cudaError(status)
                    + " (is the NVIDIA driver loaded and new enough for CUDA 13? does nvidia-smi list a GPU?)");
        }
        if (count[0] == 0) return unavailable("the CUDA runtime loaded but found no CUDA device");
        try {
            Loader.load(cublas.class);
        } catch (LinkageError | RuntimeException e) {
            return unavailable("cuBLAS (libcublas.so.13) could not be loaded: " + rootMessage(e));
        }
        try {
            Loader.load(cudnn.class);
        } catch (LinkageError | RuntimeException e) {
            return unavailable("cuDNN 9 (libcudnn.so.9) could not be loaded: " + rootMessage(e));
        }
        String kernels = kernelLibraryProblem();
        if (!kernels.isEmpty()) return unavailable(kernels);
        int[] runtime = new int[1];
        int[] driver = new int[1];
        boolean known = cudaRuntimeGetVersion(runtime) == cudaSuccess & cudaDriverGetVersion(driver) == cudaSuccess;
        long dnn = cudnn.cudnnGetVersion();
        String versions = (known ? "CUDA runtime " + cudaVersion(runtime[0]) + ", driver " + cudaVersion(driver[0]) : "CUDA versions unknown")
                + ", cuDNN " + dnn / 10000 + "." + dnn % 10000 / 100 + "." + dnn % 100;
        return new CudaProbe(count[0], "", versions);
    }

    /**
     * Empty when AnoScan's kernel library (libjniNativeKernels.so, built by native/build.sh with nvcc and
     * g++) loads; else what went wrong and how to get it.
     */
    static String kernelLibraryProblem() {
        try {
            NativeKernels.load();
            return "";
        } catch (LinkageError | RuntimeException e) {
            return "AnoScan's CUDA kernel library (lib" + NativeKernels.LIBRARY + ".so) could not be loaded: it is built by "
                    + "native/build.sh during mvn package when nvcc and g++ are found (PATH or $CUDA_HOME/bin); install the CUDA "
                    + "toolkit and rebuild (" + rootMessage(e) + ")";
        }
    }

    private static CudaProbe unavailable(String what) {
        return new CudaProbe(0, oneLine(what + "; " + INSTALL), "");
    }

    private static String cudaVersion(int v) {
        return v / 1000 + "." + v % 1000 / 10;
    }

    private static String platform() {
        try {
            return Loader.getPlatform();
        } catch (LinkageError | RuntimeException e) {
            return System.getProperty("os.name") + "-" + System.getProperty("os.arch");
        }
    }

    /** The innermost cause says what was missing ("libcuda.so.1: cannot open shared object file"). */
    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
