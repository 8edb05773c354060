package dev.jvisor.machine.virtio;

/**
 * The driver broke the virtio protocol (a malformed ring or request) so badly that the device cannot go on; the
 * transport answers with DEVICE_NEEDS_RESET. Carries no stack trace: the guest can cause it at will.
 */
public final class VirtioException extends Exception {
    public VirtioException(String message) {
        super(message, null, false, false);
    }
}
