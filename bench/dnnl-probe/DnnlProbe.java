import org.anoscan.backend.Activation;
import org.anoscan.backend.ConvSpec;
import org.anoscan.backend.cpu.CpuBackend;
import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;
import org.bytedeco.dnnl.*;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.LongPointer;

/**
 * oneDNN forward convolutions (conv, or deconv for the generator, with the activation as an eltwise
 * post-op) next to AnoScan's fused CPU convolution (convBiasActivation) on the layers of a DCGAN search
 * (nz 100, widths 64, 1 channel; ReLU after every generator layer, LeakyReLU after every discriminator
 * layer, for timing), alternating five times in one JVM; best time of each. Forward only; a probe, so it
 * leaves its native objects to the end of the process.
 */
public class DnnlProbe {
    static memory.desc md(long[] d, memory.format_tag tag) {
        return new memory.desc(new LongPointer(d), memory.data_type.f32, tag);
    }

    public static void main(String[] a) {
        int size = Integer.parseInt(a[0]), batch = Integer.parseInt(a[1]);
        boolean blocked = !(a.length > 2 && a[2].equals("plain"));
        engine eng = new engine(engine.kind.cpu, 0);
        stream st = new stream(eng);
        // layers: transposed?, cin, cout, in, out, k, s, p
        java.util.List<int[]> layers = new java.util.ArrayList<>();
        int top = size == 64 ? 512 : 256;
        // G: dense 100 -> top 1->4 ; then halvings
        layers.add(new int[] {1, 100, top, 1, 4, 4, 1, 0});
        for (int c = top, s = 4; s < size; c /= 2, s *= 2) layers.add(new int[] {1, c, s * 2 == size ? 1 : c / 2, s, s * 2, 4, 2, 1});
        for (int c = 1, s = size, o = 64; s > 4; c = o, o *= 2, s /= 2) layers.add(new int[] {0, c, o, s, s / 2, 4, 2, 1});
        double oursTotal = 0, dnnlTotal = 0;
        try (CpuBackend cpu = new CpuBackend(2)) {
            for (int[] L : layers) {
                boolean tr = L[0] == 1;
                int cin = L[1], cout = L[2], in = L[3], out = L[4], k = L[5], s = L[6], p = L[7];
                double flop = 2.0 * batch * cin * cout * k * k * (tr ? in * in : out * out);
                long[] src = {batch, cin, in, in}, dst = {batch, cout, out, out}, wd = {cout, cin, k, k};
                memory.format_tag act = blocked ? memory.format_tag.any : memory.format_tag.nchw;
                post_ops po = new post_ops();
                po.append_eltwise(dnnl.algorithm.eltwise_relu, tr ? 0f : 0.2f, 0f); // alpha 0.2: LeakyReLU
                primitive_attr attr = new primitive_attr();
                attr.set_post_ops(po);
                LongPointer strides = new LongPointer(new long[] {s, s}), pad = new LongPointer(new long[] {p, p});
                primitive prim;
                memory.desc sd, wdd, dd;
                if (tr) {
                    deconvolution_forward.primitive_desc pd = new deconvolution_forward.primitive_desc(eng, dnnl.prop_kind.forward_inference,
                            dnnl.algorithm.deconvolution_direct, md(src, act), md(wd, memory.format_tag.any), new memory.desc(), md(dst, act),
                            strides, pad, pad, attr, false);
                    System.out.print(pd.impl_info_str().getString() + " ");
                    prim = new deconvolution_forward(pd); sd = pd.src_desc(); wdd = pd.weights_desc(); dd = pd.dst_desc();
                } else {
                    convolution_forward.primitive_desc pd = new convolution_forward.primitive_desc(eng, dnnl.prop_kind.forward_inference,
                            dnnl.algorithm.convolution_direct, md(src, act), md(wd, memory.format_tag.any), new memory.desc(), md(dst, act),
                            strides, pad, pad, attr, false);
                    System.out.print(pd.impl_info_str().getString() + " ");
                    prim = new convolution_forward(pd); sd = pd.src_desc(); wdd = pd.weights_desc(); dd = pd.dst_desc();
                }
                memory ms = new memory(sd, eng), mw = new memory(wdd, eng), mdst = new memory(dd, eng);
                IntMemoryMap args = new IntMemoryMap();
                args.put(dnnl.DNNL_ARG_SRC, ms); args.put(dnnl.DNNL_ARG_WEIGHTS, mw); args.put(dnnl.DNNL_ARG_DST, mdst);
                java.util.Random rnd = new java.util.Random(1);
                float[] xv = new float[batch * cin * in * in], wv = new float[cin * cout * k * k];
                for (int i = 0; i < xv.length; i++) xv[i] = (float) rnd.nextGaussian();
                for (int i = 0; i < wv.length; i++) wv[i] = (float) rnd.nextGaussian() * 0.05f;
                Tensor x = cpu.fromHost(xv, Shape.of(batch, cin, in, in));
                Tensor w = cpu.fromHost(wv, tr ? Shape.of(cin, cout, k, k) : Shape.of(cout, cin, k, k));
                ConvSpec spec = ConvSpec.of(s, p);
                Activation fa = tr ? Activation.RELU : Activation.LEAKY_RELU;
                int reps = Math.max(2, (int) (2e9 / flop));
                double bestOurs = 1e9, bestDnnl = 1e9;
                for (int r = 0; r < 5; r++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < reps; i++) cpu.convBiasActivation(tr, x, w, null, fa, spec).close();
                    long t1 = System.nanoTime();
                    for (int i = 0; i < reps; i++) prim.execute(st, args);
                    st._wait();
                    long t2 = System.nanoTime();
                    bestOurs = Math.min(bestOurs, (t1 - t0) / 1e9 / reps);
                    bestDnnl = Math.min(bestDnnl, (t2 - t1) / 1e9 / reps);
                }
                oursTotal += bestOurs; dnnlTotal += bestDnnl;
                System.out.printf("%s %d->%d %dx%d->%dx%d B=%d: AnoScan %.2f ms (%.1f GFLOP/s)  oneDNN %.2f ms (%.1f GFLOP/s)  oneDNN/AnoScan speed %.2f%n",
                        tr ? "convT" : "conv ", cin, cout, in, in, out, out, batch, bestOurs * 1e3, flop / bestOurs / 1e9, bestDnnl * 1e3, flop / bestDnnl / 1e9, bestOurs / bestDnnl);
                x.close(); w.close();
            }
        }
        System.out.printf("forward total: AnoScan %.2f ms, oneDNN %.2f ms, speed ratio %.2f%n", oursTotal * 1e3, dnnlTotal * 1e3, oursTotal / dnnlTotal);
    }
}
