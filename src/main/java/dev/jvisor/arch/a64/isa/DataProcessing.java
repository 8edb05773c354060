package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.CpuModel;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.InsnRow;

/**
 * The base integer data-processing instructions, 32- and 64-bit: the "data processing - immediate" and "data
 * processing - register" groups of the A64 encoding index.
 *
 * <p>Bit 31 is sf in every row here but ADR/ADRP, so {@code insn < 0} means the 64-bit form. A 32-bit form computes on
 * the low halves and writes its result zero-extended; where 64-bit arithmetic gives the same low 32 bits, it is used
 * and the write truncates.
 */
public final class DataProcessing {
    private DataProcessing() {}

    private static final long LOW32 = 0xFFFF_FFFFL;

    public static void rows(InsnRow.Builder b) {
        b.row("ADR", "0 immlo:2 10000 immhi:19 Rd:5", DataProcessing::adr, DataProcessingText::adr);
        b.row("ADRP", "1 immlo:2 10000 immhi:19 Rd:5", DataProcessing::adrp, DataProcessingText::adr);

        b.row("ADD_imm", "sf:1 0 0 100010 sh:1 imm12:12 Rn:5 Rd:5", DataProcessing::addImm,
            DataProcessingText::addSubImm);
        b.row("ADDS_imm", "sf:1 0 1 100010 sh:1 imm12:12 Rn:5 Rd:5", DataProcessing::addsImm,
            DataProcessingText::addSubImm);
        b.row("SUB_imm", "sf:1 1 0 100010 sh:1 imm12:12 Rn:5 Rd:5", DataProcessing::subImm,
            DataProcessingText::addSubImm);
        b.row("SUBS_imm", "sf:1 1 1 100010 sh:1 imm12:12 Rn:5 Rd:5", DataProcessing::subsImm,
            DataProcessingText::addSubImm);

        b.row("AND_imm", "sf:1 00 100100 N:1 immr:6 imms:6 Rn:5 Rd:5", DataProcessing::andImm,
            DataProcessingText::logicalImm);
        b.row("ORR_imm", "sf:1 01 100100 N:1 immr:6 imms:6 Rn:5 Rd:5", DataProcessing::orrImm,
            DataProcessingText::logicalImm);
        b.row("EOR_imm", "sf:1 10 100100 N:1 immr:6 imms:6 Rn:5 Rd:5", DataProcessing::eorImm,
            DataProcessingText::logicalImm);
        b.row("ANDS_imm", "sf:1 11 100100 N:1 immr:6 imms:6 Rn:5 Rd:5", DataProcessing::andsImm,
            DataProcessingText::logicalImm);

        b.row("MOVN", "sf:1 00 100101 hw:2 imm16:16 Rd:5", DataProcessing::movn, DataProcessingText::moveWide);
        b.row("MOVZ", "sf:1 10 100101 hw:2 imm16:16 Rd:5", DataProcessing::movz, DataProcessingText::moveWide);
        b.row("MOVK", "sf:1 11 100101 hw:2 imm16:16 Rd:5", DataProcessing::movk, DataProcessingText::moveWide);

        b.row("SBFM", "sf:1 00 100110 N:1 immr:6 imms:6 Rn:5 Rd:5", DataProcessing::sbfm, DataProcessingText::bitfield);
        b.row("BFM", "sf:1 01 100110 N:1 immr:6 imms:6 Rn:5 Rd:5", DataProcessing::bfm, DataProcessingText::bitfield);
        b.row("UBFM", "sf:1 10 100110 N:1 immr:6 imms:6 Rn:5 Rd:5", DataProcessing::ubfm, DataProcessingText::bitfield);
        b.row("EXTR", "sf:1 00 100111 N:1 0 Rm:5 imms:6 Rn:5 Rd:5", DataProcessing::extr, DataProcessingText::extr);

        b.row("AND_reg", "sf:1 00 01010 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5", DataProcessing::andReg,
            DataProcessingText::logicalReg);
        b.row("BIC_reg", "sf:1 00 01010 shift:2 1 Rm:5 imm6:6 Rn:5 Rd:5", DataProcessing::bicReg,
            DataProcessingText::logicalReg);
        b.row("ORR_reg", "sf:1 01 01010 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5", DataProcessing::orrReg,
            DataProcessingText::logicalReg);
        b.row("ORN_reg", "sf:1 01 01010 shift:2 1 Rm:5 imm6:6 Rn:5 Rd:5", DataProcessing::ornReg,
            DataProcessingText::logicalReg);
        b.row("EOR_reg", "sf:1 10 01010 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5", DataProcessing::eorReg,
            DataProcessingText::logicalReg);
        b.row("EON_reg", "sf:1 10 01010 shift:2 1 Rm:5 imm6:6 Rn:5 Rd:5", DataProcessing::eonReg,
            DataProcessingText::logicalReg);
        b.row("ANDS_reg", "sf:1 11 01010 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5", DataProcessing::andsReg,
            DataProcessingText::logicalReg);
        b.row("BICS_reg", "sf:1 11 01010 shift:2 1 Rm:5 imm6:6 Rn:5 Rd:5", DataProcessing::bicsReg,
            DataProcessingText::logicalReg);

        b.row("ADD_reg", "sf:1 0 0 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5", DataProcessing::addReg,
            DataProcessingText::addSubReg);
        b.row("ADDS_reg", "sf:1 0 1 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5", DataProcessing::addsReg,
            DataProcessingText::addSubReg);
        b.row("SUB_reg", "sf:1 1 0 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5", DataProcessing::subReg,
            DataProcessingText::addSubReg);
        b.row("SUBS_reg", "sf:1 1 1 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5", DataProcessing::subsReg,
            DataProcessingText::addSubReg);

        b.row("ADD_ext", "sf:1 0 0 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5", DataProcessing::addExt,
            DataProcessingText::addSubExt);
        b.row("ADDS_ext", "sf:1 0 1 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5", DataProcessing::addsExt,
            DataProcessingText::addSubExt);
        b.row("SUB_ext", "sf:1 1 0 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5", DataProcessing::subExt,
            DataProcessingText::addSubExt);
        b.row("SUBS_ext", "sf:1 1 1 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5", DataProcessing::subsExt,
            DataProcessingText::addSubExt);

        b.row("ADC", "sf:1 0 0 11010000 Rm:5 000000 Rn:5 Rd:5", DataProcessing::adc, "adc {Rd}, {Rn}, {Rm}");
        b.row("ADCS", "sf:1 0 1 11010000 Rm:5 000000 Rn:5 Rd:5", DataProcessing::adcs, "adcs {Rd}, {Rn}, {Rm}");
        b.row("SBC", "sf:1 1 0 11010000 Rm:5 000000 Rn:5 Rd:5", DataProcessing::sbc, DataProcessingText::sbc);
        b.row("SBCS", "sf:1 1 1 11010000 Rm:5 000000 Rn:5 Rd:5", DataProcessing::sbcs, DataProcessingText::sbc);

        b.row("CCMN_reg", "sf:1 0 1 11010010 Rm:5 cond:4 0 0 Rn:5 0 nzcv:4", DataProcessing::ccmnReg,
            "ccmn {Rn}, {Rm}, {#x:nzcv}, {cond:cond}");
        b.row("CCMP_reg", "sf:1 1 1 11010010 Rm:5 cond:4 0 0 Rn:5 0 nzcv:4", DataProcessing::ccmpReg,
            "ccmp {Rn}, {Rm}, {#x:nzcv}, {cond:cond}");
        b.row("CCMN_imm", "sf:1 0 1 11010010 imm5:5 cond:4 1 0 Rn:5 0 nzcv:4", DataProcessing::ccmnImm,
            "ccmn {Rn}, {#x:imm5}, {#x:nzcv}, {cond:cond}");
        b.row("CCMP_imm", "sf:1 1 1 11010010 imm5:5 cond:4 1 0 Rn:5 0 nzcv:4", DataProcessing::ccmpImm,
            "ccmp {Rn}, {#x:imm5}, {#x:nzcv}, {cond:cond}");

        b.row("CSEL", "sf:1 0 0 11010100 Rm:5 cond:4 0 0 Rn:5 Rd:5", DataProcessing::csel,
            DataProcessingText::condSelect);
        b.row("CSINC", "sf:1 0 0 11010100 Rm:5 cond:4 0 1 Rn:5 Rd:5", DataProcessing::csinc,
            DataProcessingText::condSelect);
        b.row("CSINV", "sf:1 1 0 11010100 Rm:5 cond:4 0 0 Rn:5 Rd:5", DataProcessing::csinv,
            DataProcessingText::condSelect);
        b.row("CSNEG", "sf:1 1 0 11010100 Rm:5 cond:4 0 1 Rn:5 Rd:5", DataProcessing::csneg,
            DataProcessingText::condSelect);

        b.row("MADD", "sf:1 00 11011 000 Rm:5 0 Ra:5 Rn:5 Rd:5", DataProcessing::madd, DataProcessingText::multiply);
        b.row("MSUB", "sf:1 00 11011 000 Rm:5 1 Ra:5 Rn:5 Rd:5", DataProcessing::msub, DataProcessingText::multiply);
        b.row("SMADDL", "1 00 11011 001 Rm:5 0 Ra:5 Rn:5 Rd:5", DataProcessing::smaddl, DataProcessingText::multiply);
        b.row("SMSUBL", "1 00 11011 001 Rm:5 1 Ra:5 Rn:5 Rd:5", DataProcessing::smsubl, DataProcessingText::multiply);
        b.row("UMADDL", "1 00 11011 101 Rm:5 0 Ra:5 Rn:5 Rd:5", DataProcessing::umaddl, DataProcessingText::multiply);
        b.row("UMSUBL", "1 00 11011 101 Rm:5 1 Ra:5 Rn:5 Rd:5", DataProcessing::umsubl, DataProcessingText::multiply);
        // Ra "should be 11111" in SMULH/UMULH; other values are CONSTRAINED UNPREDICTABLE, and ignoring Ra is allowed.
        b.row("SMULH", "1 00 11011 010 Rm:5 0 ----- Rn:5 Rd:5", DataProcessing::smulh, "smulh {Rd:x}, {Rn:x}, {Rm:x}");
        b.row("UMULH", "1 00 11011 110 Rm:5 0 ----- Rn:5 Rd:5", DataProcessing::umulh, "umulh {Rd:x}, {Rn:x}, {Rm:x}");

        b.row("UDIV", "sf:1 0 0 11010110 Rm:5 000010 Rn:5 Rd:5", DataProcessing::udiv, "udiv {Rd}, {Rn}, {Rm}");
        b.row("SDIV", "sf:1 0 0 11010110 Rm:5 000011 Rn:5 Rd:5", DataProcessing::sdiv, "sdiv {Rd}, {Rn}, {Rm}");
        b.row("LSLV", "sf:1 0 0 11010110 Rm:5 001000 Rn:5 Rd:5", DataProcessing::lslv, "lsl {Rd}, {Rn}, {Rm}");
        b.row("LSRV", "sf:1 0 0 11010110 Rm:5 001001 Rn:5 Rd:5", DataProcessing::lsrv, "lsr {Rd}, {Rn}, {Rm}");
        b.row("ASRV", "sf:1 0 0 11010110 Rm:5 001010 Rn:5 Rd:5", DataProcessing::asrv, "asr {Rd}, {Rn}, {Rm}");
        b.row("RORV", "sf:1 0 0 11010110 Rm:5 001011 Rn:5 Rd:5", DataProcessing::rorv, "ror {Rd}, {Rn}, {Rm}");
        b.row("CRC32B", "0 0 0 11010110 Rm:5 010000 Rn:5 Rd:5", DataProcessing::crc32, "crc32b {Rd:w}, {Rn:w}, {Rm:w}");
        b.row("CRC32H", "0 0 0 11010110 Rm:5 010001 Rn:5 Rd:5", DataProcessing::crc32, "crc32h {Rd:w}, {Rn:w}, {Rm:w}");
        b.row("CRC32W", "0 0 0 11010110 Rm:5 010010 Rn:5 Rd:5", DataProcessing::crc32, "crc32w {Rd:w}, {Rn:w}, {Rm:w}");
        b.row("CRC32X", "1 0 0 11010110 Rm:5 010011 Rn:5 Rd:5", DataProcessing::crc32, "crc32x {Rd:w}, {Rn:w}, {Rm:x}");
        b.row("CRC32CB", "0 0 0 11010110 Rm:5 010100 Rn:5 Rd:5", DataProcessing::crc32,
            "crc32cb {Rd:w}, {Rn:w}, {Rm:w}");
        b.row("CRC32CH", "0 0 0 11010110 Rm:5 010101 Rn:5 Rd:5", DataProcessing::crc32,
            "crc32ch {Rd:w}, {Rn:w}, {Rm:w}");
        b.row("CRC32CW", "0 0 0 11010110 Rm:5 010110 Rn:5 Rd:5", DataProcessing::crc32,
            "crc32cw {Rd:w}, {Rn:w}, {Rm:w}");
        b.row("CRC32CX", "1 0 0 11010110 Rm:5 010111 Rn:5 Rd:5", DataProcessing::crc32,
            "crc32cx {Rd:w}, {Rn:w}, {Rm:x}");

        b.row("RBIT", "sf:1 1 0 11010110 00000 000000 Rn:5 Rd:5", DataProcessing::rbit, "rbit {Rd}, {Rn}");
        b.row("REV16", "sf:1 1 0 11010110 00000 000001 Rn:5 Rd:5", DataProcessing::rev16, "rev16 {Rd}, {Rn}");
        b.row("REV32", "1 1 0 11010110 00000 000010 Rn:5 Rd:5", DataProcessing::rev32, "rev32 {Rd:x}, {Rn:x}");
        b.row("REV_w", "0 1 0 11010110 00000 000010 Rn:5 Rd:5", DataProcessing::revW, "rev {Rd:w}, {Rn:w}");
        b.row("REV_x", "1 1 0 11010110 00000 000011 Rn:5 Rd:5", DataProcessing::revX, "rev {Rd:x}, {Rn:x}");
        b.row("CLZ", "sf:1 1 0 11010110 00000 000100 Rn:5 Rd:5", DataProcessing::clz, "clz {Rd}, {Rn}");
        b.row("CLS", "sf:1 1 0 11010110 00000 000101 Rn:5 Rd:5", DataProcessing::cls, "cls {Rd}, {Rn}");
    }

