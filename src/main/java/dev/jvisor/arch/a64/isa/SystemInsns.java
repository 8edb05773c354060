package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.arch.a64.SysReg;
import dev.jvisor.arch.a64.SystemCounter;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.InsnRow;

import java.lang.invoke.VarHandle;

/**
 * Exception generation, hints, barriers, PSTATE and system-register moves, and the cache maintenance a user process
 * may issue. Registers that only system mode or Linux's ID-register emulation can answer go to
 * {@link dev.jvisor.arch.a64.SystemHooks#readSysReg} and {@code writeSysReg}.
 */
public final class SystemInsns {
    private SystemInsns() {}


    /**
     * CTR_EL0: bit 31 RES1, CWG and ERG 2^4 words (64 bytes), DminLine and IminLine 2^4 words, L1Ip PIPT. IDC and DIC
     * stay clear so that programs that write code do issue DC CVAU and IC IVAU: a translator relies on the latter.
     */
    static final long CTR_VALUE = 0x8444_C004L;
    /** DCZID_EL0: DC ZVA permitted (DZP clear), blocks of 2^4 words = 64 bytes. */
    static final long DCZID_VALUE = 4;
    private static final int ZVA_BLOCK = 64;

    /** FPCR bits that exist without FP16, AFP or trapped exceptions: AHP, DN, FZ, RMode. Trap enables are RAZ/WI. */
    static final int FPCR_IMPLEMENTED = 0x07C0_0000;
    /** FPSR bits of an AArch64-only implementation: QC and the cumulative exception flags. */
    static final int FPSR_IMPLEMENTED = 0x0800_009F;

    public static void rows(InsnRow.Builder b) {
        b.row("SVC", "11010100 000 imm16:16 000 01", SystemInsns::svc, "svc {#x:imm16}");
        b.row("HVC", "11010100 000 imm16:16 000 10", SystemInsns::hvc, "hvc {#x:imm16}");
        b.row("SMC", "11010100 000 imm16:16 000 11", SystemInsns::smc, "smc {#x:imm16}");
        b.row("BRK", "11010100 001 imm16:16 000 00", SystemInsns::brk, "brk {#x:imm16}");

        // Every HINT without an implemented meaning (PAC and BTI hints on a CPU without FEAT_PAuth and FEAT_BTI,
        // CSDB, ESB, and unallocated ones) executes as a NOP, as the architecture reserves the space for that.
        b.row("HINT", "11010101000000110010 CRm:4 op2:3 11111", SystemInsns::nop, SystemInsns::hintText);
        b.row("YIELD", "11010101000000110010 0000 001 11111", SystemInsns::yield, "yield");
        b.row("WFE", "11010101000000110010 0000 010 11111", SystemInsns::waitForEvent, "wfe");
        b.row("WFI", "11010101000000110010 0000 011 11111", SystemInsns::waitForInterrupt, "wfi");

        b.row("CLREX", "11010101000000110011 CRm:4 010 11111", SystemInsns::clrex, SystemInsns::barrierText);
        b.row("DSB", "11010101000000110011 CRm:4 100 11111", SystemInsns::fullBarrier, SystemInsns::barrierText);
        b.row("DMB", "11010101000000110011 CRm:4 101 11111", SystemInsns::fullBarrier, SystemInsns::barrierText);
        b.row("ISB", "11010101000000110011 CRm:4 110 11111", SystemInsns::nop, SystemInsns::barrierText);

        b.row("MSR_imm", "1101010100000 op1:3 0100 CRm:4 op2:3 11111", SystemInsns::msrImmediate,
            SystemInsns::pstateText);
        b.row("MRS", "1101010100 1 1 sysreg:15 Rt:5", SystemInsns::mrs,
            (r, i, pc) -> "mrs " + DataProcessingText.reg(i & 31, true) + ", " + SysReg.name(i >>> 5 & 0xFFFF));
        b.row("MSR_reg", "1101010100 0 1 sysreg:15 Rt:5", SystemInsns::msr,
            (r, i, pc) -> "msr " + SysReg.name(i >>> 5 & 0xFFFF) + ", " + DataProcessingText.reg(i & 31, true));

        b.row("DC_ZVA", "1101010100 0 01 011 0111 0100 001 Rt:5", SystemInsns::dcZva, "dc zva, {Rt:x}");
        b.row("DC_CVAC", "1101010100 0 01 011 0111 1010 001 Rt:5", SystemInsns::dcClean, "dc cvac, {Rt:x}");
        b.row("DC_CVAU", "1101010100 0 01 011 0111 1011 001 Rt:5", SystemInsns::dcClean, "dc cvau, {Rt:x}");
        b.row("DC_CVAP", "1101010100 0 01 011 0111 1100 001 Rt:5", SystemInsns::dcCvap, "dc cvap, {Rt:x}");
        b.row("DC_CIVAC", "1101010100 0 01 011 0111 1110 001 Rt:5", SystemInsns::dcClean, "dc civac, {Rt:x}");
        b.row("IC_IVAU", "1101010100 0 01 011 0111 0101 001 Rt:5", SystemInsns::icIvau, "ic ivau, {Rt:x}");
        b.row("IC_IALLUIS", "1101010100 0 01 000 0111 0001 000 11111", SystemInsns::icInvalidateAll, "ic ialluis");
        b.row("SYS", "1101010100 0 01 op1:3 CRn:4 CRm:4 op2:3 Rt:5", SystemInsns::sys, SystemInsns::sysText);
        b.row("IC_IALLU", "1101010100 0 01 000 0111 0101 000 11111", SystemInsns::icInvalidateAll, "ic iallu");
    }

