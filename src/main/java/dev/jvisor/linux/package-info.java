/**
 * Linux user mode: runs static AArch64 Linux programs the way qemu-aarch64 does, answering their system calls with
 * the host's files, clocks and terminal through Java's own APIs.
 *
 * <h2>Shape</h2>
 * <ul>
 *   <li>{@link dev.jvisor.linux.LinuxProcess}: one guest process (program, {@link dev.jvisor.linux.AddressSpace},
 *       descriptors, signal dispositions, threads). fork() makes another LinuxProcess in the same JVM with a copy of
 *       the memory and the same open file descriptions; execve() swaps in a freshly loaded program. The processes of
 *       one run share pid numbering and can signal and wait for each other.</li>
 *   <li>{@link dev.jvisor.linux.AddressSpace}: a 64 GiB host reservation in which guest address == offset, so
 *       every TLB addend is 0; a permission byte per page; brk and a top-down mmap allocator. Mapping changes bump
 *       an epoch that each thread's {@link dev.jvisor.linux.UserMemory} checks before running on, and kick the
 *       other threads out of their engines so they do so promptly.</li>
 *   <li>{@code GuestThread}: one platform thread per guest thread, running the {@link dev.jvisor.linux.Engine}
 *       (interpreter or translator) in slices; between slices it delivers signals and follows mapping changes. It is
 *       the CPU's SystemHooks: SVC goes to {@code Syscalls}, faults and BRK/UDF become synchronous signals.</li>
 *   <li>{@code ProcessDebugger}: the process as the gdb stub's target (threads stop together; signals stop the
 *       process before they act, as under ptrace). Threads consult it only between engine slices, on the way out of
 *       a system call and when a signal is about to act.</li>
 *   <li>{@code Signals}: dispositions, the arm64 rt_sigframe (siginfo, ucontext, fpsimd and esr records, frame
 *       record) and rt_sigreturn. Default actions that terminate or stop take effect when the signal is sent.</li>
 * </ul>
 *
 * <h2>Known differences from Linux</h2>
 * <ul>
 *   <li>Only static AArch64 executables can be run or exec'd (ENOEXEC otherwise; #! scripts work when their
 *       interpreter is one). A posix_spawn whose exec fails reports it through the child's exit status 127, since
 *       vfork is run as a fork here.</li>
 *   <li>MAP_SHARED file mappings are read-only snapshots (writable ones are ENODEV); mremap of MAP_SHARED anonymous
 *       memory is EINVAL. MADV_DONTNEED on a private file mapping gives zeros, not the file's bytes again.</li>
 *   <li>st_blocks is estimated from the size; statfs reports no inode counts. setuid/setgid/sticky mode bits cannot
 *       be set (EPERM). No sockets, eventfd, epoll, inotify, file locks or timers other than ITIMER_REAL.</li>
 *   <li>A thread blocked reading the host's standard input or a terminal cannot be interrupted by a signal that has
 *       a handler (fatal signals still end the process at once); in-process pipes, sleeps, futexes, poll and wait
 *       can. TCSETSF does not flush pending terminal input. /proc/self/{exe,maps,cmdline,fd/N} describe the guest;
 *       the rest of /proc is the host's view of the JVM.</li>
 * </ul>
 */
package dev.jvisor.linux;
