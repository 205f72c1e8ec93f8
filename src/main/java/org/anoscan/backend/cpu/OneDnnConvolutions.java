package org.anoscan.backend.cpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.anoscan.backend.Activation;
import org.anoscan.tensor.Shape;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.deconvolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.primitive_desc;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Pointer;

/**
 * oneDNN's direct (brgemm) convolutions for the CPU backend's wide layers, on NCHW tensors in native memory.
 * Every forward and backward-data the backend runs is one of two oneDNN primitives with the weight tensor
 * as it lies: a <em>conv-like</em> op (conv2d forward, conv-transpose2d backward-data) is a
 * {@code convolution_forward} whose weight [dst channels, src channels, k, k] is oneDNN's {@code oihw}, and
 * a <em>deconv-like</em> op (conv-transpose2d forward, conv2d backward-data) a {@code deconvolution_forward}
 * whose weight is [src channels, dst channels, k, k], oneDNN's {@code iohw}. Bias and activation run as the
 * primitive's bias and eltwise post-op.
 *
 * <p>One {@link Plan} per op shape (batch size included), built on first use and kept: the primitive in the
 * layouts oneDNN picks (NHWC activations and blocked weights on avx2), and the reorders between those and the
 * backend's NCHW tensors and weights. An output of the search's fused ops is left in NHWC order when that is
 * the primitive's layout ({@link CpuTensor#channelsLast}), so the next oneDNN layer and the derivative pass read it
 * without a reorder; any other op converts it in place first ({@link CpuBackend#buf}), so the backend's tensors
 * look NCHW everywhere else. The reordered activations live in two scratch buffers shared by all plans
 * (calls are serialised), so a plan holds no batch-sized memory; the reordered weights are kept per weight
 * ({@link OneDnnWeightCache}: the search's frozen weights are reordered once, not on every call). Calls are serialised:
 * oneDNN spreads each one over its OpenMP threads (all cores) itself.
 *
 * <p>Threads: oneDNN runs on its own OpenMP threads, as many as OMP_NUM_THREADS says (default: every core
 * the process may use); the calls come from the backend's caller, one at a time. GNU OpenMP's default wait
 * policy spins its idle threads for a while after each call, which on a loaded machine costs a time slice per
 * call: with {@code OMP_WAIT_POLICY=PASSIVE} (the launcher and the tests set it) they sleep instead.
 *
 * <p>Errors: the C++ API throws on every status other than success (JavaCPP turns it into a
 * RuntimeException); {@link #run} rethrows it with the op's shape, and a plan that fails to build leaves
 * nothing behind.
 */
final class OneDnnConvolutions implements AutoCloseable {
    /**
     * Channels below which a layer stays on the GEMM path under {@link ConvLibrary#PER_LAYER}: measured with
     * bench ConvLibraryComparison, oneDNN lost on every layer with 1 channel on a side and on the 1x1 maps, and won on
     * the 64-256-channel ones. 64 rather than 32 keeps the small models (widths 16: the one-class quick setting) on
     * the GEMM path, where oneDNN's per-call cost outweighs its kernels.
     */
    static final int MIN_CHANNELS = 64;
    /** Plans kept before the cache is emptied (each holds blocked buffers of its batch). */
    private static final int MAX_PLANS = 64;

    /** An op's shape: src [n, cSrc, hSrc, wSrc] to dst [n, cDst, hDst, wDst], square kernel k. */
    record Key(boolean deconv, int n, int cSrc, int hSrc, int wSrc, int cDst, int hDst, int wDst, int k, int stride,
               int pad, boolean bias, Activation act) {
        /** The layer rule of {@link ConvLibrary#PER_LAYER}: wide on both sides, and not a 1x1 map on either. */
        boolean suits() {
            return Math.min(cSrc, cDst) >= MIN_CHANNELS && Math.min(hSrc * wSrc, hDst * wDst) > 1;
        }

        @Override
        public String toString() {
            return (deconv ? "deconv " : "conv ") + "[" + n + "," + cSrc + "," + hSrc + "," + wSrc + "] -> [" + n + "," + cDst + ","
                    + hDst + "," + wDst + "] k" + k + " s" + stride + " p" + pad + (bias ? " +bias" : "") + (act == null ? "" : " " + act);
        }
    }

