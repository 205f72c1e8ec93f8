package org.anoscan.cli;

import picocli.CommandLine;

/** Version line from the jar manifest (or "dev" when run from classes). */
public final class VersionInfo implements CommandLine.IVersionProvider {
    public static String version() {
        String v = VersionInfo.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"anoscan " + version() + " (Java " + System.getProperty("java.version") + ")"};
    }
}