    // ---- exception generation ----

    private static int imm16(int insn) {
        return insn >>> 5 & 0xFFFF;
    }

    static long svc(Cpu c, int insn, long pc) {
        return c.hooks.svc(c, imm16(insn), pc);
    }

    static long hvc(Cpu c, int insn, long pc) {
        return c.hooks.hvc(c, imm16(insn), pc);
    }

    static long smc(Cpu c, int insn, long pc) {
        return c.hooks.smc(c, imm16(insn), pc);
    }

    static long brk(Cpu c, int insn, long pc) {
        return c.hooks.brk(c, imm16(insn), pc);
    }

    // ---- hints and barriers ----

    static long nop(Cpu c, int insn, long pc) {
        return pc + 4;
    }

    static long yield(Cpu c, int insn, long pc) {
        Thread.onSpinWait();
        return pc + 4;
    }

    /*
     * WFE and WFI both wait through the hook. No event register is modelled, which makes SEV and SEVL plain hints:
     * that is exact as long as the hook's WFE never sleeps past a SEV, since WFE may always complete early.
     */
    static long waitForInterrupt(Cpu c, int insn, long pc) {
        return c.hooks.waitForInterrupt(c, pc);
    }

    static long waitForEvent(Cpu c, int insn, long pc) {
        return c.hooks.waitForEvent(c, pc);
    }

    static long clrex(Cpu c, int insn, long pc) {
        c.exclusiveSize = 0;
        return pc + 4;
    }

    /**
     * DMB and DSB of any domain and type: a full fence orders everything the weaker kinds would. ISB needs nothing
     * in the interpreter, which has no fetched-ahead state, so it is a plain NOP row.
     */
    static long fullBarrier(Cpu c, int insn, long pc) {
        VarHandle.fullFence();
        return pc + 4;
    }

    /** The PSTATE fields belong to the system level, which decides what exists and what EL0 may touch. */
    static long msrImmediate(Cpu c, int insn, long pc) {
        c.hooks.writePstateField(c, insn >>> 16 & 7, insn >>> 5 & 7, insn >>> 8 & 15);
        return pc + 4;
    }

    /** SYS (op0 1) encodings without a row of their own: address translation, TLB and set/way maintenance. */
    static long sys(Cpu c, int insn, long pc) {
        c.hooks.systemInstruction(c, 1 << 14 | insn >>> 5 & 0x3FFF, c.x(insn & 31));
        return pc + 4;
    }

    // ---- system registers ----