    // ---- helpers ----

    /** Writes Rd|ZR with the 64-bit value or, for sf = 0, its low half zero-extended. */
    private static void setRd(Cpu c, int insn, long value) {
        if (insn < 0) c.setX(insn & 31, value);
        else c.setW(insn & 31, (int) value);
    }

    /** Writes Rd|SP, truncating for sf = 0. */
    private static void setRdOrSp(Cpu c, int insn, long value) {
        c.setXsp(insn & 31, insn < 0 ? value : value & LOW32);
    }

    private static long rn(Cpu c, int insn) {
        return c.x(insn >>> 5 & 31);
    }

    private static long rnOrSp(Cpu c, int insn) {
        return c.xsp(insn >>> 5 & 31);
    }

    private static long rm(Cpu c, int insn) {
        return c.x(insn >>> 16 & 31);
    }

    /** NZCV of {@code a + b + carry} at the operation's width. */
    private static int addFlags(int insn, long a, long b, int carry) {
        if (insn < 0) return Alu.addFlags64(a, b, a + b + carry);
        return Alu.addFlags32((int) a, (int) b, (int) a + (int) b + carry);
    }

    /** ADDS/SUBS/ADCS/SBCS: Rd|ZR = a + b + carry with flags; subtraction passes {@code ~b}. */
    private static void addWithFlags(Cpu c, int insn, long a, long b, int carry) {
        c.nzcv = addFlags(insn, a, b, carry);
        setRd(c, insn, a + b + carry);
    }

