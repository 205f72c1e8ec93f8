package org.anoscan.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.anoscan.backend.DeviceOutOfMemoryException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/** The buffer pool's reuse, graph reservations and out-of-memory handling, on host memory standing in for the device. */
class CudaDevicePoolTest {

    /** Host memory with a capacity, counting calls. */
    static final class FakeAllocator implements BufferAllocator {
        final long capacity;
        long used;
        int allocations;
        int frees;

        FakeAllocator(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public Pointer allocate(long bytes) {
            if (used + bytes > capacity) throw new DeviceOutOfMemoryException("fake:0", bytes, capacity - used, capacity);
            allocations++;
            used += bytes;
            return new BytePointer(bytes);
        }

        @Override
        public void free(Pointer pointer) {
            frees++;
            used -= pointer.capacity();
            pointer.close();
        }
    }

    @Test
    void aSteadyLoopAllocatesOnlyInItsFirstIterationAndReusesTheSameBuffers() {
        FakeAllocator fake = new FakeAllocator(1 << 20);
        try (DevicePool pool = new DevicePool(fake, "fake:0")) {
            Set<Long> first = new HashSet<>(iteration(pool));
            int after = fake.allocations;
            for (int i = 0; i < 5; i++) assertEquals(first, new HashSet<>(iteration(pool)), "the same buffers");
            assertEquals(after, fake.allocations, "no allocation after the first iteration");
            assertEquals(pool.allocatedBytes(), pool.idleBytes(), "everything is idle between iterations");
        }
        assertEquals(fake.allocations, fake.frees, "close frees every buffer");
        assertEquals(0, fake.used);
    }

    /** Makes and gives back buffers like one step of a search: nested lifetimes, repeated sizes. */
    private static List<Long> iteration(DevicePool pool) {
        List<Long> addresses = new ArrayList<>();
        DeviceBuffer a = pool.acquire(4096), b = pool.acquire(4096), c = pool.acquire(400);
        addresses.add(a.address());
        addresses.add(b.address());
        addresses.add(c.address());
        pool.release(b);
        DeviceBuffer d = pool.acquire(4096); // b's buffer again: last in, first out
        addresses.add(d.address());
        pool.release(a);
        pool.release(c);
        pool.release(d);
        return addresses;
    }

    @Test
    void lastInFirstOut() {
        try (DevicePool pool = new DevicePool(new FakeAllocator(1 << 20), "fake:0")) {
            DeviceBuffer a = pool.acquire(256), b = pool.acquire(256);
            pool.release(a);
            pool.release(b);
            assertSame(b, pool.acquire(256));
            assertSame(a, pool.acquire(256));
            assertNotSame(a, pool.acquire(512));
        }
    }

    @Test
    void buffersTouchedByACaptureStayReservedUntilTheGraphGoes() {
        FakeAllocator fake = new FakeAllocator(1 << 20);
        try (DevicePool pool = new DevicePool(fake, "fake:0")) {
            DeviceBuffer input = pool.acquire(1024); // a caller's tensor used inside the body
            iteration(pool);                       // warm-up run: fills the pool
            int warm = fake.allocations;

            pool.beginCapture();
            pool.touch(input);
            List<Long> captured = iteration(pool);
            List<DeviceBuffer> reserved = pool.endCapture(true);
            assertEquals(warm, fake.allocations, "the capture allocated nothing");
            assertEquals(4, reserved.size(), "the 3 temporaries (one reused) and the input");

            // the caller closes the input early, then allocates: the graph's buffers must not come back
            pool.release(input);
            List<Long> outside = List.of(pool.acquire(4096).address(), pool.acquire(4096).address(), pool.acquire(400).address(),
                    pool.acquire(1024).address());
            for (long addr : outside) assertTrue(!captured.contains(addr) && addr != input.address(), "a reserved buffer was lent");

            pool.unreserve(reserved);
            assertEquals(1024 + 2 * 4096 + 400, pool.idleBytes(), "the graph's buffers are idle again once it goes");
        }
    }

    @Test
    void insideACaptureNoNewMemoryCanBeAllocated() {
        try (DevicePool pool = new DevicePool(new FakeAllocator(1 << 20), "fake:0")) {
            pool.beginCapture();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.acquire(4096));
            assertTrue(e.getMessage().contains("run the body once uncaptured"), e.getMessage());
            assertTrue(pool.endCapture(false).isEmpty());
            assertThrows(IllegalStateException.class, () -> {
                pool.beginCapture();
                pool.beginCapture();
            });
        }
    }

    @Test
    void outOfMemoryFreesIdleBuffersAndRetriesThenThrowsTheSpecificException() {
        FakeAllocator fake = new FakeAllocator(10_000);
        try (DevicePool pool = new DevicePool(fake, "fake:0")) {
            pool.release(pool.acquire(6000)); // idle, of another size
            DeviceBuffer big = pool.acquire(8000); // does not fit next to it: the idle one is freed, then it fits
            assertEquals(8000, pool.allocatedBytes());
            DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> pool.acquire(4000));
            assertEquals(4000, e.requestedBytes());
            assertTrue(e.getMessage().contains("smaller batch"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line");
            pool.release(big);
        }
    }

    @Test
    void closeFreesEverythingOnceAndBuffersThrowAfterwards() {
        FakeAllocator fake = new FakeAllocator(1 << 20);
        DevicePool pool = new DevicePool(fake, "fake:0");
        DeviceBuffer lent = pool.acquire(128);
        pool.release(pool.acquire(256));
        pool.close();
        pool.close();
        assertEquals(2, fake.frees);
        assertEquals(0, pool.allocatedBytes());
        assertThrows(IllegalStateException.class, lent::address, "a freed buffer cannot be used");
        assertThrows(IllegalStateException.class, () -> pool.acquire(128));
        pool.release(lent); // harmless after close
    }
}
