package dev.jvisor.linux;

/**
 * A system call's failure, carrying the Linux errno value it returns as {@code -errno}. Thrown from deep inside a
 * call (a bad guest pointer, a missing file) and turned into the return value at the dispatcher, so each call reads
 * as its success path. Carries no stack trace: it is an answer to the guest, not a host error.
 */
final class Errno extends RuntimeException {
    static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8,
            EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17,
            EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25,
            EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, ERANGE = 34, EDEADLK = 35,
            ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61, EOVERFLOW = 75,
            EOPNOTSUPP = 95, ETIMEDOUT = 110;

    final int errno;

    Errno(int errno) {
        super("errno " + errno, null, false, false);
        this.errno = errno;
    }
}