    private static int logicFlags(int insn, long r) {
        return insn < 0 ? Alu.logicFlags64(r) : Alu.logicFlags32((int) r);
    }

    // ---- PC-relative addressing ----

    private static long adrOffset(int insn) {
        return (long) ((insn << 8 >> 13) << 2 | (insn >>> 29 & 3));
    }

    static long adr(Cpu c, int insn, long pc) {
        c.setX(insn & 31, pc + adrOffset(insn));
        return pc + 4;
    }

    static long adrp(Cpu c, int insn, long pc) {
        c.setX(insn & 31, (pc & ~0xFFFL) + (adrOffset(insn) << 12));
        return pc + 4;
    }

    // ---- add/subtract immediate ----

    private static long addSubImmediate(int insn) {
        return (long) (insn >>> 10 & 0xFFF) << ((insn >>> 22 & 1) * 12);
    }

    static long addImm(Cpu c, int insn, long pc) {
        setRdOrSp(c, insn, rnOrSp(c, insn) + addSubImmediate(insn));
        return pc + 4;
    }

    static long subImm(Cpu c, int insn, long pc) {
        setRdOrSp(c, insn, rnOrSp(c, insn) - addSubImmediate(insn));
        return pc + 4;
    }

    static long addsImm(Cpu c, int insn, long pc) {
        addWithFlags(c, insn, rnOrSp(c, insn), addSubImmediate(insn), 0);
        return pc + 4;
    }

