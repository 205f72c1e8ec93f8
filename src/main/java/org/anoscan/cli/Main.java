package org.anoscan.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code anoscan} command line. */
@Command(name = "anoscan", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "Unsupervised visual anomaly detection with GANs (AnoGAN), batched on the GPU or the CPU.",
        subcommands = {InfoCommand.class, TrainCommand.class, TrainEncoderCommand.class, ScanCommand.class, CalibrateCommand.class, EvalCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure (bad input, model or device)", "2:bad command line",
                "3:partial: some inputs failed, the others have their outputs"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (for tests and embedding). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, args1) -> {
            // a command-line mistake: one line and where to look, not the whole usage text
            CommandLine c = ex.getCommandLine();
            String name = c.getParent() == null ? "anoscan" : "anoscan " + c.getCommandName();
            c.getErr().println(name + ": " + oneLine(ex) + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
            c.getErr().flush();
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // a user-caused failure: one line, no stack trace
            cmd.getErr().println("anoscan " + cmd.getCommandName() + ": " + oneLine(ex));
            return ExitCodes.FAILED;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) { // never a trace: say what to do
            System.err.println("anoscan: out of memory (" + oneLine(e) + "); give Java more memory with ANOSCAN_JAVA_OPTS=-Xmx... "
                    + "or use smaller inputs or --batch");
            return ExitCodes.FAILED;
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        return m.replace('\n', ' ');
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
