package dev.jvisor.debug.gdb;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.debug.gdb.DebugTarget.Stop;
import dev.jvisor.engine.Breakpoints;
import dev.jvisor.memory.Access;
import dev.jvisor.memory.Watchpoints;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stub's answers to each packet, against a scripted target, spoken to through a second RspChannel as gdb. */
class GdbStubTest {
    /** Two threads (1 and 2) and 64 bytes of memory at 0x1000. */
    static final class FakeTarget implements DebugTarget {
        final Cpu[] cpus = {new Cpu(null, CpuModel.max(), null), new Cpu(null, CpuModel.max(), null)};
        final byte[] memory = new byte[64];
        final Breakpoints breakpoints = new Breakpoints();
        final LinkedBlockingQueue<Stop> stops = new LinkedBlockingQueue<>();
        final List<String> resumes = new ArrayList<>();
        volatile boolean interrupted, detached, killed;
        /** System registers, as a system-mode target would have them; SCTLR_EL1 is read-only here. */
        List<String> extras = List.of();
        final long[] extraValues = {0x30d00800L, 0x4000_0000L};

        @Override public List<String> extraRegisters() { return extras; }
        @Override public long readExtraRegister(int thread, int index) { return extraValues[index] + thread - 1; }

        @Override
        public boolean writeExtraRegister(int thread, int index, long value) {
            if (index == 0) return false;
            extraValues[index] = value;
            return true;
        }

        @Override public List<Integer> threads() { return List.of(1, 2); }
        @Override public boolean isAlive(int thread) { return thread == 1 || thread == 2; }

        @Override
        public Cpu cpu(int thread) {
            if (!isAlive(thread)) throw new IllegalArgumentException("no thread " + thread);
            return cpus[thread - 1];
        }

        @Override
        public int readMemory(int thread, long address, byte[] into, int length) {
            if (address < 0x1000 || address >= 0x1040) return 0;
            int n = (int) Math.min(length, 0x1040 - address);
            System.arraycopy(memory, (int) (address - 0x1000), into, 0, n);
            return n;
        }

        @Override
        public int writeMemory(int thread, long address, byte[] data) {
            if (address < 0x1000 || address >= 0x1040) return 0;
            int n = (int) Math.min(data.length, 0x1040 - address);
            System.arraycopy(data, 0, memory, (int) (address - 0x1000), n);
            return n;
        }

        @Override public Breakpoints breakpoints() { return breakpoints; }

        volatile Watchpoints watchpoints;

        @Override public void setWatchpoints(Watchpoints w) { watchpoints = w; }

        @Override
        public synchronized void resume(int stepThread, Set<Integer> continuing, boolean allContinue,
                                        Map<Integer, Integer> signals) {
            resumes.add(stepThread + "/" + new java.util.TreeSet<>(continuing) + "/" + allContinue + "/" + signals);
        }

        @Override
        public Stop awaitStop(long millis) throws InterruptedException {
            if (interrupted) {
                interrupted = false;
                return new Stop(Stop.Kind.SIGNAL, 1, 2);
            }
            return stops.poll(millis, TimeUnit.MILLISECONDS);
        }

        @Override public void interrupt() { interrupted = true; }
        @Override public Stop attach() { return new Stop(Stop.Kind.SIGNAL, 1, 5); }
        @Override public void detach() { detached = true; }
        @Override public void kill() { killed = true; }
    }

    private FakeTarget target;
    private RspChannel gdb;
    private OutputStream toStub;
    private Thread stubThread;

    @BeforeEach
    void connect() throws IOException {
        target = new FakeTarget();
        PipedInputStream stubIn = new PipedInputStream(1 << 16), gdbIn = new PipedInputStream(1 << 16);
        toStub = new PipedOutputStream(stubIn);
        OutputStream toGdb = new PipedOutputStream(gdbIn);
        gdb = new RspChannel(new BufferedInputStream(gdbIn), toStub);
        RspChannel stubSide = new RspChannel(new BufferedInputStream(stubIn), toGdb);
        stubThread = Thread.ofPlatform().daemon(true).start(() -> {
            try {
                new GdbStub(target, stubSide).serve();
                toGdb.close();
            } catch (IOException | InterruptedException ignored) {
                // The test ended the connection.
            }
        });
    }

    @AfterEach
    void disconnect() throws Exception {
        toStub.close();
        stubThread.join(5000);
        assertFalse(stubThread.isAlive());
    }

    /** The XML, without fetching the DTD it names. */
    private static org.w3c.dom.Document parse(String xml) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private String ask(String packet) throws IOException {
        gdb.send(packet);
        return gdb.readPacket();
    }

