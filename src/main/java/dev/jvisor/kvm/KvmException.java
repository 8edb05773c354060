package dev.jvisor.kvm;

/** A KVM or libc call failed; the message names the call and the errno. */
public class KvmException extends RuntimeException {
    private final int errno;

    public KvmException(String call, int errno) {
        super(call + " failed: " + Native.describe(errno), null, false, false);
        this.errno = errno;
    }

    public KvmException(String message) {
        super(message, null, false, false);
        this.errno = 0;
    }

    /** The errno the call returned, or 0 when the failure was not a system call's. */
    public int errno() {
        return errno;
    }
}
