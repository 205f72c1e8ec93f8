package org.anoscan.cli;

/** Exit codes that scripts can rely on. */
public final class ExitCodes {
    /** Everything worked. */
    public static final int OK = 0;
    /** The job failed (bad input file, bad model, device error); nothing useful was produced. */
    public static final int FAILED = 1;
    /** The command line was wrong (picocli's usage error code). */
    public static final int USAGE = 2;
    /** Some inputs failed and were skipped; the others have their outputs. */
    public static final int PARTIAL = 3;

    private ExitCodes() {}
}