    static long subsImm(Cpu c, int insn, long pc) {
        addWithFlags(c, insn, rnOrSp(c, insn), ~addSubImmediate(insn), 1);
        return pc + 4;
    }

    // ---- logical immediate ----

    private static long logicalImmediate(int insn) {
        int n = insn >>> 22 & 1;
        if (insn >= 0 && n != 0) throw new UndefinedInstruction();
        return Alu.bitmaskImmediate(n, insn >>> 16 & 63, insn >>> 10 & 63);
    }

    static long andImm(Cpu c, int insn, long pc) {
        setRdOrSp(c, insn, rn(c, insn) & logicalImmediate(insn));
        return pc + 4;
    }

    static long orrImm(Cpu c, int insn, long pc) {
        setRdOrSp(c, insn, rn(c, insn) | logicalImmediate(insn));
        return pc + 4;
    }

    static long eorImm(Cpu c, int insn, long pc) {
        setRdOrSp(c, insn, rn(c, insn) ^ logicalImmediate(insn));
        return pc + 4;
    }

    static long andsImm(Cpu c, int insn, long pc) {
        long r = rn(c, insn) & logicalImmediate(insn);
        c.nzcv = logicFlags(insn, r);
        setRd(c, insn, r);
        return pc + 4;
    }

    // ---- move wide ----