    @Test
    void supportedFeaturesAndTheInitialStop() throws IOException {
        String features = ask("qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+");
        assertTrue(features.contains("PacketSize=4000"), features);
        List<String> expected = List.of("qXfer:features:read+", "swbreak+", "hwbreak+", "vContSupported+",
                "QStartNoAckMode+");
        for (String f : expected) {
            assertTrue(features.contains(f), f + " missing from " + features);
        }
        assertEquals("T05thread:1;", ask("?"));
        assertEquals("vCont;c;C;s;S", ask("vCont?"));
        assertEquals("1", ask("qAttached"));
        assertEquals("QC1", ask("qC"));
        assertEquals("m1,2", ask("qfThreadInfo"));
        assertEquals("l", ask("qsThreadInfo"));
        assertEquals("", ask("vMustReplyEmpty"));
        assertEquals("OK", ask("T2"));
        assertEquals("E01", ask("T3"));
        assertEquals("OK", ask("Hg2"));
        assertEquals("E01", ask("Hg7"));
    }

    @Test
    void targetDescriptionIsServedInPiecesAndDescribesEveryRegister() throws Exception {
        StringBuilder xml = new StringBuilder();
        String piece;
        do {
            piece = ask("qXfer:features:read:target.xml:" + Integer.toHexString(xml.length()) + ",100");
            assertTrue(piece.startsWith("m") || piece.startsWith("l"), piece);
            xml.append(new String(RspChannel.unescape(piece.substring(1)), StandardCharsets.UTF_8));
        } while (piece.startsWith("m"));
        assertEquals(TargetDescription.XML, xml.toString());
        assertEquals("E00", ask("qXfer:features:read:other.xml:0,100"));

        var regs = parse(xml.toString()).getElementsByTagName("reg");
        assertEquals(Aarch64Registers.COUNT, regs.getLength());
        for (int n = 0; n < regs.getLength(); n++) {
            var reg = (org.w3c.dom.Element) regs.item(n);
            int bits = Integer.parseInt(reg.getAttribute("bitsize"));
            assertEquals(8 * Aarch64Registers.size(n), bits, reg.getAttribute("name"));
        }
        assertEquals("sp", ((org.w3c.dom.Element) regs.item(31)).getAttribute("name"));
        assertEquals("cpsr", ((org.w3c.dom.Element) regs.item(33)).getAttribute("name"));
        assertEquals("v31", ((org.w3c.dom.Element) regs.item(65)).getAttribute("name"));
        assertEquals("fpcr", ((org.w3c.dom.Element) regs.item(67)).getAttribute("name"));
    }

    @Test
    void systemRegistersOfATargetThatHasThemComeAfterTheOthers() throws Exception {
        target.extras = List.of("sctlr_el1", "ttbr0_el1");
        StringBuilder xml = new StringBuilder();
        String piece;
        do {
            piece = ask("qXfer:features:read:target.xml:" + Integer.toHexString(xml.length()) + ",400");
            xml.append(new String(RspChannel.unescape(piece.substring(1)), StandardCharsets.UTF_8));
        } while (piece.startsWith("m"));
        var regs = parse(xml.toString()).getElementsByTagName("reg");
        assertEquals(Aarch64Registers.COUNT + 2, regs.getLength());
        var ttbr = (org.w3c.dom.Element) regs.item(Aarch64Registers.COUNT + 1);
        assertEquals("ttbr0_el1", ttbr.getAttribute("name"));
        assertEquals("system", ttbr.getAttribute("group"));
        assertEquals("org.jvisor.aarch64.system", ((org.w3c.dom.Element) ttbr.getParentNode()).getAttribute("name"));

        assertEquals("0008d03000000000", ask("p44"));
        assertEquals("OK", ask("Hg2"));
        assertEquals("0100004000000000", ask("p45"));
        assertEquals("OK", ask("P45=0010000000000000"));
        assertEquals(0x1000, target.extraValues[1]);
        assertEquals("E01", ask("P44=0000000000000000"), "a register the target keeps read-only");
        assertEquals("E01", ask("p46"));
        assertEquals(2 * 788, ask("g").length(), "'g' carries only the core and FP/SIMD registers");
    }

