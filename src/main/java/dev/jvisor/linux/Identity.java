package dev.jvisor.linux;

/**
 * The user and groups the guest runs as: jvisor's own, from the JDK's UnixSystem (getuid, getgid, getgroups), since
 * the guest is an ordinary process of the same user as far as the host's files are concerned.
 */
final class Identity {
    static final int UID, GID;
    private static final int[] GROUPS;

    static {
        var unix = new com.sun.security.auth.module.UnixSystem();
        UID = (int) unix.getUid();
        GID = (int) unix.getGid();
        long[] groups = unix.getGroups();
        GROUPS = new int[groups == null ? 0 : groups.length];
        for (int i = 0; i < GROUPS.length; i++) GROUPS[i] = (int) groups[i];
    }

    private Identity() {}

    /** The supplementary groups, as getgroups(2) lists them. */
    static int[] groups() {
        return GROUPS.clone();
    }
}
