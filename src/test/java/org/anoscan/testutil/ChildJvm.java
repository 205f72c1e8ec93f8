package org.anoscan.testutil;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the {@code anoscan} command line in a separate JVM (for signals, kills and locales), on the test classpath. */
public final class ChildJvm {
    private ChildJvm() {}

    /** Starts {@code anoscan ARGS}; stdout and stderr go to {@code log}. */
    public static Process start(Path log, Map<String, String> env, Object... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "org.anoscan.cli.Main"));
        for (Object a : args) cmd.add(a.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Sends a signal (INT, TERM, KILL) to a process. */
    public static void signal(Process p, String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
        if (kill.waitFor() != 0) throw new IOException("kill -" + name + " " + p.pid() + " failed");
    }
}
