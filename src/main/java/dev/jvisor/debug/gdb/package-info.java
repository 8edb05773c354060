/**
 * A GDB remote serial protocol stub: gdb (or gdb-multiarch) connects with {@code target remote :PORT} and debugs
 * whatever implements {@link dev.jvisor.debug.gdb.DebugTarget}, today a Linux user-mode process
 * ({@code jvisor user --gdb PORT [--gdb-wait]}).
 *
 * <h2>Shape</h2>
 * <ul>
 *   <li>{@link dev.jvisor.debug.gdb.RspChannel}: framing ({@code $data#cc}), checksums, acks and no-ack mode, the
 *       0x03 interrupt, binary escaping.</li>
 *   <li>{@link dev.jvisor.debug.gdb.GdbStub}: one session in all-stop mode. It answers qSupported, the target
 *       description ({@code qXfer:features:read:target.xml}: org.gnu.gdb.aarch64.core and .fpu), thread queries
 *       (qfThreadInfo, qC, H, T), registers (g, G, p, P), memory (m, M, X), breakpoints (Z0/Z1), watchpoints
 *       (Z2-Z4: write, read, access; checked by {@code CpuMemory} on the slow path it keeps their pages on), resumption
 *       (c, s, C, S, vCont with per-thread actions), '?', D and k; while the target runs it waits for its stop and
 *       passes Ctrl-C on. Stop replies carry the thread and, when gdb asked for them, swbreak/hwbreak, or the watched
 *       address (watch/rwatch/awatch, reported before the access, as AArch64 hardware does); the end of the
 *       target is W (exit status) or X (signal).</li>
 *   <li>{@link dev.jvisor.debug.gdb.DebugTarget}: what a stub drives: threads, their {@code Cpu}s, memory through
 *       their current translation, breakpoints, resume/step/stop.</li>
 *   <li>{@link dev.jvisor.debug.gdb.AllStopTarget}: the stop-and-go half of a target whose threads run on threads
 *       of their own. Their run loops park in {@code hold}, run each engine slice through {@code runSlice} (a plain
 *       run, {@link dev.jvisor.engine.DebugRunner#runBreaking} while breakpoints are set, or one
 *       {@link dev.jvisor.engine.DebugRunner#step}), and park in {@code holdIfStopped} on their way back from
 *       anywhere they block; a stop is reported once every thread is parked or blocked. User mode's
 *       {@code linux.ProcessDebugger} is one; a system-mode machine with vCPUs as threads is meant to be another.</li>
 *   <li>{@link dev.jvisor.debug.gdb.GdbServer}: the loopback listening socket, one session on a thread of its own.</li>
 * </ul>
 *
 * <h2>Not supported</h2>
 * <ul>
 *   <li>Non-stop mode, multiprocess extensions (forked children run undebugged), file transfer (vFile), and
 *       {@code QPassSignals}: every signal that would take effect stops the process for gdb to decide. In user mode
 *       that includes signals whose default action ends the process, which are therefore taken when a thread next
 *       looks rather than at once: one blocked reading the host's standard input sees them only when the read
 *       returns.</li>
 *   <li>A thread stopped inside a system call shows the SVC as its pc (Linux shows the instruction after it).</li>
 * </ul>
 */
package dev.jvisor.debug.gdb;