    private final engine eng;
    private final stream strm;
    private final Map<Key, Plan> plans = new HashMap<>();
    private final Map<Shape, ToPlain> toPlain = new HashMap<>();
    private final ScratchBuffer srcScratch = new ScratchBuffer("oneDNN source in its layout");
    private final OneDnnWeightCache weights = new OneDnnWeightCache();
    private final ScratchBuffer dstScratch = new ScratchBuffer("oneDNN destination in its layout");

    OneDnnConvolutions() {
        this.eng = new engine(engine.kind.cpu, 0);
        this.strm = new stream(eng);
    }

    /** Whether {@link ConvLibrary#PER_LAYER} gives this shape to oneDNN. */
    static boolean suits(Key key) {
        return key.suits();
    }

    /**
     * Runs the op of key: dst = act(op(src, w) + bias); bias is null when key has none. Every element of dst is
     * written. src may lie in NHWC order ({@link CpuTensor#channelsLast}): read as it is when the primitive wants
     * NHWC, else converted first. With leaveChannelsLast, dst is left in NHWC order (and marked so) when that is
     * the primitive's layout, saving the reorders out of this layer and into the next oneDNN one.
     */
    synchronized void run(Key key, CpuTensor src, CpuTensor w, CpuTensor bias, CpuTensor dst, boolean leaveChannelsLast) {
        try {
            Plan plan = plans.get(key);
            if (plan == null) {
                if (plans.size() >= MAX_PLANS) clearPlans();
                plan = new Plan(key);
                plans.put(key, plan);
            }
            plan.run(src, w, bias, dst, leaveChannelsLast);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cpu: oneDNN " + key + " failed: " + e.getMessage(), e);
        }
    }

    /** The implementation oneDNN chose for key (for benchmarks' notes). */
    synchronized String implementation(Key key) {
        Plan plan = plans.get(key);
        return plan == null ? "(not built)" : plan.impl;
    }

    private void clearPlans() {
        weights.clear();
        for (Plan p : plans.values()) p.close();
        plans.clear();
        for (ToPlain r : toPlain.values()) r.close();
        toPlain.clear();
    }

    /**
     * Converts t's storage from NHWC to NCHW order in place (through a scratch buffer) and clears its mark; nothing
     * when it is NCHW. Under this object's lock, as every layout decision of {@link #run}.
     */
    synchronized void toPlain(CpuTensor t) {
        CpuTensor storage = t.storage();
        Shape s = storage.channelsLast();
        if (s == null) return;
        try {
            ToPlain r = toPlain.get(s);
            if (r == null) {
                if (toPlain.size() >= MAX_PLANS) {
                    for (ToPlain old : toPlain.values()) old.close();
                    toPlain.clear();
                }
                r = new ToPlain(s);
                toPlain.put(s, r);
            }
            r.run(storage);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cpu: oneDNN NHWC -> NCHW of " + s + " failed: " + e.getMessage(), e);
        }
    }

    /** The reorder from NHWC to NCHW of one shape. */
    private final class ToPlain implements AutoCloseable {
        private final memory nhwc, nchw;
        private final reorder reorder;
        private final long floats;

        ToPlain(Shape s) {
            long[] dims = {s.n(), s.c(), s.h(), s.w()};
            memory.desc from = desc(dims, memory.format_tag.nhwc), to = desc(dims, memory.format_tag.nchw);
            memory a = null, b = null;
            try {
                a = new memory(from, eng, (Pointer) null);
                b = new memory(to, eng, (Pointer) null);
                this.reorder = new reorder(a, b);
            } catch (RuntimeException | Error e) {
                if (a != null) a.close();
                if (b != null) b.close();
                throw e;
            } finally {
                from.close();
                to.close();
            }
            this.nhwc = a;
            this.nchw = b;
            this.floats = s.size();
        }

