package org.anoscan.backend.cuda;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;

/**
 * Typed views of device addresses for the {@link NativeKernels} launchers: the element type is what the
 * launcher's C signature checks. Nothing on the host is behind them and JavaCPP never reads through them;
 * they own nothing (the {@link DeviceBuffer} does). Address 0 gives null, the launchers' "left out".
 */
final class DevicePointers {
    private DevicePointers() {}

    private static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }
    }

    static FloatPointer floats(long address) {
        return address == 0 ? null : new FloatPointer(new Address(address));
    }

    static DoublePointer doubles(long address) {
        return address == 0 ? null : new DoublePointer(new Address(address));
    }

    /** bf16 elements (JavaCPP has no bf16 type: 16-bit words, cast to __nv_bfloat16* by the binding). */
    static ShortPointer bf16(long address) {
        return address == 0 ? null : new ShortPointer(new Address(address));
    }
}
