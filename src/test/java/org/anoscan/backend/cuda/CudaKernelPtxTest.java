package org.anoscan.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The PTX the build made from cuda-kernels/ (when nvcc was found at build time): every module the
 * backend loads exists, targets compute_80, and has every entry point with exactly the parameter types
 * the Java launchers pass. Runs without a GPU.
 */
class CudaKernelPtxTest {
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+\\.(\\w+)\\s+\\w+");

    private static String ptx(String module) throws IOException {
        try (InputStream in = CudaKernelPtxTest.class.getClassLoader().getResourceAsStream(KernelModule.RESOURCE_DIR + module + ".ptx")) {
            Assumptions.assumeTrue(in != null, () -> "PTX not built: " + KernelModule.RESOURCE_DIR + module + ".ptx is not on the class "
                    + "path (nvcc was not found at build time; cuda-kernels/build.sh skips quietly without it)");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void everyModuleHasEveryEntryWithTheLaunchersParameterTypes() throws IOException {
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, List<String>> module : CudaKernels.ENTRIES.entrySet()) {
            String text = ptx(module.getKey());
            assertTrue(text.contains(".target sm_80"), module.getKey() + ".ptx should target compute_80 (JIT to the device's own arch)");
            for (String entry : module.getValue()) {
                String params = params(text, entry);
                assertEquals(ptxTypes(CudaKernels.SIGNATURES.get(entry)), params,
                        entry + ": PTX parameter types vs CudaKernels.SIGNATURES (" + CudaKernels.SIGNATURES.get(entry) + ")");
                checked.add(entry);
            }
        }
        assertEquals(CudaKernels.SIGNATURES.keySet().stream().sorted().toList(), checked.stream().sorted().toList(),
                "every kernel with a signature is in a module, and the other way round");
    }

    @Test
    void noEntryIsLeftUnused() throws IOException {
        for (String module : CudaKernels.ENTRIES.keySet()) {
            Matcher m = ENTRY.matcher(ptx(module));
            while (m.find()) {
                // search_update_f32 is launched through NativeKernels (launch_search_update_f32), not from the PTX
                boolean nativeOnly = m.group(1).equals("search_update_f32");
                assertTrue(nativeOnly || CudaKernels.ENTRIES.get(module).contains(m.group(1)),
                        module + ".ptx has entry " + m.group(1) + " that Java never loads");
            }
        }
    }

    /** The entry's parameter types in PTX, as "u64 f32 u32 ...". */
    private static String params(String ptx, String entry) {
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            if (m.group(1).equals(entry)) {
                List<String> types = new ArrayList<>();
                Matcher p = PARAM.matcher(m.group(2));
                while (p.find()) types.add(p.group(1));
                return String.join(" ", types);
            }
        }
        throw new AssertionError("PTX has no entry " + entry);
    }

    /** What nvcc makes of each Java argument kind: pointers and i64 are u64, int is u32, float is f32. */
    private static String ptxTypes(String signature) {
        List<String> types = new ArrayList<>();
        for (char c : signature.toCharArray()) {
            types.add(switch (c) {
                case 'p', 'l' -> "u64";
                case 'i' -> "u32";
                case 'f' -> "f32";
                default -> throw new AssertionError("bad signature letter " + c);
            });
        }
        return String.join(" ", types);
    }
}
