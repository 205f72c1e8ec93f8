package org.anoscan.cli;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM turned into a request to stop at the next safe point (after the training step or the
 * images in flight), so a long command can write what it has and say so before it exits with 128 + the
 * signal's number (130, 143). A second signal while the first is being handled exits at once. Closing puts
 * the previous handlers back (commands also run in-process, in tests).
 */
final class StopSignals implements AutoCloseable {
    private static final List<String> NAMES = List.of("INT", "TERM");
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private volatile Signal received;

    private StopSignals() {}

    /** Installs the handlers (where the platform has the signals). */
    static StopSignals install() {
        StopSignals s = new StopSignals();
        for (String name : NAMES) {
            try {
                Signal sig = new Signal(name);
                s.previous.add(Signal.handle(sig, s::onSignal));
                s.signals.add(sig);
            } catch (IllegalArgumentException unavailable) {
                // not on this platform, or the JVM keeps it (-Xrs): the default behaviour stays
            }
        }
        return s;
    }

    private void onSignal(Signal sig) {
        if (received != null) {
            System.err.println("anoscan: second " + sig.getName() + ": exiting now");
            Runtime.getRuntime().halt(128 + sig.getNumber());
        }
        received = sig;
        System.err.println("anoscan: " + sig.getName() + " received: stopping after the work in flight (again to exit at once)");
    }

    /** Whether a stop was asked for. */
    boolean requested() { return received != null; }

    /** The signal's name (INT or TERM), or null. */
    String name() { return received == null ? null : received.getName(); }

    /** 128 + the signal's number: what a shell reports for a process the signal ended. */
    int exitCode() { return received == null ? ExitCodes.OK : 128 + received.getNumber(); }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) Signal.handle(signals.get(i), previous.get(i));
    }
}
