package org.anoscan.backend.cuda;

/** A CUDA, cuDNN, cuBLAS or driver call failed; the message names the call and the library's error string. */
public final class CudaException extends RuntimeException {
    private final String call;
    private final int code;

    CudaException(String call, int code, String error) {
        super(call + " failed: " + error + " (code " + code + ")");
        this.call = call;
        this.code = code;
    }

    /** The call that failed, with the object it worked on where that helps ("cudaMalloc(4096 bytes)"). */
    public String call() { return call; }

    /** The library's status code. */
    public int code() { return code; }
}
