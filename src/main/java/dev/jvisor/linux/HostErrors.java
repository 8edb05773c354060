package dev.jvisor.linux;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/** Turns the exceptions of Java's file APIs back into the errno the host call behind them failed with. */
final class HostErrors {
    private HostErrors() {}

    static Errno errno(IOException e) {
        return new Errno(code(e));
    }

    static int code(IOException e) {
        if (e instanceof NoSuchFileException) return Errno.ENOENT;
        if (e instanceof FileAlreadyExistsException) return Errno.EEXIST;
        if (e instanceof AccessDeniedException) return Errno.EACCES;
        if (e instanceof DirectoryNotEmptyException) return Errno.ENOTEMPTY;
        if (e instanceof NotDirectoryException) return Errno.ENOTDIR;
        if (e instanceof FileSystemLoopException) return Errno.ELOOP;
        if (e instanceof NotLinkException) return Errno.EINVAL;
        String reason = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        if (reason == null) return Errno.EIO;
        // The JDK reports the host's strerror text; map back the ones a program can meet.
        return switch (reason) {
            case "Is a directory" -> Errno.EISDIR;
            case "Not a directory" -> Errno.ENOTDIR;
            case "No such file or directory" -> Errno.ENOENT;
            case "Permission denied" -> Errno.EACCES;
            case "Operation not permitted" -> Errno.EPERM;
            case "File exists" -> Errno.EEXIST;
            case "Directory not empty" -> Errno.ENOTEMPTY;
            case "Read-only file system" -> Errno.EROFS;
            case "Too many levels of symbolic links" -> Errno.ELOOP;
            case "Invalid argument" -> Errno.EINVAL;
            case "File name too long" -> Errno.ENAMETOOLONG;
            case "No space left on device" -> Errno.ENOSPC;
            case "Invalid cross-device link" -> Errno.EXDEV;
            case "Broken pipe" -> Errno.EPIPE;
            case "Device or resource busy" -> Errno.EBUSY;
            case "Too many open files" -> Errno.EMFILE;
            case "File too large" -> Errno.EFBIG;
            case "No such device or address" -> Errno.ENXIO;
            case "No such device" -> Errno.ENODEV;
            case "Illegal seek" -> Errno.ESPIPE;
            case "Inappropriate ioctl for device" -> Errno.ENOTTY;
            case "Resource temporarily unavailable" -> Errno.EAGAIN;
            case "Too many links" -> Errno.EMLINK;
            default -> Errno.EIO;
        };
    }
}
