package org.anoscan.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import java.io.File;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The kernel library the build made (native/build.sh, when nvcc and g++ are there): it is on the class
 * path next to NativeKernels, JavaCPP loads it, and a launcher can be called through the generated JNI.
 * Where the toolchain is missing the build makes no library, and this test says so and skips.
 */
class NativeKernelsLoadTest {
    static final String RESOURCE = "org/anoscan/backend/cuda/linux-x86_64/lib" + NativeKernels.LIBRARY + ".so";

    /** What native/build.sh looks for: nvcc and g++ on the PATH, or nvcc in $CUDA_HOME/bin. */
    static boolean toolchainPresent() {
        String cudaHome = System.getenv().getOrDefault("CUDA_HOME", "/usr/local/cuda");
        boolean nvcc = onPath("nvcc") || new File(cudaHome, "bin/nvcc").canExecute();
        return nvcc && (onPath("g++") || new File(cudaHome, "bin/g++").canExecute());
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && new File(dir, tool).canExecute()) return true;
        }
        return false;
    }

    private static void assumeBuilt() {
        boolean built = NativeKernels.class.getClassLoader().getResource(RESOURCE) != null;
        Assumptions.assumeTrue(built || toolchainPresent(), "no nvcc or g++ here, so the build made no " + RESOURCE);
        assertNotNull(NativeKernels.class.getClassLoader().getResource(RESOURCE),
                "nvcc and g++ are here, so the build (native/build.sh) must have made " + RESOURCE);
    }

    @Test
    void libraryLoadsThroughJavaCpp() {
        assumeBuilt();
        assertDoesNotThrow(NativeKernels::load);
        assertEquals("linux-x86_64", Loader.getPlatform());
        assertEquals("", CudaProbe.kernelLibraryProblem(), "the CUDA probe finds the library");
    }

    /** Where the build made no library (no nvcc or g++): the CUDA probe's reason says what is missing and how to get it. */
    @Test
    void withoutTheLibraryTheProbeSaysHowToBuildIt() {
        Assumptions.assumeTrue(NativeKernels.class.getClassLoader().getResource(RESOURCE) == null, "the library is built here");
        String problem = CudaProbe.kernelLibraryProblem();
        for (String needed : new String[] {"lib" + NativeKernels.LIBRARY + ".so", "nvcc", "g++", "rebuild"}) {
            assertTrue(problem.contains(needed), "the reason should mention " + needed + ": " + problem);
        }
        assertFalse(problem.contains("\n"), "one line: " + problem);
    }

    /**
     * A launch of zero elements through the generated JNI: on a GPU it succeeds; without a driver the
     * statically linked CUDA runtime returns its error code (no crash, no exception).
     */
    @Test
    void aLauncherIsCallableAndReturnsTheLaunchStatus() {
        assumeBuilt();
        NativeKernels.load();
        int status = NativeKernels.launch_fill_f32(new FloatPointer(), 0f, 0, null);
        if (CudaProbe.get().devices() > 0) {
            assertEquals(cudaSuccess, status, "launch on a CUDA device");
        } else {
            assertNotEquals(cudaSuccess, status, "no CUDA device here, the launch must report an error");
        }
    }
}
