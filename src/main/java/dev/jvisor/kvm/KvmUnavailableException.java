package dev.jvisor.kvm;

/** /dev/kvm is missing, cannot be opened, or speaks an API this VMM does not. */
public final class KvmUnavailableException extends KvmException {
    public KvmUnavailableException(String message) {
        super(message);
    }
}
