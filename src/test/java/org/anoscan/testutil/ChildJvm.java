package org.anoscan.testutil;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the {@code anoscan} command line in a separate JVM (for signals, kills and locales), on the test classpath. */
public final class ChildJvm {
    private static final boolean DEFAULT_SIGNAL = envResetsSignals();
    /** Children a failed test did not wait for: killed when the test JVM exits, never left running. */
    private static final List<Process> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(Process::destroyForcibly)));
    }

    private ChildJvm() {}

    private static boolean envResetsSignals() {
        try {
            return new ProcessBuilder("env", "--default-signal=INT", "true").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Starts {@code anoscan ARGS}; stdout and stderr go to {@code log}. The child gets SIGINT's default
     * disposition back ({@code env --default-signal}, GNU coreutils 8.31+, where there is one): a test run
     * in the background inherits SIGINT ignored, and a process that ignores it cannot be tested with it.
     */
    public static Process start(Path log, Map<String, String> env, Object... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (DEFAULT_SIGNAL) cmd.addAll(List.of("env", "--default-signal=INT"));
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "org.anoscan.cli.Main"));
        for (Object a : args) cmd.add(a.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        STARTED.removeIf(q -> !q.isAlive());
        STARTED.add(p);
        return p;
    }

    /** Sends a signal (INT, TERM, KILL) to a process. */
    public static void signal(Process p, String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
        if (kill.waitFor() != 0) throw new IOException("kill -" + name + " " + p.pid() + " failed");
    }
}
