package dev.jvisor.debug.gdb;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.debug.gdb.DebugTarget.Stop;
import dev.jvisor.memory.Watchpoints;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One gdb session over a {@link DebugTarget}, in all-stop mode: answers packets while the target is stopped, and
 * while it runs waits for it to stop, passing gdb's Ctrl-C on. The session ends when gdb detaches, kills the target,
 * disconnects, or the target ends (reported as W or X).
 */
public final class GdbStub {
    /** The largest packet we accept and the payload size gdb may send: room for a 'G' of every register. */
    static final int PACKET_SIZE = 0x4000;
    private static final long POLL_MILLIS = 20;

    private final DebugTarget target;
    private final RspChannel channel;
    /** The thread 'g', 'G', 'p', 'P', 'm' and 'M' act on (Hg); 0 until gdb picks one. */
    private int generalThread;
    /** The thread a plain 's' or 'c' acts on (Hc); -1 or 0: the one that stopped last. */
    private int continueThread = -1;
    private Stop lastStop;
    private byte[] description;
    /** gdb said swbreak+/hwbreak+: stop replies may name the kind of breakpoint. */
    private boolean gdbSwbreak, gdbHwbreak;
    private final TreeSet<Long> softwareBreakpoints = new TreeSet<>(Long::compareUnsigned);
    private final TreeSet<Long> hardwareBreakpoints = new TreeSet<>(Long::compareUnsigned);
    private final Set<Watch> watches = new java.util.LinkedHashSet<>();

    public GdbStub(DebugTarget target, RspChannel channel) {
        this.target = target;
        this.channel = channel;
    }

    /** Runs the session to its end; the target is detached, killed or has ended when this returns. */
    public void serve() throws IOException, InterruptedException {
        lastStop = target.attach();
        boolean over = false;
        try {
            while (!over) {
                String packet = channel.readPacket();
                if (packet == null) break;
                over = handle(packet);
            }
        } finally {
            // gdb went away without a word (or the connection broke): the program runs on without it.
            if (!over) target.detach();
        }
    }

    private static boolean isEnded(Stop s) {
        return s.kind() == Stop.Kind.EXITED || s.kind() == Stop.Kind.KILLED;
    }