    /** hw 2 and 3 do not exist for 32-bit registers. */
    static boolean moveWideAllocated(int insn) {
        return insn < 0 || (insn & 0x0040_0000) == 0;
    }

    private static int moveWideShift(int insn) {
        if (!moveWideAllocated(insn)) throw new UndefinedInstruction();
        return (insn >>> 21 & 3) * 16;
    }

    static long movz(Cpu c, int insn, long pc) {
        setRd(c, insn, (long) (insn >>> 5 & 0xFFFF) << moveWideShift(insn));
        return pc + 4;
    }

    static long movn(Cpu c, int insn, long pc) {
        setRd(c, insn, ~((long) (insn >>> 5 & 0xFFFF) << moveWideShift(insn)));
        return pc + 4;
    }

    static long movk(Cpu c, int insn, long pc) {
        int shift = moveWideShift(insn);
        long old = c.x(insn & 31);
        setRd(c, insn, old & ~(0xFFFFL << shift) | (long) (insn >>> 5 & 0xFFFF) << shift);
        return pc + 4;
    }

    // ---- bitfield and extract ----

    /** N must equal sf, and a 32-bit form's immr and imms must be below 32. */
    static boolean bitfieldAllocated(int insn) {
        int n = insn >>> 22 & 1;
        return insn < 0 ? n == 1 : n == 0 && (insn & 0x8000) == 0 && (insn & 0x20_0000) == 0;
    }

    private static void checkBitfield(int insn) {
        if (!bitfieldAllocated(insn)) throw new UndefinedInstruction();
    }

    private static int datasize(int insn) {
        return insn < 0 ? 64 : 32;
    }

    /*
     * The bitfield moves read as: when imms >= immr, bits imms..immr of Rn go to the bottom of Rd (the "extract"
     * forms: ASR, SBFX, UBFX, LSR, BFXIL, SXT*, UXT*); otherwise bits imms..0 of Rn go to bit datasize-immr of Rd (the
     * "insert" forms: LSL, SBFIZ, UBFIZ, BFI). Shifting the field's top bit up to bit 63 first makes the sign or zero
     * extension fall out of the right shift.
     */

    static long sbfm(Cpu c, int insn, long pc) {
        checkBitfield(insn);
        int r = insn >>> 16 & 63, s = insn >>> 10 & 63;
        long top = rn(c, insn) << (63 - s);
        setRd(c, insn, s >= r ? top >> (63 - s + r) : top >> (63 - s) << (datasize(insn) - r));
        return pc + 4;
    }

    static long ubfm(Cpu c, int insn, long pc) {
        checkBitfield(insn);
        int r = insn >>> 16 & 63, s = insn >>> 10 & 63;
        long top = rn(c, insn) << (63 - s);
        setRd(c, insn, s >= r ? top >>> (63 - s + r) : top >>> (63 - s) << (datasize(insn) - r));
        return pc + 4;
    }

    static long bfm(Cpu c, int insn, long pc) {
        checkBitfield(insn);
        int r = insn >>> 16 & 63, s = insn >>> 10 & 63;
        long src = rn(c, insn);
        int width, position;
        if (s >= r) {
            width = s - r + 1;
            src >>>= r;
            position = 0;
        } else {
            width = s + 1;
            position = datasize(insn) - r;
        }
        long mask = (-1L >>> (64 - width)) << position;
        setRd(c, insn, c.x(insn & 31) & ~mask | (src << position) & mask);
        return pc + 4;
    }

    /** N must equal sf, and a 32-bit form's lsb must be below 32. */
    static boolean extractAllocated(int insn) {
        return (insn >>> 22 & 1) == (insn >>> 31) && (insn < 0 || (insn & 0x8000) == 0);
    }

    static long extr(Cpu c, int insn, long pc) {
        if (!extractAllocated(insn)) throw new UndefinedInstruction();
        int lsb = insn >>> 10 & 63;
        long hi = rn(c, insn), lo = rm(c, insn);
        if (insn < 0) {
            c.setX(insn & 31, lsb == 0 ? lo : lo >>> lsb | hi << (64 - lsb));
        } else {
            c.setW(insn & 31, (int) ((hi << 32 | lo & LOW32) >>> lsb));
        }
        return pc + 4;
    }

