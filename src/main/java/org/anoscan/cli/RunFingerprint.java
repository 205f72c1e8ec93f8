package org.anoscan.cli;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.anoscan.io.ColorMap;
import org.anoscan.scan.ScanConfig;

/**
 * What a resumed scan must share with the run it continues: the model file's SHA-256 and every scan setting,
 * read from the config records' components (so a setting added to {@link ScanConfig} or its search config
 * later is covered without touching this class).
 */
final class RunFingerprint {
    private RunFingerprint() {}

    static Map<String, String> of(Path model, ScanConfig cfg, ColorMap colorMap) throws IOException {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("model_sha256", sha256(model));
        flatten("", cfg, f);
        f.put("colormap", colorMap.name());
        return f;
    }

    private static void flatten(String prefix, Object o, Map<String, String> out) {
        if (o == null || !o.getClass().isRecord()) {
            out.put(prefix.isEmpty() ? "value" : prefix.substring(0, prefix.length() - 1), String.valueOf(o));
            return;
        }
        for (RecordComponent c : o.getClass().getRecordComponents()) {
            try {
                flatten(prefix + c.getName() + ".", c.getAccessor().invoke(o), out);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of " + o.getClass().getSimpleName(), e);
            }
        }
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