    static long mrs(Cpu c, int insn, long pc) {
        int encoding = insn >>> 5 & 0xFFFF;
        long value = switch (encoding) {
            case SysReg.NZCV -> c.nzcv & 0xF000_0000L;
            case SysReg.FPCR -> c.fpcr & 0xFFFF_FFFFL;
            case SysReg.FPSR -> c.fpsr & 0xFFFF_FFFFL;
            case SysReg.TPIDR_EL0 -> c.tpidrEl0;
            case SysReg.TPIDRRO_EL0 -> c.tpidrroEl0;
            case SysReg.CNTVCT_EL0, SysReg.CNTVCTSS_EL0, SysReg.CNTPCT_EL0, SysReg.CNTPCTSS_EL0 -> SystemCounter.ticks();
            case SysReg.CNTFRQ_EL0 -> SystemCounter.FREQUENCY_HZ;
            case SysReg.CTR_EL0 -> CTR_VALUE;
            case SysReg.DCZID_EL0 -> DCZID_VALUE;
            default -> c.hooks.readSysReg(c, encoding);
        };
        c.setX(insn & 31, value);
        return pc + 4;
    }

    static long msr(Cpu c, int insn, long pc) {
        int encoding = insn >>> 5 & 0xFFFF;
        long value = c.x(insn & 31);
        switch (encoding) {
            case SysReg.NZCV -> c.nzcv = (int) value & 0xF000_0000;
            case SysReg.FPCR -> c.fpcr = (int) value & FPCR_IMPLEMENTED;
            case SysReg.FPSR -> c.fpsr = (int) value & FPSR_IMPLEMENTED;
            case SysReg.TPIDR_EL0 -> c.tpidrEl0 = value;
            case SysReg.TPIDRRO_EL0 -> {
                if (c.el == 0) throw new UndefinedInstruction("TPIDRRO_EL0 is read-only at EL0");
                c.tpidrroEl0 = value;
            }
            // Read-only everywhere, or (CNTFRQ_EL0) writable only at the highest exception level, which is not EL0.
            case SysReg.CNTVCT_EL0, SysReg.CNTVCTSS_EL0, SysReg.CNTPCT_EL0, SysReg.CNTPCTSS_EL0, SysReg.CTR_EL0,
                 SysReg.DCZID_EL0, SysReg.CNTFRQ_EL0 ->
                throw new UndefinedInstruction("MSR to a read-only register");
            default -> c.hooks.writeSysReg(c, encoding, value);
        }
        return pc + 4;
    }

    // ---- cache maintenance ----

    /** Zeroes the aligned 64-byte block; it lies within one page, so a fault comes before any byte is written. */
    static long dcZva(Cpu c, int insn, long pc) {
        long base = c.x(insn & 31) & -ZVA_BLOCK;
        for (int offset = 0; offset < ZVA_BLOCK; offset += 8) c.mem.write64(base + offset, 0);
        return pc + 4;
    }

    /**
     * DC CVAC, CVAU and CIVAC have no effect on memory this emulator can observe (it has no caches), but they still
     * fault on an unmapped address, as they do on hardware.
     */
    static long dcClean(Cpu c, int insn, long pc) {
        c.mem.probeRead(c.x(insn & 31));
        return pc + 4;
    }

    static long dcCvap(Cpu c, int insn, long pc) {
        if (!c.model.has(CpuModel.Feature.DPB)) throw new UndefinedInstruction();
        return dcClean(c, insn, pc);
    }

    static long icIvau(Cpu c, int insn, long pc) {
        long va = c.x(insn & 31);
        c.mem.probeRead(va);
        c.hooks.instructionCacheInvalidate(c, va, false);
        return pc + 4;
    }

    /** IC IALLU and IALLUIS are EL1 operations. */
    static long icInvalidateAll(Cpu c, int insn, long pc) {
        if (c.el == 0) throw new UndefinedInstruction("IC IALLU at EL0");
        c.hooks.instructionCacheInvalidate(c, 0, true);
        return pc + 4;
    }

    // ---- disassembly ----

    private static final String[] BARRIER_OPTIONS = {null, "oshld", "oshst", "osh", null, "nshld", "nshst", "nsh",
        null, "ishld", "ishst", "ish", null, "ld", "st", "sy"};

