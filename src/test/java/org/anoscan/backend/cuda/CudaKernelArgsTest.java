package org.anoscan.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.junit.jupiter.api.Test;

/** The kernelParams array as cuLaunchKernel reads it: entry i points to slot i, which holds argument i. */
class CudaKernelArgsTest {

    @Test
    void entriesPointToSlotsHoldingTheValuesAsTheDriverReadsThem() {
        try (KernelArgs a = new KernelArgs()) {
            a.reset().ptr(0x7f00_1234_5678L).i32(-3).f32(0.25f).i64(1L << 40);
            assertEquals("pifl", a.types());
            assertTrue(a.hasTypes("pifl"));
            assertFalse(a.hasTypes("pif"));
            assertFalse(a.hasTypes("pill"));
            LongPointer entries = new LongPointer(a.params()); // the void* array as 64-bit words (a view, not owned)
            for (int i = 0; i < 4; i++) assertEquals(a.slotAddress(i), entries.get(i), "entry " + i);
            // each slot read as the kernel reads it: 8 bytes for pointers and i64, the first 4 for int and float
            assertEquals(0x7f00_1234_5678L, new LongPointer(at(a.slotAddress(0))).get(0));
            assertEquals(-3, new IntPointer(at(a.slotAddress(1))).get(0));
            assertEquals(0.25f, new FloatPointer(at(a.slotAddress(2))).get(0));
            assertEquals(1L << 40, new LongPointer(at(a.slotAddress(3))).get(0));
        }
    }

    @Test
    void resetStartsOverAndTooManyArgumentsThrow() {
        try (KernelArgs a = new KernelArgs()) {
            a.reset().i32(1).i32(2);
            assertEquals(1, a.reset().i32(7).count());
            assertEquals(7, (int) a.slot(0));
            a.reset();
            for (int i = 0; i < KernelArgs.MAX; i++) a.i32(i);
            assertThrows(IllegalStateException.class, () -> a.i32(0));
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseThrows() {
        KernelArgs a = new KernelArgs();
        a.close();
        a.close();
        assertThrows(IllegalStateException.class, a::reset);
        assertThrows(IllegalStateException.class, a::params);
    }

    /** A pointer object at a raw address (no ownership). */
    private static org.bytedeco.javacpp.Pointer at(long raw) {
        return new org.bytedeco.javacpp.Pointer() {
            {
                address = raw;
            }
        };
    }
}
