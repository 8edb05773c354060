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
 *       (qfThreadInfo, qC, H, T), registers (g, G, p, P), memory (m, M, X), breakpoints (Z0/Z1, z0/z1), resumption
 *       (c, s, C, S, vCont with per-thread actions), '?', D and k; while the target runs it waits for its stop and
 *       passes Ctrl-C on. Stop replies carry the thread and, when gdb asked for them, swbreak/hwbreak; the end of the
 *       target is W (exit status) or X (signal).</li>
 *   <li>{@link dev.jvisor.debug.gdb.DebugTarget}: what a stub drives. Breakpoints are a
 *       {@link dev.jvisor.engine.Breakpoints} set the target's run loop hands to the engines' debugging run methods;
 *       a single step is one interpreted instruction.</li>
 *   <li>{@link dev.jvisor.debug.gdb.GdbServer}: the loopback listening socket, one session on a thread of its own.</li>
 * </ul>
 *
 * <h2>Not supported</h2>
 * <ul>
 *   <li>Watchpoints (Z2-Z4) are refused, so gdb cannot set hardware watchpoints; after
 *       {@code set can-use-hw-watchpoints 0} it single-steps and compares values itself (slow but exact).</li>
 *   <li>Non-stop mode, multiprocess extensions (forked children run undebugged), file transfer (vFile), and
 *       {@code QPassSignals}: every signal that would take effect stops the process for gdb to decide.</li>
 * </ul>
 */
package dev.jvisor.debug.gdb;
