package dev.jvisor.arch.a64.system;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.engine.interp.Interpreter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TLBI ...IS on one vCPU reaches the other vCPUs' TLBs before it completes. */
class TlbShootdownTest {
    static final int TLBI_VMALLE1IS = 1 << 14 | 8 << 7 | 3 << 3;
    static final long L1 = TestMachine.RAM_BASE + 0x40_0000, L2 = L1 + 0x1000, L3 = L1 + 0x2000;
    static final long CODE = TestMachine.RAM_BASE + 0x1000, VA = 0x8000_0000L;
    static final long PAGE_A = TestMachine.RAM_BASE + 0x50_0000, PAGE_B = PAGE_A + 0x1000;

    final TestMachine m = new TestMachine();
    final Mmu mmuA = new Mmu(m), mmuB = new Mmu(m);
    final SysRegFile regsA = new SysRegFile(CpuModel.max(), 0), regsB = new SysRegFile(CpuModel.max(), 1);
    final SystemMode systemA = new SystemMode(regsA, mmuA, null, mmuA, mmuB);
    final SystemMode systemB = new SystemMode(regsB, mmuB, null, mmuA, mmuB);
    final Cpu a = new Cpu(mmuA, CpuModel.max(), systemA), b = new Cpu(mmuB, CpuModel.max(), systemB);

    TlbShootdownTest() {
        for (Cpu c : new Cpu[] {a, b}) {
            c.el = 1;
            c.spSel = true;
            c.daif = 0x3C0;
        }
        mmuA.attach(a, regsA);
        mmuB.attach(b, regsB);
        // 39-bit VAs: RAM identity-mapped by a 1 GB block, VA 0x8000_0000 -> one 4 KB page.
        m.ramWrite64(L1 + 8, TestMachine.RAM_BASE | 1 | 1 << 10);
        m.ramWrite64(L1 + 16, L2 | 3);
        m.ramWrite64(L2, L3 | 3);
        m.ramWrite64(L3, PAGE_A | 3 | 1 << 10);
        m.ramWrite64(PAGE_A, 0xAAAA);
        m.ramWrite64(PAGE_B, 0xBBBB);
        for (SysRegFile r : new SysRegFile[] {regsA, regsB}) {
            r.mair = 0xFF;
            r.tcr = 25 | 2L << 30 | 5L << 32;
            r.ttbr0 = L1;
            r.sctlr |= SysRegFile.SCTLR_M;
        }
        mmuA.registersChanged();
        mmuB.registersChanged();
        m.ramWrite32(CODE, 0xF9400041);     // ldr x1, [x2]
        m.ramWrite32(CODE + 4, 0x17FFFFFF); // b .-4
        b.x[2] = VA;
        b.pc = CODE;
    }

    @Test
    void broadcastWaitsForARunningVcpuToFlush() throws Exception {
        VcpuRunner runner = new VcpuRunner(b, systemB, new Interpreter(b, null)::run);
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                runner.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (b.x[1] != 0xAAAA && System.nanoTime() < deadline) Thread.onSpinWait();
            assertEquals(0xAAAA, b.x[1]);
            m.ramWrite64(L3, PAGE_B | 3 | 1 << 10);
            long before = mmuB.remoteServiced;
            systemA.systemInstruction(a, TLBI_VMALLE1IS, 0);
            assertTrue(mmuB.remoteServiced > before, "the other vCPU flushed before the TLBI completed");
            while (b.x[1] != 0xBBBB && System.nanoTime() < deadline) Thread.onSpinWait();
            assertEquals(0xBBBB, b.x[1]);
        } finally {
            runner.stop();
            thread.join();
        }
    }

    @Test
    void aVcpuThatIsNotRunningFlushesBeforeItRunsAgain() {
        VcpuRunner runner = new VcpuRunner(b, systemB, new Interpreter(b, null)::run);
        runner.runFor(100);
        assertEquals(0xAAAA, b.x[1]);
        m.ramWrite64(L3, PAGE_B | 3 | 1 << 10);
        systemA.systemInstruction(a, TLBI_VMALLE1IS, 0); // returns at once: B is not running
        runner.runFor(100);
        assertEquals(0xBBBB, b.x[1]);
    }
}