    static String hintText(InsnRow row, int insn, long pc) {
        int hint = insn >>> 5 & 0x7F;
        String name = switch (hint) {
            case 0 -> "nop";
            case 4 -> "sev";
            case 5 -> "sevl";
            case 7 -> "xpaclri";
            case 8 -> "pacia1716";
            case 10 -> "pacib1716";
            case 12 -> "autia1716";
            case 14 -> "autib1716";
            case 16 -> "esb";
            case 17 -> "psb csync";
            case 18 -> "tsb csync";
            case 20 -> "csdb";
            case 22 -> "clearbhb";
            case 24 -> "paciaz";
            case 25 -> "paciasp";
            case 26 -> "pacibz";
            case 27 -> "pacibsp";
            case 28 -> "autiaz";
            case 29 -> "autiasp";
            case 30 -> "autibz";
            case 31 -> "autibsp";
            case 32 -> "bti";
            case 34 -> "bti c";
            case 36 -> "bti j";
            case 38 -> "bti jc";
            default -> null;
        };
        return name != null ? name : "hint #0x" + Integer.toHexString(hint);
    }

    static String barrierText(InsnRow row, int insn, long pc) {
        int crm = insn >>> 8 & 15;
        return switch (row.name) {
            case "DSB" -> crm == 0 ? "ssbb" : crm == 4 ? "pssbb" : "dsb " + barrierOption(crm);
            case "DMB" -> "dmb " + barrierOption(crm);
            case "ISB" -> crm == 15 ? "isb" : "isb #0x" + Integer.toHexString(crm);
            default -> crm == 15 ? "clrex" : "clrex #0x" + Integer.toHexString(crm);
        };
    }

    private static String barrierOption(int crm) {
        String name = BARRIER_OPTIONS[crm];
        return name != null ? name : String.format("#0x%02x", crm);
    }

    /** The alias objdump prints for the EL1 maintenance operations system mode implements, else the SYS form. */
    static String sysText(InsnRow row, int insn, long pc) {
        int op1 = insn >>> 16 & 7, crn = insn >>> 12 & 15, crm = insn >>> 8 & 15, op2 = insn >>> 5 & 7, rt = insn & 31;
        String alias = null;
        if (op1 == 0 && crn == 8 && (crm == 3 || crm == 7)) {
            String[] tlbi = {"vmalle1", "vae1", "aside1", "vaae1", null, "vale1", null, "vaale1"};
            if (tlbi[op2] != null) alias = "tlbi " + tlbi[op2] + (crm == 3 ? "is" : "");
        } else if (op1 == 0 && crn == 7 && crm == 8 && op2 <= 3) {
            alias = "at " + new String[] {"s1e1r", "s1e1w", "s1e0r", "s1e0w"}[op2];
        } else if (op1 == 0 && crn == 7 && crm == 6 && op2 == 1) {
            alias = "dc ivac";
        } else if (op1 == 0 && crn == 7 && op2 == 2 && (crm == 6 || crm == 10 || crm == 14)) {
            alias = "dc " + (crm == 6 ? "isw" : crm == 10 ? "csw" : "cisw");
        }
        if (alias == null) {
            return "sys #" + op1 + ", C" + crn + ", C" + crm + ", #" + op2
                + (rt == 31 ? "" : ", " + DataProcessingText.reg(rt, true));
        }
        if (alias.startsWith("tlbi vmalle1")) return rt == 31 ? alias : alias + ", " + DataProcessingText.reg(rt, true);
        return alias + ", " + DataProcessingText.reg(rt, true);
    }

    static String pstateText(InsnRow row, int insn, long pc) {
        int op1 = insn >>> 16 & 7, crm = insn >>> 8 & 15, op2 = insn >>> 5 & 7;
        if (op1 == 0 && crm == 0 && op2 <= 2) return op2 == 0 ? "cfinv" : op2 == 1 ? "xaflag" : "axflag";
        String field = switch (op1 << 3 | op2) {
            case 0 << 3 | 3 -> "uao";
            case 0 << 3 | 4 -> "pan";
            case 0 << 3 | 5 -> "spsel";
            case 3 << 3 | 1 -> "ssbs";
            case 3 << 3 | 2 -> "dit";
            case 3 << 3 | 4 -> "tco";
            case 3 << 3 | 6 -> "daifset";
            case 3 << 3 | 7 -> "daifclr";
            default -> null;
        };
        boolean singleBit = field != null && !field.startsWith("daif");
        if (field == null || singleBit && crm > 1) return "msr s0_" + op1 + "_c4_c" + crm + "_" + op2 + ", xzr";
        return "msr " + field + ", #0x" + Integer.toHexString(crm);
    }
}