    // ---- shifted and extended register operands ----

    /** A 32-bit form's shift amount must be below 32, and add/subtract have no ROR. */
    static boolean shiftedRegisterAllocated(int insn, boolean arithmetic) {
        return (insn < 0 || (insn & 0x8000) == 0) && !(arithmetic && (insn >>> 22 & 3) == 3);
    }

    /** Rm shifted by imm6. */
    private static long shiftedRm(Cpu c, int insn) {
        if (!shiftedRegisterAllocated(insn, false)) throw new UndefinedInstruction();
        int type = insn >>> 22 & 3, amount = insn >>> 10 & 63;
        long m = rm(c, insn);
        return insn < 0 ? Alu.shift64(m, type, amount) : Alu.shift32((int) m, type, amount);
    }

    private static long arithShiftedRm(Cpu c, int insn) {
        if (!shiftedRegisterAllocated(insn, true)) throw new UndefinedInstruction();
        return shiftedRm(c, insn);
    }

    /** The extended register's left shift is 0..4. */
    static boolean extendedRegisterAllocated(int insn) {
        return (insn >>> 10 & 7) <= 4;
    }

    private static long extendedRm(Cpu c, int insn) {
        if (!extendedRegisterAllocated(insn)) throw new UndefinedInstruction();
        return Alu.extend(rm(c, insn), insn >>> 13 & 7, insn >>> 10 & 7);
    }

    // ---- logical (shifted register) ----

    static long andReg(Cpu c, int insn, long pc) {
        setRd(c, insn, rn(c, insn) & shiftedRm(c, insn));
        return pc + 4;
    }

    static long bicReg(Cpu c, int insn, long pc) {
        setRd(c, insn, rn(c, insn) & ~shiftedRm(c, insn));
        return pc + 4;
    }

    static long orrReg(Cpu c, int insn, long pc) {
        setRd(c, insn, rn(c, insn) | shiftedRm(c, insn));
        return pc + 4;
    }

    static long ornReg(Cpu c, int insn, long pc) {
        setRd(c, insn, rn(c, insn) | ~shiftedRm(c, insn));
        return pc + 4;
    }

    static long eorReg(Cpu c, int insn, long pc) {
        setRd(c, insn, rn(c, insn) ^ shiftedRm(c, insn));
        return pc + 4;
    }

    static long eonReg(Cpu c, int insn, long pc) {
        setRd(c, insn, rn(c, insn) ^ ~shiftedRm(c, insn));
        return pc + 4;
    }

    static long andsReg(Cpu c, int insn, long pc) {
        long r = rn(c, insn) & shiftedRm(c, insn);
        c.nzcv = logicFlags(insn, r);
        setRd(c, insn, r);
        return pc + 4;
    }

    static long bicsReg(Cpu c, int insn, long pc) {
        long r = rn(c, insn) & ~shiftedRm(c, insn);
        c.nzcv = logicFlags(insn, r);
        setRd(c, insn, r);
        return pc + 4;
    }

    // ---- add/subtract (shifted and extended register) ----

    static long addReg(Cpu c, int insn, long pc) {
        setRd(c, insn, rn(c, insn) + arithShiftedRm(c, insn));
        return pc + 4;
    }

    static long subReg(Cpu c, int insn, long pc) {
        setRd(c, insn, rn(c, insn) - arithShiftedRm(c, insn));
        return pc + 4;
    }

    static long addsReg(Cpu c, int insn, long pc) {
        addWithFlags(c, insn, rn(c, insn), arithShiftedRm(c, insn), 0);
        return pc + 4;
    }

    static long subsReg(Cpu c, int insn, long pc) {
        addWithFlags(c, insn, rn(c, insn), ~arithShiftedRm(c, insn), 1);
        return pc + 4;
    }

    static long addExt(Cpu c, int insn, long pc) {
        setRdOrSp(c, insn, rnOrSp(c, insn) + extendedRm(c, insn));
        return pc + 4;
    }

    static long subExt(Cpu c, int insn, long pc) {
        setRdOrSp(c, insn, rnOrSp(c, insn) - extendedRm(c, insn));
        return pc + 4;
    }

    static long addsExt(Cpu c, int insn, long pc) {
        addWithFlags(c, insn, rnOrSp(c, insn), extendedRm(c, insn), 0);
        return pc + 4;
    }

    static long subsExt(Cpu c, int insn, long pc) {
        addWithFlags(c, insn, rnOrSp(c, insn), ~extendedRm(c, insn), 1);
        return pc + 4;
    }

    // ---- add/subtract with carry ----

