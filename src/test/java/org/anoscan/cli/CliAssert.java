package org.anoscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the bad-input tests ask of a refused command: its exit code and one line of stderr, without a trace. */
final class CliAssert {
    private CliAssert() {}

    static void oneLine(ScanCommandTest.Run r, int code, String text) {
        assertEquals(code, r.code(), r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line:\n" + r.err());
        assertTrue(err.contains(text), "expected '" + text + "' in: " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), err);
    }
}