    @Test
    void registersInGdbOrderLittleEndian() throws IOException {
        Cpu c = target.cpus[0];
        c.x[0] = 0x1122334455667788L;
        c.x[31] = 0x7ff0;
        c.pc = 0x400580;
        c.nzcv = Cpu.N | Cpu.C;
        c.setQ(1, 0x0807060504030201L, 0x100f0e0d0c0b0a09L);
        c.fpsr = 0x8000000;
        c.fpcr = 0x3000000;
        String g = ask("g");
        assertEquals(2 * (31 * 8 + 8 + 8 + 4 + 32 * 16 + 4 + 4), g.length());
        assertEquals("8877665544332211", g.substring(0, 16));
        assertEquals("f07f000000000000", g.substring(31 * 16, 32 * 16));
        assertEquals("8005400000000000", g.substring(32 * 16, 33 * 16));
        assertEquals("000000a0", g.substring(33 * 16, 33 * 16 + 8));
        int v1 = 33 * 16 + 8 + 32;
        assertEquals("0102030405060708090a0b0c0d0e0f10", g.substring(v1, v1 + 32));
        assertEquals("00000008" + "00000003", g.substring(g.length() - 16));

        assertEquals("8005400000000000", ask("p20"));
        assertEquals("OK", ask("P20=0806400000000000"));
        assertEquals(0x400608, c.pc);
        // cpsr: only NZCV is the debugger's to change.
        assertEquals("OK", ask("P21=0c000050"));
        assertEquals(Cpu.Z | Cpu.V, c.nzcv);
        assertEquals(0, c.el);
        assertEquals("E01", ask("p44"));
        assertEquals("E01", ask("P1=12"));

        // Hg selects the thread registers come from; G writes them all.
        assertEquals("OK", ask("Hg2"));
        assertEquals("OK", ask("G" + g));
        Cpu c2 = target.cpus[1];
        assertEquals(0x1122334455667788L, c2.x[0]);
        assertEquals(0x400580, c2.pc);
        assertEquals(Cpu.N | Cpu.C, c2.nzcv);
        assertEquals(0x100f0e0d0c0b0a09L, c2.v[3]);
        assertEquals(0x3000000, c2.fpcr);
        assertEquals("E01", ask("G00"));
    }

    @Test
    void memoryReadsWritesAndFaults() throws IOException {
        for (int i = 0; i < 64; i++) target.memory[i] = (byte) i;
        assertEquals("00010203", ask("m1000,4"));
        assertEquals("3e3f", ask("m103e,10")); // a read stops where memory ends
        assertEquals("E14", ask("m2000,4"));
        assertEquals("OK", ask("M1004,3:aabbcc"));
        assertArrayEquals(new byte[] {(byte) 0xaa, (byte) 0xbb, (byte) 0xcc}, Arrays.copyOfRange(target.memory, 4, 7));
        assertEquals("OK", ask("X1008,0:"));
        assertEquals("OK", ask("X1008,4:}\u0003}\u0004}]}\n"));
        assertEquals("23247d2a", ask("m1008,4"));
        assertEquals("E14", ask("M2000,1:00"));
        assertEquals("E01", ask("M1000,2:00"));
        assertEquals("E01", ask("mzz,4"));
        assertEquals("000102", ask("m1000,ffffffffffffffff").substring(0, 6), "a huge length is cut to what fits");
        assertEquals(128, ask("m1000,ffffffffffffffff").length());
    }

    @Test
    void breakpointsReachTheTargetAndStopsNameTheirKind() throws IOException {
        ask("qSupported:swbreak+;hwbreak+");
        assertEquals("OK", ask("Z0,400580,4"));
        assertEquals("OK", ask("Z1,400600,4"));
        assertTrue(target.breakpoints.contains(0x400580) && target.breakpoints.contains(0x400600));

        target.cpus[1].pc = 0x400580;
        target.stops.add(new Stop(Stop.Kind.BREAKPOINT, 2, 0));
        assertEquals("T05thread:2;swbreak:;", ask("vCont;c"));
        target.cpus[0].pc = 0x400600;
        target.stops.add(new Stop(Stop.Kind.BREAKPOINT, 1, 0));
        assertEquals("T05thread:1;hwbreak:;", ask("c"));

        assertEquals("OK", ask("z0,400580,4"));
        assertFalse(target.breakpoints.contains(0x400580));
        assertTrue(target.breakpoints.contains(0x400600));
        assertEquals("OK", ask("z1,400600,4"));
        assertTrue(target.breakpoints.isEmpty());
    }

