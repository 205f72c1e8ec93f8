package org.anoscan.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;
import org.junit.jupiter.api.Test;

/**
 * The three places a kernel's launch is spelled, read without a compiler or a GPU: the declarations in
 * native/include/anoscan_kernels.h, the Java methods of {@link NativeKernels} (parameter for parameter:
 * C++ would silently widen a Java int passed for a long long, so the JNI compile alone cannot catch
 * that), and the launchers defined in cuda-kernels/*.cu (every kernel there is launched by one of them).
 */
class NativeKernelsBindingTest {
    private static final Path HEADER = Path.of("native/include/anoscan_kernels.h");
    private static final Path KERNELS = Path.of("cuda-kernels");
    private static final Pattern DECLARATION = Pattern.compile("^int (launch_\\w+)\\((.*)\\);$", Pattern.MULTILINE);
    private static final Pattern DEFINITION = Pattern.compile("extern \"C\" int (launch_\\w+)\\(");
    private static final Pattern KERNEL = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(");
    private static final Pattern LAUNCH = Pattern.compile("(\\w+)<<<");

    /** The Java parameter type of each C parameter type the header uses. */
    private static final Map<String, Class<?>> JAVA_TYPE = Map.of(
            "float*", FloatPointer.class, "const float*", FloatPointer.class,
            "double*", DoublePointer.class, "const double*", DoublePointer.class,
            "__nv_bfloat16*", ShortPointer.class, "const __nv_bfloat16*", ShortPointer.class,
            "int", int.class, "long long", long.class, "float", float.class, "cudaStream_t", Pointer.class);

    private static Map<String, List<Class<?>>> declarations() throws IOException {
        Map<String, List<Class<?>>> out = new TreeMap<>();
        Matcher m = DECLARATION.matcher(Files.readString(HEADER));
        while (m.find()) {
            List<Class<?>> types = new ArrayList<>();
            for (String param : m.group(2).split(",")) {
                String p = param.trim();
                String type = p.substring(0, p.lastIndexOf(' ')).replace(" *", "*").trim(); // drop the parameter name
                Class<?> java = JAVA_TYPE.get(type);
                if (java == null) throw new AssertionError(m.group(1) + ": no Java mapping for C type '" + type + "' (add one here)");
                types.add(java);
            }
            assertFalse(out.containsKey(m.group(1)), "declared twice: " + m.group(1));
            out.put(m.group(1), types);
        }
        return out;
    }

    private static Map<String, Method> javaMethods() {
        Map<String, Method> out = new TreeMap<>();
        for (Method method : NativeKernels.class.getDeclaredMethods()) {
            if (Modifier.isNative(method.getModifiers())) out.put(method.getName(), method);
        }
        return out;
    }

    @Test
    void everyDeclarationHasAJavaMethodWithTheSameParameterTypes() throws IOException {
        Map<String, List<Class<?>>> declared = declarations();
        Map<String, Method> java = javaMethods();
        assertTrue(declared.size() >= 20, "the header declares the launchers: found " + declared.keySet());
        assertEquals(declared.keySet(), java.keySet(), "header declarations vs NativeKernels native methods");
        for (Map.Entry<String, List<Class<?>>> d : declared.entrySet()) {
            Method m = java.get(d.getKey());
            assertEquals(d.getValue(), Arrays.asList(m.getParameterTypes()), d.getKey() + ": parameter types, header vs Java");
            assertEquals(int.class, m.getReturnType(), d.getKey() + " returns the launch's cudaError_t");
            assertTrue(Modifier.isStatic(m.getModifiers()), d.getKey() + " is static");
            assertEquals(Pointer.class, d.getValue().get(d.getValue().size() - 1), d.getKey() + " takes the stream last");
        }
    }

    @Test
    void everyDeclaredLauncherIsDefinedNextToItsKernelsAndEveryKernelIsLaunched() throws IOException {
        TreeSet<String> defined = new TreeSet<>();
        List<String> unlaunched = new ArrayList<>();
        try (var files = Files.list(KERNELS)) {
            for (Path cu : files.filter(p -> p.toString().endsWith(".cu")).sorted().toList()) {
                String src = Files.readString(cu);
                Matcher d = DEFINITION.matcher(src);
                while (d.find()) assertTrue(defined.add(d.group(1)), "defined twice: " + d.group(1));
                TreeSet<String> launched = new TreeSet<>();
                Matcher l = LAUNCH.matcher(src);
                while (l.find()) launched.add(l.group(1));
                Matcher k = KERNEL.matcher(src);
                while (k.find()) {
                    if (!launched.contains(k.group(1))) unlaunched.add(cu.getFileName() + ": " + k.group(1));
                }
            }
        }
        assertEquals(declarations().keySet(), defined, "launchers declared in the header vs defined in cuda-kernels/*.cu");
        assertEquals(List.of(), unlaunched, "kernels that no launcher in their file launches");
    }
}
