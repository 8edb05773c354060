package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.A64Harness;
import dev.jvisor.arch.a64.A64Harness.Engine;
import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.arch.a64.SysReg;
import dev.jvisor.arch.a64.SystemHooks;
import dev.jvisor.memory.MemoryFault;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hints, barriers, exception generation, system registers and cache maintenance. */
class SystemInsnsTest {
    /**
     * The harness's hooks plus a record of the calls only system instructions make; readSysReg answers the encoding
     * plus 0x1000 so a test can see which register was asked for.
     */
    private static A64Harness recording() {
        A64Harness h = new A64Harness();
        SystemHooks base = h.cpu.hooks;
        h.cpu.hooks = new SystemHooks() {
            @Override public long svc(Cpu c, int imm, long pc) { return base.svc(c, imm, pc); }
            @Override public long brk(Cpu c, int imm, long pc) { return base.brk(c, imm, pc); }
            @Override public long undefined(Cpu c, int insn, long pc) { return base.undefined(c, insn, pc); }
            @Override public long memoryFault(Cpu c, MemoryFault f, long pc) { return base.memoryFault(c, f, pc); }
            @Override public long hvc(Cpu c, int imm, long pc) { h.events.add("hvc " + imm); return pc + 4; }
            @Override public long readSysReg(Cpu c, int encoding) {
                h.events.add(String.format("read %04x", encoding));
                return encoding + 0x1000;
            }
            @Override public void writeSysReg(Cpu c, int encoding, long value) {
                h.events.add(String.format("write %04x %x", encoding, value));
            }
            @Override public long waitForInterrupt(Cpu c, long pc) { h.events.add("wait"); return pc + 4; }
            @Override public void instructionCacheInvalidate(Cpu c, long va, boolean all) {
                h.events.add(all ? "ic all" : "ic 0x" + Long.toHexString(va));
            }
        };
        return h;
    }