    /** Answers one packet; returns true when the session is over. */
    private boolean handle(String p) throws IOException, InterruptedException {
        String reply;
        try {
            if (p.isEmpty()) {
                reply = "";
            } else switch (p.charAt(0)) {
                case '?' -> reply = stopReply(lastStop);
                case 'q' -> reply = query(p);
                case 'Q' -> {
                    if (p.equals("QStartNoAckMode")) {
                        channel.send("OK");
                        channel.disableAcks();
                        return false;
                    }
                    reply = "";
                }
                case 'H' -> reply = selectThread(p);
                case 'T' -> reply = target.isAlive(parseThread(p.substring(1))) ? "OK" : "E01";
                case 'g' -> reply = Aarch64Registers.all(cpu());
                case 'G' -> reply = writeAllRegisters(p.substring(1));
                case 'p' -> reply = readRegister(Integer.parseInt(p, 1, p.length(), 16));
                case 'P' -> reply = writeRegister(p);
                case 'm' -> reply = readMemory(p);
                case 'M' -> reply = writeMemory(p.substring(1), false);
                case 'X' -> reply = writeMemory(p.substring(1), true);
                case 'Z', 'z' -> reply = breakpoint(p);
                case 'c', 's', 'C', 'S' -> {
                    return resumeLegacy(p);
                }
                case 'v' -> {
                    if (p.startsWith("vCont?")) reply = "vCont;c;C;s;S";
                    else if (p.startsWith("vCont;")) return resumeVCont(p.substring(6));
                    else if (p.startsWith("vKill")) {
                        channel.send("OK");
                        target.kill();
                        return true;
                    } else reply = "";
                }
                case 'D' -> {
                    channel.send("OK");
                    target.detach();
                    return true;
                }
                case 'k' -> {
                    target.kill();
                    return true;
                }
                default -> reply = "";
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException malformedOrNoSuchThread) {
            reply = "E01";
        }
        channel.send(reply);
        return false;
    }

    private boolean replied(String reply) throws IOException {
        channel.send(reply);
        return false;
    }

    // ---- queries ----

    private String query(String p) {
        if (p.startsWith("qSupported")) {
            gdbSwbreak = p.contains("swbreak+");
            gdbHwbreak = p.contains("hwbreak+");
            return "PacketSize=" + Integer.toHexString(PACKET_SIZE)
                    + ";qXfer:features:read+;swbreak+;hwbreak+;vContSupported+;QStartNoAckMode+";
        }
        if (p.startsWith("qXfer:features:read:")) return readFeatures(p.substring("qXfer:features:read:".length()));
        if (p.equals("qfThreadInfo")) {
            StringBuilder sb = new StringBuilder("m");
            for (int t : target.threads()) sb.append(sb.length() > 1 ? "," : "").append(Integer.toHexString(t));
            return sb.length() > 1 ? sb.toString() : "l";
        }
        if (p.equals("qsThreadInfo")) return "l";
        if (p.equals("qC")) return "QC" + Integer.toHexString(currentThread());
        if (p.equals("qAttached") || p.startsWith("qAttached:")) return "1";
        if (p.startsWith("qSymbol")) return "OK";
        return "";
    }

    /** {@code annex:offset,length}: a window of the target description (only target.xml exists). */
    private String readFeatures(String args) {
        int colon = args.indexOf(':');
        if (colon < 0) return "E01";
        if (!args.substring(0, colon).equals("target.xml")) return "E00";
        int comma = args.indexOf(',', colon);
        int offset = Integer.parseInt(args, colon + 1, comma, 16);
        int length = Integer.parseInt(args, comma + 1, args.length(), 16);
        byte[] xml = description();
        if (offset >= xml.length) return "l";
        int end = (int) Math.min(xml.length, (long) offset + Math.min(length, PACKET_SIZE / 2));
        return (end == xml.length ? "l" : "m") + RspChannel.escape(xml, offset, end);
    }

    // ---- threads ----

    private String selectThread(String p) {
        int t = parseThread(p.substring(2));
        if (t > 0 && !target.isAlive(t)) return "E01";
        if (p.charAt(1) == 'g') generalThread = t;
        else if (p.charAt(1) == 'c') continueThread = t;
        else return "E01";
        return "OK";
    }

    /** A thread id: hex, -1 for all threads, 0 for any. */
    private static int parseThread(String s) {
        if (s.equals("-1")) return -1;
        return Integer.parseUnsignedInt(s, 16);
    }

    /** The thread that stopped last, or the first live one if that one is gone. */
    private int currentThread() {
        if (lastStop.thread() > 0 && target.isAlive(lastStop.thread())) return lastStop.thread();
        List<Integer> all = target.threads();
        return all.isEmpty() ? 0 : all.getFirst();
    }

    /** The thread registers and memory are read from: the one Hg selected, else the current one. */
    private int registerThread() {
        return generalThread > 0 && target.isAlive(generalThread) ? generalThread : currentThread();
    }

    private Cpu cpu() {
        return target.cpu(registerThread());
    }

    /** The target description, made once per session (a target's extra registers do not change). */
    private byte[] description() {
        if (description == null) {
            description = TargetDescription.of(target.extraRegisters()).getBytes(StandardCharsets.UTF_8);
        }
        return description;
    }

    // ---- registers and memory ----

    private String writeAllRegisters(String hex) {
        if (hex.length() < Aarch64Registers.allHexLength()) return "E01";
        Aarch64Registers.writeAll(cpu(), hex);
        return "OK";
    }

    /** Register {@code n} in hex, the extra ones ({@link DebugTarget#extraRegisters}) included. */
    private String readRegister(int n) {
        StringBuilder hex = new StringBuilder();
        int extra = n - Aarch64Registers.COUNT;
        if (extra >= 0 && extra < target.extraRegisters().size()) {
            Aarch64Registers.appendLe(hex, target.readExtraRegister(registerThread(), extra), 8);
        } else if (Aarch64Registers.size(n) > 0) {
            Aarch64Registers.append(cpu(), n, hex);
        } else {
            return "E01";
        }
        return hex.toString();
    }

    private String writeRegister(String p) {
        int eq = p.indexOf('=');
        int n = Integer.parseInt(p, 1, eq, 16);
        int extra = n - Aarch64Registers.COUNT;
        if (extra >= 0 && extra < target.extraRegisters().size()) {
            long value = Aarch64Registers.parseLe(p, eq + 1, 8);
            return target.writeExtraRegister(registerThread(), extra, value) ? "OK" : "E01";
        }
        int size = Aarch64Registers.size(n);
        if (size == 0 || p.length() - eq - 1 < 2 * size) return "E01";
        Aarch64Registers.write(cpu(), n, p, eq + 1);
        return "OK";
    }

    private String readMemory(String p) {
        int comma = p.indexOf(',');
        long address = Long.parseUnsignedLong(p, 1, comma, 16);
        long requested = Long.parseUnsignedLong(p, comma + 1, p.length(), 16);
        int length = Long.compareUnsigned(requested, PACKET_SIZE / 2) > 0 ? PACKET_SIZE / 2 : (int) requested;
        byte[] data = new byte[length];
        int n = target.readMemory(registerThread(), address, data, length);
        if (n == 0 && length > 0) return "E14";
        StringBuilder hex = new StringBuilder(2 * n);
        for (int i = 0; i < n; i++) Aarch64Registers.appendLe(hex, data[i], 1);
        return hex.toString();
    }

    /** {@code addr,length:data}, the data in hex (M) or escaped binary (X). */
    private String writeMemory(String args, boolean binary) {
        int comma = args.indexOf(','), colon = args.indexOf(':');
        long address = Long.parseUnsignedLong(args, 0, comma, 16);
        int length = Integer.parseUnsignedInt(args, comma + 1, colon, 16);
        byte[] data;
        if (binary) {
            data = RspChannel.unescape(args.substring(colon + 1));
        } else {
            data = new byte[(args.length() - colon - 1) / 2];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) Integer.parseInt(args, colon + 1 + 2 * i, colon + 3 + 2 * i, 16);
            }
        }
        if (data.length != length) return "E01";
        if (length == 0) return "OK"; // gdb's probe for X support
        return target.writeMemory(registerThread(), address, data) == length ? "OK" : "E14";
    }

    // ---- breakpoints ----

    /**
     * {@code Ztype,addr,kind} / {@code ztype,addr,kind}: types 0 (software) and 1 (hardware) breakpoints stop before
     * execution; types 2 (write), 3 (read) and 4 (access) watchpoints, {@code kind} bytes long, before the access.
     */
    private String breakpoint(String p) {
        String[] f = p.substring(1).split("[,;]");
        int type = Integer.parseInt(f[0]);
        long address = Long.parseUnsignedLong(f[1], 16);
        boolean insert = p.charAt(0) == 'Z';
        if (type <= 1) {
            TreeSet<Long> set = type == 0 ? softwareBreakpoints : hardwareBreakpoints;
            if (insert) set.add(address);
            else set.remove(address);
            TreeSet<Long> all = new TreeSet<>(softwareBreakpoints);
            all.addAll(hardwareBreakpoints);
            target.breakpoints().replaceWith(all.stream().mapToLong(Long::longValue).toArray());
            return "OK";
        }
        if (type > 4) return "";
        long length = Long.parseUnsignedLong(f[2], 16);
        if (length == 0) return "E01";
        Watch w = new Watch(address, length, type == 2 ? Watchpoints.WRITE
                : type == 3 ? Watchpoints.READ : Watchpoints.READ | Watchpoints.WRITE);
        if (insert) watches.add(w);
        else watches.remove(w);
        long[] starts = new long[watches.size()], lengths = new long[watches.size()];
        int[] kinds = new int[watches.size()];
        int i = 0;
        for (Watch x : watches) {
            starts[i] = x.address;
            lengths[i] = x.length;
            kinds[i++] = x.kinds;
        }
        target.setWatchpoints(new Watchpoints(starts, lengths, kinds));
        return "OK";
    }

    private record Watch(long address, long length, int kinds) {}

    // ---- resuming ----

    /** {@code c[addr]}, {@code s[addr]}, {@code Csig[;addr]}, {@code Ssig[;addr]}: the Hc thread (or the last one). */
    private boolean resumeLegacy(String p) throws IOException, InterruptedException {
        char action = p.charAt(0);
        int thread = continueThread > 0 && target.isAlive(continueThread) ? continueThread : currentThread();
        String rest = p.substring(1);
        Map<Integer, Integer> signals = new HashMap<>();
        if (action == 'C' || action == 'S') {
            int semi = rest.indexOf(';');
            int sig = Integer.parseInt(semi < 0 ? rest : rest.substring(0, semi), 16);
            if (sig != 0) signals.put(thread, GdbSignals.toLinux(sig));
            rest = semi < 0 ? "" : rest.substring(semi + 1);
        }
        if (!rest.isEmpty()) target.cpu(thread).pc = Long.parseUnsignedLong(rest, 16);
        boolean step = action == 's' || action == 'S';
        return resume(step ? thread : 0, Set.of(), !step, signals);
    }

    /**
     * {@code action[:thread](;action[:thread])*}: the leftmost action naming a thread (or applying to all) is that
     * thread's. In all-stop mode at most one thread steps; threads no action covers stay stopped.
     */
    private boolean resumeVCont(String actions) throws IOException, InterruptedException {
        int stepThread = 0;
        Set<Integer> continuing = new HashSet<>();
        boolean allContinue = false;
        Map<Integer, Integer> signals = new HashMap<>();
        Set<Integer> decided = new HashSet<>();
        for (String a : actions.split(";")) {
            int colon = a.indexOf(':');
            String verb = colon < 0 ? a : a.substring(0, colon);
            char kind = verb.charAt(0);
            if (kind != 'c' && kind != 's' && kind != 'C' && kind != 'S') return replied("E01");
            int sig = kind == 'C' || kind == 'S' ? GdbSignals.toLinux(Integer.parseInt(verb, 1, verb.length(), 16)) : 0;
            boolean step = kind == 's' || kind == 'S';
            int named = colon < 0 ? -1 : parseThread(a.substring(colon + 1));
            if (named > 0) {
                if (!decided.add(named)) continue;
                if (step && stepThread == 0) stepThread = named;
                else if (!step) continuing.add(named);
                if (sig != 0) signals.put(named, sig);
                continue;
            }
            // The default action, for every thread no earlier action named (stepping them all is approximated by
            // stepping the current one).
            int current = currentThread();
            if (step && stepThread == 0 && !decided.contains(current)) stepThread = current;
            if (!step) allContinue = true;
            if (sig != 0) for (int t : target.threads()) if (!decided.contains(t)) signals.put(t, sig);
            break;
        }
        return resume(stepThread, continuing, allContinue, signals);
    }

    /** Resumes and waits for the next stop, passing gdb's interrupts on; reports it. True if the target ended. */
    private boolean resume(int stepThread, Set<Integer> continuing, boolean allContinue, Map<Integer, Integer> signals)
            throws IOException, InterruptedException {
        target.resume(stepThread, continuing, allContinue, signals);
        Stop stop;
        while ((stop = target.awaitStop(POLL_MILLIS)) == null) {
            if (channel.takeInterrupt()) target.interrupt();
        }
        lastStop = stop;
        generalThread = 0;
        channel.send(stopReply(stop));
        return isEnded(stop);
    }

    private String stopReply(Stop s) {
        return switch (s.kind()) {
            case EXITED -> String.format("W%02x", s.value() & 0xFF);
            case KILLED -> String.format("X%02x", GdbSignals.toGdb(s.value()));
            case SIGNAL -> String.format("T%02xthread:%x;", GdbSignals.toGdb(s.value()), s.thread());
            case STEP -> String.format("T%02xthread:%x;", GdbSignals.SIGTRAP, s.thread());
            case WATCHPOINT -> String.format("T%02xthread:%x;%s:%x;", GdbSignals.SIGTRAP, s.thread(),
                    s.value() == Watchpoints.WRITE ? "watch" : s.value() == Watchpoints.READ ? "rwatch" : "awatch",
                    s.address());
            case BREAKPOINT -> {
                long pc = target.cpu(s.thread()).pc;
                boolean hardware = hardwareBreakpoints.contains(pc) && !softwareBreakpoints.contains(pc);
                String why = hardware ? (gdbHwbreak ? "hwbreak:;" : "") : (gdbSwbreak ? "swbreak:;" : "");
                yield String.format("T%02xthread:%x;%s", GdbSignals.SIGTRAP, s.thread(), why);
            }
        };
    }
}