        void run(CpuTensor storage) {
            nhwc.set_data_handle(storage.pointer);
            nchw.set_data_handle(scratch(dstScratch, floats));
            reorder.execute(strm, nhwc, nchw);
            strm._wait();
            Pointer.memcpy(storage.pointer, dstScratch.pointer(), floats * Float.BYTES);
            storage.markChannelsLast(null);
        }

        @Override
        public void close() {
            reorder.close();
            nhwc.close();
            nchw.close();
        }
    }

    private static memory.desc desc(long[] dims, memory.format_tag tag) {
        return new memory.desc(dims, memory.data_type.f32, tag);
    }

    /** The primitive of one shape with its memories and reorders. */
    private final class Plan implements AutoCloseable {
        private final List<Pointer> owned = new ArrayList<>();
        private final String impl;
        private final primitive conv;
        private final memory userSrc, userW, userDst, userBias;
        private final memory src, w, dst;
        private final reorder srcIn, wIn, dstOut;
        private final IntMemoryMap args;
        private final boolean deconv;
        private final Shape srcShape, dstShape;
        private final boolean srcChannelsLast, dstChannelsLast; // the primitive's activations are NHWC
        private final memory.desc blockedW;
        private final long srcFloats, userWeightFloats, weightFloats, dstFloats;

