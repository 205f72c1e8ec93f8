package org.anoscan.backend.cuda;

/** Queues one kernel launch; {@link ModuleLauncher} on a GPU, a recorder in the tests of {@link CudaKernels}. */
interface KernelLauncher {

    void launch(String entry, int gridX, int gridY, int block, KernelArgs args);
}