    private static int carry(Cpu c) {
        return c.nzcv >>> 29 & 1;
    }

    static long adc(Cpu c, int insn, long pc) {
        setRd(c, insn, rn(c, insn) + rm(c, insn) + carry(c));
        return pc + 4;
    }

    static long sbc(Cpu c, int insn, long pc) {
        setRd(c, insn, rn(c, insn) + ~rm(c, insn) + carry(c));
        return pc + 4;
    }

    static long adcs(Cpu c, int insn, long pc) {
        addWithFlags(c, insn, rn(c, insn), rm(c, insn), carry(c));
        return pc + 4;
    }

    static long sbcs(Cpu c, int insn, long pc) {
        addWithFlags(c, insn, rn(c, insn), ~rm(c, insn), carry(c));
        return pc + 4;
    }

    // ---- conditional compare ----

    /** The flags are the comparison's when the condition holds, else the instruction's #nzcv. */
    private static int conditionalFlags(Cpu c, int insn, long b, boolean negate) {
        if (!c.condition(insn >>> 12 & 15)) return (insn & 15) << 28;
        long a = rn(c, insn);
        return negate ? addFlags(insn, a, b, 0) : addFlags(insn, a, ~b, 1);
    }

    static long ccmnReg(Cpu c, int insn, long pc) {
        c.nzcv = conditionalFlags(c, insn, rm(c, insn), true);
        return pc + 4;
    }

    static long ccmpReg(Cpu c, int insn, long pc) {
        c.nzcv = conditionalFlags(c, insn, rm(c, insn), false);
        return pc + 4;
    }

    static long ccmnImm(Cpu c, int insn, long pc) {
        c.nzcv = conditionalFlags(c, insn, insn >>> 16 & 31, true);
        return pc + 4;
    }

    static long ccmpImm(Cpu c, int insn, long pc) {
        c.nzcv = conditionalFlags(c, insn, insn >>> 16 & 31, false);
        return pc + 4;
    }

    // ---- conditional select ----

    private static boolean selectFirst(Cpu c, int insn) {
        return c.condition(insn >>> 12 & 15);
    }

    static long csel(Cpu c, int insn, long pc) {
        setRd(c, insn, selectFirst(c, insn) ? rn(c, insn) : rm(c, insn));
        return pc + 4;
    }

    static long csinc(Cpu c, int insn, long pc) {
        setRd(c, insn, selectFirst(c, insn) ? rn(c, insn) : rm(c, insn) + 1);
        return pc + 4;
    }

    static long csinv(Cpu c, int insn, long pc) {
        setRd(c, insn, selectFirst(c, insn) ? rn(c, insn) : ~rm(c, insn));
        return pc + 4;
    }

    static long csneg(Cpu c, int insn, long pc) {
        setRd(c, insn, selectFirst(c, insn) ? rn(c, insn) : -rm(c, insn));
        return pc + 4;
    }

    // ---- multiply ----

    private static long ra(Cpu c, int insn) {
        return c.x(insn >>> 10 & 31);
    }

    static long madd(Cpu c, int insn, long pc) {
        setRd(c, insn, ra(c, insn) + rn(c, insn) * rm(c, insn));
        return pc + 4;
    }

    static long msub(Cpu c, int insn, long pc) {
        setRd(c, insn, ra(c, insn) - rn(c, insn) * rm(c, insn));
        return pc + 4;
    }

    private static long signedProduct(Cpu c, int insn) {
        return (long) (int) rn(c, insn) * (int) rm(c, insn);
    }

    private static long unsignedProduct(Cpu c, int insn) {
        return (rn(c, insn) & LOW32) * (rm(c, insn) & LOW32);
    }

    static long smaddl(Cpu c, int insn, long pc) {
        c.setX(insn & 31, ra(c, insn) + signedProduct(c, insn));
        return pc + 4;
    }

    static long smsubl(Cpu c, int insn, long pc) {
        c.setX(insn & 31, ra(c, insn) - signedProduct(c, insn));
        return pc + 4;
    }

    static long umaddl(Cpu c, int insn, long pc) {
        c.setX(insn & 31, ra(c, insn) + unsignedProduct(c, insn));
        return pc + 4;
    }

    static long umsubl(Cpu c, int insn, long pc) {
        c.setX(insn & 31, ra(c, insn) - unsignedProduct(c, insn));
        return pc + 4;
    }

    static long smulh(Cpu c, int insn, long pc) {
        c.setX(insn & 31, Math.multiplyHigh(rn(c, insn), rm(c, insn)));
        return pc + 4;
    }

