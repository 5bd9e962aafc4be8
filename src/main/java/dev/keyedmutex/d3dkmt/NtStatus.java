package dev.keyedmutex.d3dkmt;

import java.util.Locale;

/**
 * The NTSTATUS values the keyed-mutex calls return (d3dkmt-abi.md, 1.3). Only
 * {@link #SUCCESS} (exactly 0) means acquired: {@link #TIMEOUT} and {@link #ABANDONED} are
 * success-class codes too ({@code NT_SUCCESS(s)} is {@code s >= 0}), so nothing here tests the
 * sign.
 */
final class NtStatus {

    static final int SUCCESS = 0x0000_0000;
    static final int ABANDONED = 0x0000_0080;
    static final int TIMEOUT = 0x0000_0102;
    static final int PENDING = 0x0000_0103;
    static final int NOT_IMPLEMENTED = 0xC000_0002;
    static final int INVALID_HANDLE = 0xC000_0008;
    static final int INVALID_PARAMETER = 0xC000_000D;
    static final int NO_MEMORY = 0xC000_0017;
    static final int ACCESS_DENIED = 0xC000_0022;
    static final int DEVICE_REMOVED = 0xC000_02B6;

    private NtStatus() {
    }

    /** @return the status's name, or "an unknown NTSTATUS" */
    static String name(int status) {
        switch (status) {
            case SUCCESS: return "STATUS_SUCCESS";
            case ABANDONED: return "STATUS_ABANDONED";
            case TIMEOUT: return "STATUS_TIMEOUT";
            case PENDING: return "STATUS_PENDING";
            case NOT_IMPLEMENTED: return "STATUS_NOT_IMPLEMENTED";
            case INVALID_HANDLE: return "STATUS_INVALID_HANDLE";
            case INVALID_PARAMETER: return "STATUS_INVALID_PARAMETER";
            case NO_MEMORY: return "STATUS_NO_MEMORY";
            case ACCESS_DENIED: return "STATUS_ACCESS_DENIED";
            case DEVICE_REMOVED: return "STATUS_DEVICE_REMOVED";
            case 0xC01E_0006: return "STATUS_GRAPHICS_PRESENT_OCCLUDED";
            case 0xC01E_0009: return "STATUS_GRAPHICS_DRIVER_MISMATCH";
            default: return "an unknown NTSTATUS";
        }
    }

    /** "STATUS_DEVICE_REMOVED (0xC00002B6)". */
    static String describe(int status) {
        return name(status) + String.format(Locale.ROOT, " (0x%08X)", status);
    }

    /** The exception for a status that is neither success, timeout nor abandoned. */
    static IllegalStateException failure(String function, int status) {
        return new IllegalStateException(function + " failed: " + describe(status));
    }
}