    @Test
    void watchpointsReachTheTargetAndStopsNameTheAddress() throws IOException {
        assertEquals("OK", ask("Z2,1008,4"));
        assertEquals("OK", ask("Z3,2000,8"));
        assertEquals("OK", ask("Z4,3000,1"));
        Watchpoints w = target.watchpoints;
        assertThrows(Watchpoints.WatchpointHit.class, () -> w.check(0x100b, 1, Access.WRITE));
        w.check(0x100c, 1, Access.WRITE);
        w.check(0x1008, 4, Access.READ); // a write watchpoint ignores reads
        assertThrows(Watchpoints.WatchpointHit.class, () -> w.check(0x1ffc, 8, Access.READ));
        assertThrows(Watchpoints.WatchpointHit.class, () -> w.check(0x3000, 1, Access.WRITE));
        assertEquals("E01", ask("Z2,1000,0"));
        assertEquals("", ask("Z5,1000,4"));

        target.stops.add(new Stop(Stop.Kind.WATCHPOINT, 1, Watchpoints.WRITE, 0x1008));
        assertEquals("T05thread:1;watch:1008;", ask("c"));
        target.stops.add(new Stop(Stop.Kind.WATCHPOINT, 2, Watchpoints.READ, 0x2004));
        assertEquals("T05thread:2;rwatch:2004;", ask("c"));
        target.stops.add(new Stop(Stop.Kind.WATCHPOINT, 1, Watchpoints.READ | Watchpoints.WRITE, 0x3000));
        assertEquals("T05thread:1;awatch:3000;", ask("c"));

        assertEquals("OK", ask("z2,1008,4"));
        assertEquals("OK", ask("z3,2000,8"));
        target.watchpoints.check(0x1008, 4, Access.WRITE);
        assertEquals("OK", ask("z4,3000,1"));
        assertTrue(target.watchpoints.isEmpty());
    }

    @Test
    void resumeActionsAndSignals() throws IOException {
        target.stops.add(new Stop(Stop.Kind.STEP, 2, 0));
        assertEquals("T05thread:2;", ask("vCont;s:2;c"));
        target.stops.add(new Stop(Stop.Kind.STEP, 2, 0));
        assertEquals("T05thread:2;", ask("vCont;s:2"));
        // gdb's SIGUSR1 (30) is Linux's 10.
        target.stops.add(new Stop(Stop.Kind.SIGNAL, 1, 10));
        assertEquals("T1ethread:1;", ask("vCont;C1e:1;c"));
        target.stops.add(new Stop(Stop.Kind.STEP, 1, 0));
        assertEquals("T05thread:1;", ask("s"));
        // With scheduler-locking, gdb continues one thread alone.
        target.stops.add(new Stop(Stop.Kind.SIGNAL, 2, 2));
        assertEquals("T02thread:2;", ask("vCont;c:2"));
        target.stops.add(new Stop(Stop.Kind.SIGNAL, 2, 2));
        assertEquals("T02thread:2;", ask("vCont;s:1;c:2"));
        assertEquals(List.of("2/[]/true/{}", "2/[]/false/{}", "0/[1]/true/{1=10}", "1/[]/false/{}", "0/[2]/false/{}",
                "1/[2]/false/{}"), target.resumes);
    }

    @Test
    void ctrlCInterruptsARunningTarget() throws Exception {
        gdb.send("vCont;c");
        Thread.sleep(100);
        assertFalse(target.interrupted);
        toStub.write(RspChannel.INTERRUPT);
        toStub.flush();
        assertEquals("T02thread:1;", gdb.readPacket());
    }

    @Test
    void malformedPacketsGetAnErrorAndTheSessionGoesOn() throws IOException {
        List<String> bad = List.of("m", "m1000", "M1", "M1000,2", "X", "Z0", "Z0,zz,4", "z9", "p", "pzz", "P", "P1",
                "Hx", "Hgzz", "T", "Tzz", "qXfer:features:read:target.xml:", "qXfer:features:read:target.xml:-5,10",
                "vCont;x", "vCont;c:zz", "vCont;Czz", "Czz", "Szz;1", "c12zz", "s12zz", "G12");
        for (String packet : bad) {
            String reply = ask(packet);
            assertTrue(reply.isEmpty() || reply.startsWith("E"), packet + " -> " + reply);
        }
        assertTrue(target.resumes.isEmpty(), "nothing malformed resumed the target");
        assertEquals("T05thread:1;", ask("?"));
    }

    @Test
    void noAckModeAndTheEndOfTheProgram() throws IOException {
        assertEquals("OK", ask("QStartNoAckMode"));
        gdb.disableAcks();
        assertEquals("QC1", ask("qC"));
        target.stops.add(new Stop(Stop.Kind.EXITED, 0, 3));
        assertEquals("W03", ask("vCont;c"));
    }

    @Test
    void aKilledTargetIsReportedWithGdbsSignalNumber() throws IOException {
        target.stops.add(new Stop(Stop.Kind.KILLED, 0, 7)); // Linux SIGBUS is gdb's 10
        assertEquals("X0a", ask("c"));
    }

    @Test
    void detachLetsTheTargetGo() throws Exception {
        assertEquals("OK", ask("D"));
        stubThread.join(5000);
        assertTrue(target.detached);
        assertFalse(target.killed);
    }

    @Test
    void killEndsTheTarget() throws Exception {
        gdb.send("k");
        stubThread.join(5000);
        assertTrue(target.killed);
    }

    @Test
    void aVanishedConnectionDetaches() throws Exception {
        toStub.close();
        stubThread.join(5000);
        assertTrue(target.detached);
    }
}