        Plan(Key k) {
            deconv = k.deconv();
            srcShape = Shape.of(k.n(), k.cSrc(), k.hSrc(), k.wSrc());
            dstShape = Shape.of(k.n(), k.cDst(), k.hDst(), k.wDst());
            boolean srcNhwc = false, dstNhwc = false;
            try {
                long[] srcDims = {k.n(), k.cSrc(), k.hSrc(), k.wSrc()}, dstDims = {k.n(), k.cDst(), k.hDst(), k.wDst()};
                long[] wDims = {k.cDst(), k.cSrc(), k.k(), k.k()};
                long[] strides = {k.stride(), k.stride()}, pad = {k.pad(), k.pad()};
                primitive_attr attr = own(new primitive_attr());
                attr.set_deterministic(true);
                if (k.act() != null) {
                    post_ops po = own(new post_ops());
                    po.append_eltwise(algorithm(k.act()), k.act() == Activation.LEAKY_RELU ? Activation.LEAKY_SLOPE : 0f, 0f);
                    attr.set_post_ops(po);
                }
                memory.desc anySrc = own(desc(srcDims, memory.format_tag.any)), anyDst = own(desc(dstDims, memory.format_tag.any));
                memory.desc anyW = own(desc(wDims, memory.format_tag.any));
                memory.desc biasDesc = own(k.bias() ? desc(new long[] {k.cDst()}, memory.format_tag.x) : new memory.desc());
                primitive_desc pd = k.deconv()
                        ? own(new deconvolution_forward.primitive_desc(eng, dnnl.prop_kind.forward_inference, dnnl.algorithm.deconvolution_direct,
                                anySrc, anyW, biasDesc, anyDst, strides, pad, pad, attr, false))
                        : own(new convolution_forward.primitive_desc(eng, dnnl.prop_kind.forward_inference, dnnl.algorithm.convolution_direct,
                                anySrc, anyW, biasDesc, anyDst, strides, pad, pad, attr, false));
                memory.desc pSrc = own(pd.src_desc()), pW = own(pd.weights_desc()), pDst = own(pd.dst_desc());
                conv = own(new primitive(pd));
                impl = pd.impl_info_str().getString();
                memory.desc nchwSrc = own(desc(srcDims, memory.format_tag.nchw)), nchwDst = own(desc(dstDims, memory.format_tag.nchw));
                memory.desc userWDesc = own(desc(wDims, k.deconv() ? memory.format_tag.iohw : memory.format_tag.oihw));
                userSrc = own(new memory(nchwSrc, eng, (Pointer) null));
                userW = own(new memory(userWDesc, eng, (Pointer) null));
                userDst = own(new memory(nchwDst, eng, (Pointer) null));
                userBias = k.bias() ? own(new memory(biasDesc, eng, (Pointer) null)) : null;
                src = pSrc.equals(nchwSrc) ? userSrc : own(new memory(pSrc, eng, (Pointer) null));
                w = pW.equals(userWDesc) ? userW : own(new memory(pW, eng, (Pointer) null));
                dst = pDst.equals(nchwDst) ? userDst : own(new memory(pDst, eng, (Pointer) null));
                srcNhwc = pSrc.equals(own(desc(srcDims, memory.format_tag.nhwc)));
                dstNhwc = pDst.equals(own(desc(dstDims, memory.format_tag.nhwc)));
                srcFloats = floats(pSrc);
                weightFloats = floats(pW);
                userWeightFloats = floats(userWDesc);
                blockedW = pW;
                dstFloats = floats(pDst);
                srcIn = src == userSrc ? null : own(new reorder(userSrc, src));
                wIn = w == userW ? null : own(new reorder(userW, w));
                dstOut = dst == userDst ? null : own(new reorder(dst, userDst));
                args = own(new IntMemoryMap());
                args.put(dnnl.DNNL_ARG_SRC, src);
                args.put(dnnl.DNNL_ARG_WEIGHTS, w);
                args.put(dnnl.DNNL_ARG_DST, dst);
                if (userBias != null) args.put(dnnl.DNNL_ARG_BIAS, userBias);
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
            srcChannelsLast = srcNhwc;
            dstChannelsLast = dstNhwc;
        }

        void run(CpuTensor s, CpuTensor wt, CpuTensor b, CpuTensor d, boolean leaveChannelsLast) {
            Shape mark = s.channelsLast();
            boolean srcAsIs = mark != null && srcChannelsLast && mark.equals(srcShape);
            if (mark != null && !srcAsIs) toPlain(s);
            boolean dstAsIs = leaveChannelsLast && dstChannelsLast;
            userSrc.set_data_handle(s.pointer);
            userW.set_data_handle(wt.pointer);
            userDst.set_data_handle(d.pointer);
            if (userBias != null) userBias.set_data_handle(b.pointer);
            if (srcAsIs) src.set_data_handle(s.pointer);
            else if (src != userSrc) src.set_data_handle(scratch(srcScratch, srcFloats));
            OneDnnWeightCache.Entry cached = null;
            if (w != userW) {
                cached = weights.lookup(wt.pointer, deconv, userWeightFloats, blockedW, weightFloats);
                w.set_data_handle(cached.blocked());
            }
            if (dstAsIs) dst.set_data_handle(d.pointer);
            else if (dst != userDst) dst.set_data_handle(scratch(dstScratch, dstFloats));
            if (srcIn != null && !srcAsIs) srcIn.execute(strm, userSrc, src);
            if (cached != null && !cached.current()) wIn.execute(strm, userW, w);
            conv.execute(strm, args);
            if (dstOut != null && !dstAsIs) dstOut.execute(strm, dst, userDst);
            strm._wait();
            if (cached != null) cached.markCurrent();
            if (dstAsIs && dst != userDst) d.markChannelsLast(dstShape);
        }

        private <T extends Pointer> T own(T p) {
            owned.add(p);
            return p;
        }

        @Override
        public void close() {
            for (int i = owned.size() - 1; i >= 0; i--) owned.get(i).close();
            owned.clear();
        }
    }

    private static long floats(memory.desc d) {
        return (d.get_size() + 3) / 4;
    }

    private static Pointer scratch(ScratchBuffer b, long floats) {
        b.ensure(floats);
        return b.pointer();
    }

    private static dnnl.algorithm algorithm(Activation a) {
        return switch (a) {
            case RELU, LEAKY_RELU -> dnnl.algorithm.eltwise_relu; // alpha: the negative slope
            case TANH -> dnnl.algorithm.eltwise_tanh;
            case SIGMOID -> dnnl.algorithm.eltwise_logistic;
        };
    }

    @Override
    public synchronized void close() {
        clearPlans();
        srcScratch.close();
        weights.close();
        dstScratch.close();
        strm.close();
        eng.close();
    }
}