    static long umulh(Cpu c, int insn, long pc) {
        c.setX(insn & 31, Math.unsignedMultiplyHigh(rn(c, insn), rm(c, insn)));
        return pc + 4;
    }

    // ---- two-source: divide, variable shifts, CRC ----

    /* A64 division never traps: dividing by zero gives 0, and the one overflowing case (MIN / -1) gives MIN, which is
     * also what Java's division does. */

    static long udiv(Cpu c, int insn, long pc) {
        long n = rn(c, insn), m = rm(c, insn);
        if (insn < 0) c.setX(insn & 31, m == 0 ? 0 : Long.divideUnsigned(n, m));
        else c.setW(insn & 31, (int) m == 0 ? 0 : Integer.divideUnsigned((int) n, (int) m));
        return pc + 4;
    }

    static long sdiv(Cpu c, int insn, long pc) {
        long n = rn(c, insn), m = rm(c, insn);
        if (insn < 0) c.setX(insn & 31, m == 0 ? 0 : n / m);
        else c.setW(insn & 31, (int) m == 0 ? 0 : (int) n / (int) m);
        return pc + 4;
    }

    /* The shift amount is Rm modulo the register size, which is exactly how Java masks a shift count. */

    static long lslv(Cpu c, int insn, long pc) {
        long n = rn(c, insn);
        int amount = (int) rm(c, insn);
        setRd(c, insn, insn < 0 ? n << amount : (int) n << amount);
        return pc + 4;
    }

    static long lsrv(Cpu c, int insn, long pc) {
        long n = rn(c, insn);
        int amount = (int) rm(c, insn);
        setRd(c, insn, insn < 0 ? n >>> amount : (int) n >>> amount);
        return pc + 4;
    }

    static long asrv(Cpu c, int insn, long pc) {
        long n = rn(c, insn);
        int amount = (int) rm(c, insn);
        setRd(c, insn, insn < 0 ? n >> amount : (int) n >> amount);
        return pc + 4;
    }

    static long rorv(Cpu c, int insn, long pc) {
        long n = rn(c, insn);
        int amount = (int) rm(c, insn);
        setRd(c, insn, insn < 0 ? Long.rotateRight(n, amount) : Integer.rotateRight((int) n, amount));
        return pc + 4;
    }

    /** CRC32{B,H,W,X} and CRC32C{B,H,W,X}: bits 11..10 give the data size, bit 12 the Castagnoli polynomial. */
    static long crc32(Cpu c, int insn, long pc) {
        if (!c.model.has(CpuModel.Feature.CRC32)) throw new UndefinedInstruction();
        int bytes = 1 << (insn >>> 10 & 3);
        boolean castagnoli = (insn & 0x1000) != 0;
        c.setW(insn & 31, Alu.crc((int) rn(c, insn), rm(c, insn), bytes, castagnoli));
        return pc + 4;
    }

    // ---- one-source: bit and byte reversal, counting ----

    static long rbit(Cpu c, int insn, long pc) {
        long n = rn(c, insn);
        setRd(c, insn, insn < 0 ? Long.reverse(n) : Integer.reverse((int) n));
        return pc + 4;
    }

    static long rev16(Cpu c, int insn, long pc) {
        long n = rn(c, insn);
        setRd(c, insn, (n & 0x00FF_00FF_00FF_00FFL) << 8 | (n >>> 8) & 0x00FF_00FF_00FF_00FFL);
        return pc + 4;
    }

    static long rev32(Cpu c, int insn, long pc) {
        c.setX(insn & 31, Long.rotateLeft(Long.reverseBytes(rn(c, insn)), 32));
        return pc + 4;
    }

    static long revW(Cpu c, int insn, long pc) {
        c.setW(insn & 31, Integer.reverseBytes((int) rn(c, insn)));
        return pc + 4;
    }

    static long revX(Cpu c, int insn, long pc) {
        c.setX(insn & 31, Long.reverseBytes(rn(c, insn)));
        return pc + 4;
    }

    static long clz(Cpu c, int insn, long pc) {
        long n = rn(c, insn);
        setRd(c, insn, insn < 0 ? Long.numberOfLeadingZeros(n) : Integer.numberOfLeadingZeros((int) n));
        return pc + 4;
    }

    /** Leading bits equal to the sign bit, not counting it: x ^ (x >> 1) has a one where the run ends. */
    static long cls(Cpu c, int insn, long pc) {
        long n = rn(c, insn);
        int w = (int) n;
        setRd(c, insn, insn < 0 ? Long.numberOfLeadingZeros(n ^ n >> 1) - 1
            : Integer.numberOfLeadingZeros(w ^ w >> 1) - 1);
        return pc + 4;
    }
}
