package org.anoscan.backend;

/**
 * A backend that can record a fixed sequence of its own ops once and replay it with one launch (CUDA
 * graphs): the per-op launch cost, which dominates a small batch, is paid once.
 *
 * <p>The contract of {@code body}, which the backend cannot fully check:
 * <ul>
 *   <li>Run it once uncaptured first, with the same tensors and shapes: that warms the buffer pool and
 *       the convolution plans. Inside the capture no new device memory and no new plan may be made (that
 *       throws), so every shape must repeat exactly. Each capture needs its own warm-up run.</li>
 *   <li>No host copies ({@code fromHost}, {@code toHost}) and nothing else that waits for the device:
 *       those throw during a capture.</li>
 *   <li>Everything the body reads or writes is fixed at capture: the same tensors (addresses) and the same
 *       scalars (loss weights, learning rates, Adam bias corrections passed from the host). Per-row state
 *       that must change between replays (z, Adam moments, step counts) has to live in tensors updated in
 *       place, as {@link Backend#adamPerSampleStep} does. Inputs change by copying new values into the
 *       same tensors ({@link Backend#copyInto}) between replays.</li>
 *   <li>Temporaries made inside the body should be closed inside it; the graph keeps every buffer it
 *       touched (temporaries and the caller's tensors alike) reserved until the graph is closed, so
 *       closing a tensor before the graph is safe but only frees its memory when the graph goes.</li>
 *   <li>A replay is queued on the backend's stream like any op: results are seen by the next op or host
 *       copy. The graph belongs to the backend: close it before the backend (closing the backend closes
 *       it).</li>
 * </ul>
 */
public interface GraphCapable {

    /** Records {@code body}'s ops without running them and returns the graph to replay them. */
    CapturedGraph capture(Runnable body);
}