    private static void assertUndefined(A64Harness h, int insn) {
        assertEquals(List.of(String.format("undefined %08x", insn)), h.events);
        assertEquals(A64Harness.CODE, h.cpu.pc);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void hintsWithoutAnImplementedMeaningAreNops(Engine e) {
        A64Harness h = recording().x(30, 0x1234);
        h.cpu.nzcv = 0x6000_0000;
        h.run(e, 0xd503201f /* nop */, 0xd503203f /* yield */, 0xd503209f /* sev */, 0xd50320bf /* sevl */,
            0xd503233f /* paciasp */, 0xd50323bf /* autiasp */, 0xd503245f /* bti c */,
            0xd50320ff /* xpaclri */, 0xd503229f /* csdb */, 0xd5032fff /* hint #0x7f */, 0xd5033fdf /* isb */);
        assertEquals(List.of(), h.events);
        assertEquals(A64Harness.CODE + 44, h.cpu.pc);
        assertEquals(0x1234, h.x(30), "PAC hints leave LR alone without FEAT_PAuth");
        assertEquals(0x6000_0000, h.cpu.nzcv);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void waitInstructionsGoThroughTheHook(Engine e) {
        A64Harness h = recording().run(e, 0xd503207f /* wfi */, 0xd503205f /* wfe */);
        assertEquals(List.of("wait", "wait"), h.events);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void clrexOpensTheMonitorAndBarriersRun(Engine e) {
        A64Harness h = recording();
        h.cpu.exclusiveSize = 8;
        h.run(e, 0xd5033bbf /* dmb ish */, 0xd5033f9f /* dsb sy */, 0xd50339bf /* dmb ishld */, 0xd503309f /* ssbb */,
            0xd5033f5f /* clrex */);
        assertEquals(0, h.cpu.exclusiveSize);
        assertEquals(List.of(), h.events);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void exceptionGeneratingInstructionsPassTheirImmediate(Engine e) {
        A64Harness h = recording().run(e, 0xd4001001 /* svc #0x80 */, 0xd41fffe2 /* hvc #0xffff */,
            0xd4207d00 /* brk #0x3e8 */);
        assertEquals(List.of("svc 128", "hvc 65535", "brk 1000"), h.events);
        int smc = 0xd4000023 /* smc #1 */;
        h = new A64Harness().run(e, smc);
        assertUndefined(h, smc);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void nzcvMovesOnlyTheFlagBits(Engine e) {
        A64Harness h = recording().x(1, -1).run(e, 0xd51b4201 /* msr nzcv, x1 */, 0xd53b4200 /* mrs x0, nzcv */);
        assertEquals(0xF000_0000, h.cpu.nzcv);
        assertEquals(0xF000_0000L, h.x(0));
        h = recording().x(1, 0x4000_0000L).run(e, 0xd51b4201 /* msr nzcv, x1 */, 0x54000040 /* b.eq .+8 */,
            0xd2800022 /* mov x2, #1 */);
        assertEquals(0, h.x(2), "flags written by MSR steer the branch");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void fpControlKeepsOnlyImplementedBits(Engine e) {
        A64Harness h = recording().x(1, -1).run(e, 0xd51b4401 /* msr fpcr, x1 */, 0xd51b4421 /* msr fpsr, x1 */,
            0xd53b4402 /* mrs x2, fpcr */,
            0xd53b4423 /* mrs x3, fpsr */);
        assertEquals(0x07C0_0000L, h.x(2));
        assertEquals(0x0800_009FL, h.x(3));
        h = recording().x(1, 0x0040_0000L).run(e, 0xd51b4401 /* msr fpcr, x1 */, 0xd53b4402 /* mrs x2, fpcr */);
        assertEquals(0x0040_0000L, h.x(2), "RMode round-trips");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void threadPointers(Engine e) {
        A64Harness h = recording().x(1, 0xDEAD_BEEF_0000_1000L);
        h.cpu.tpidrroEl0 = 77;
        h.run(e, 0xd51bd041 /* msr tpidr_el0, x1 */, 0xd53bd042 /* mrs x2, tpidr_el0 */,
            0xd53bd063 /* mrs x3, tpidrro_el0 */);
        assertEquals(0xDEAD_BEEF_0000_1000L, h.cpu.tpidrEl0);
        assertEquals(0xDEAD_BEEF_0000_1000L, h.x(2));
        assertEquals(77, h.x(3));
        int write = 0xd51bd061 /* msr tpidrro_el0, x1 */;
        h = recording().run(e, write);
        assertUndefined(h, write);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void identificationOfCachesAndCounter(Engine e) {
        A64Harness h = recording().run(e, 0xd53b0020 /* mrs x0, ctr_el0 */, 0xd53b00e1 /* mrs x1, dczid_el0 */,
            0xd53be002 /* mrs x2, cntfrq_el0 */);
        assertEquals(0x8444_C004L, h.x(0));
        assertEquals(4, h.x(1));
        assertEquals(62_500_000, h.x(2));
        for (int insn : new int[] {0xd51b0020 /* msr ctr_el0, x0 */, 0xd51b00e0 /* msr dczid_el0, x0 */,
            0xd51be000 /* msr cntfrq_el0, x0 */}) {
            h = recording().run(e, insn);
            assertUndefined(h, insn);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void virtualCounterTicksAt62500kHz(Engine e) throws InterruptedException {
        A64Harness h = recording();
        long before = System.nanoTime();
        h.run(e, 0xd53be040 /* mrs x0, cntvct_el0 */);
        Thread.sleep(20);
        h.run(e, 0xd53be041 /* mrs x1, cntvct_el0 */, 0xd53be0c2 /* mrs x2, s3_3_c14_c0_6 */,
            0xd53be023 /* mrs x3, cntpct_el0 */, 0xd53be0a4 /* mrs x4, s3_3_c14_c0_5 */);
        long elapsed = System.nanoTime() - before;
        long ticks = h.x(1) - h.x(0);
        assertTrue(ticks >= 20_000_000 / 16, "at least 20 ms of ticks: " + ticks);
        assertTrue(ticks <= elapsed / 16 + 1, "no more ticks than time passed: " + ticks);
        assertTrue(h.x(2) >= h.x(1), "CNTVCTSS_EL0 reads the same counter");
        assertTrue(h.x(3) >= h.x(2) && h.x(3) - h.x(1) < 62_500_000, "CNTPCT_EL0 too, with no offset");
        assertTrue(h.x(4) >= h.x(3), "and CNTPCTSS_EL0");
        assertEquals(List.of(), h.events);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void otherRegistersGoToTheHooksWithTheirEncoding(Engine e) {
        A64Harness h = recording().x(5, 0x55).run(e, 0xd5380000 /* mrs x0, midr_el1 */,
            0xd5380601 /* mrs x1, id_aa64isar0_el1 */,
            0xd53bf222 /* mrs x2, s3_3_c15_c2_1 */, 0xd53b4223 /* mrs x3, daif */,
            0xd518d085 /* msr s3_0_c13_c0_4, x5 */,
            0xd51b4225 /* msr daif, x5 */);
        assertEquals(List.of("read c000", "read c030", "read df91", "read da11", "write c684 55", "write da11 55"),
            h.events);
        assertEquals(SysReg.MIDR_EL1 + 0x1000, h.x(0));
        assertEquals(SysReg.ID_AA64ISAR0_EL1 + 0x1000, h.x(1));
        assertEquals(SysReg.TPIDR_EL1, 0xC684);
        int midr = 0xd5380000 /* mrs x0, midr_el1 */;
        A64Harness plain = new A64Harness().run(e, midr);
        assertUndefined(plain, midr);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void msrImmediateIsUndefinedAtEl0(Engine e) {
        for (int insn : new int[] {0xd50342df /* msr daifset, #2 */, 0xd5034fff /* msr daifclr, #15 */,
            0xd50041bf /* msr spsel, #1 */,
                0xd500419f /* msr pan, #1 */}) {
            assertUndefined(recording().run(e, insn), insn);
        }
    }

    // ---- cache maintenance ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void dcZvaZeroesTheAlignedBlock(Engine e) {
        A64Harness h = recording().x(0, A64Harness.DATA + 0x48);
        for (int i = 0; i < 0x100; i += 8) h.write64(A64Harness.DATA + i, -1);
        h.run(e, 0xd50b7420 /* dc zva, x0 */);
        assertEquals(-1, h.read64(A64Harness.DATA + 0x38));
        for (int i = 0x40; i < 0x80; i += 8) assertEquals(0, h.read64(A64Harness.DATA + i), "offset " + i);
        assertEquals(-1, h.read64(A64Harness.DATA + 0x80));
        assertEquals(A64Harness.DATA + 0x48, h.x(0));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void cacheMaintenanceFaultsOnUnmappedAddresses(Engine e) {
        long unmapped = A64Harness.MEMORY_SIZE + 0x1040L;
        A64Harness h = recording().x(0, unmapped).run(e, 0xd50b7420 /* dc zva, x0 */);
        assertEquals(List.of("fault TRANSLATION 0x" + Long.toHexString(unmapped) + " WRITE"), h.events);
        assertEquals(A64Harness.CODE, h.cpu.pc);
        h = recording().x(1, unmapped + 3).run(e, 0xd50b7e21 /* dc civac, x1 */);
        assertEquals(List.of("fault TRANSLATION 0x" + Long.toHexString(unmapped + 3) + " READ"), h.events);
        h = recording().x(1, unmapped).run(e, 0xd50b7521 /* ic ivau, x1 */);
        assertEquals(List.of("fault TRANSLATION 0x" + Long.toHexString(unmapped) + " READ"), h.events);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void cleansOfMappedMemoryCompleteWithoutEffect(Engine e) {
        A64Harness h = recording().x(1, A64Harness.DATA + 5).write64(A64Harness.DATA, 0x1122)
            .run(e, 0xd50b7b21 /* dc cvau, x1 */, 0xd50b7a21 /* dc cvac, x1 */, 0xd50b7e21 /* dc civac, x1 */,
                0xd50b7c21 /* dc cvap, x1 */);
        assertEquals(List.of(), h.events);
        assertEquals(0x1122, h.read64(A64Harness.DATA));
        var noDpb = new CpuModel("v8.0", EnumSet.of(CpuModel.Feature.CRC32), 0);
        int cvap = 0xd50b7c21 /* dc cvap, x1 */;
        A64Harness old = new A64Harness(noDpb).x(1, A64Harness.DATA).run(e, cvap);
        assertUndefined(old, cvap);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void instructionCacheInvalidation(Engine e) {
        A64Harness h = recording().x(5, A64Harness.DATA + 0x44).run(e, 0xd50b7525 /* ic ivau, x5 */);
        assertEquals(List.of("ic 0x80044"), h.events);
        int iallu = 0xd508751f /* ic iallu */;
        assertUndefined(recording().run(e, iallu), iallu);
        h = recording();
        h.cpu.el = 1;
        h.run(e, iallu, 0xd508711f /* ic ialluis */);
        assertEquals(List.of("ic all", "ic all"), h.events);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void tpidrroIsWritableAtEl1(Engine e) {
        A64Harness h = recording().x(1, 99);
        h.cpu.el = 1;
        h.run(e, 0xd51bd061 /* msr tpidrro_el0, x1 */);
        assertEquals(99, h.cpu.tpidrroEl0);
    }
}
