package dev.jvisor.arch.a64.isa;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.UndefinedInstruction;
import dev.jvisor.arch.a64.decode.Disasm;
import dev.jvisor.arch.a64.decode.Disassembler;
import dev.jvisor.arch.a64.decode.InsnRow;
import dev.jvisor.arch.a64.fp.FpFormat;
import dev.jvisor.arch.a64.fp.SoftFloat;

import static dev.jvisor.arch.a64.fp.FpFormat.DOUBLE;
import static dev.jvisor.arch.a64.fp.FpFormat.HALF;
import static dev.jvisor.arch.a64.fp.FpFormat.SINGLE;
import static dev.jvisor.arch.a64.fp.SoftFloat.RZ;

/**
 * Scalar floating point: data processing with one, two and three sources, compares, conditional compare and select,
 * immediates, and conversions to and from integers and fixed point. Single and double precision; half precision only
 * as a conversion format (FEAT_FP16 arithmetic is not implemented, so ftype=11 elsewhere is undefined).
 *
 * <p>Most rows pin ftype<1> (bit 23) to 0 and name ftype<0> {@code ty}: 0 single, 1 double.
 */
public final class FloatingPoint {
    private FloatingPoint() {}

    private static final String TY = "000 11110 0 ty:1 1";

    public static void rows(InsnRow.Builder b) {
        b.row("FMOV_reg", TY + " 0000 00 10000 Rn:5 Rd:5", FloatingPoint::fmovReg, fp("fmov {Rd:f}, {Rn:f}"));
        b.row("FABS", TY + " 0000 01 10000 Rn:5 Rd:5", FloatingPoint::fabs, fp("fabs {Rd:f}, {Rn:f}"));
        b.row("FNEG", TY + " 0000 10 10000 Rn:5 Rd:5", FloatingPoint::fneg, fp("fneg {Rd:f}, {Rn:f}"));
        b.row("FSQRT", TY + " 0000 11 10000 Rn:5 Rd:5", FloatingPoint::fsqrt, fp("fsqrt {Rd:f}, {Rn:f}"));
        b.row("FCVT", "000 11110 ftype:2 1 0001 opc:2 10000 Rn:5 Rd:5", FloatingPoint::fcvt, FloatingPoint::fcvtText);
        b.row("FRINT", TY + " 001 mode:3 10000 Rn:5 Rd:5", FloatingPoint::frint, FloatingPoint::frintText);

        b.row("FMUL", TY + " Rm:5 0000 10 Rn:5 Rd:5", FloatingPoint::fmul, fp("fmul {Rd:f}, {Rn:f}, {Rm:f}"));
        b.row("FDIV", TY + " Rm:5 0001 10 Rn:5 Rd:5", FloatingPoint::fdiv, fp("fdiv {Rd:f}, {Rn:f}, {Rm:f}"));
        b.row("FADD", TY + " Rm:5 0010 10 Rn:5 Rd:5", FloatingPoint::fadd, fp("fadd {Rd:f}, {Rn:f}, {Rm:f}"));
        b.row("FSUB", TY + " Rm:5 0011 10 Rn:5 Rd:5", FloatingPoint::fsub, fp("fsub {Rd:f}, {Rn:f}, {Rm:f}"));
        b.row("FMAX", TY + " Rm:5 0100 10 Rn:5 Rd:5", FloatingPoint::fmax, fp("fmax {Rd:f}, {Rn:f}, {Rm:f}"));
        b.row("FMIN", TY + " Rm:5 0101 10 Rn:5 Rd:5", FloatingPoint::fmin, fp("fmin {Rd:f}, {Rn:f}, {Rm:f}"));
        b.row("FMAXNM", TY + " Rm:5 0110 10 Rn:5 Rd:5", FloatingPoint::fmaxnm, fp("fmaxnm {Rd:f}, {Rn:f}, {Rm:f}"));
        b.row("FMINNM", TY + " Rm:5 0111 10 Rn:5 Rd:5", FloatingPoint::fminnm, fp("fminnm {Rd:f}, {Rn:f}, {Rm:f}"));
        b.row("FNMUL", TY + " Rm:5 1000 10 Rn:5 Rd:5", FloatingPoint::fnmul, fp("fnmul {Rd:f}, {Rn:f}, {Rm:f}"));

        String three = "000 11111 0 ty:1 ";
        b.row("FMADD", three + "0 Rm:5 0 Ra:5 Rn:5 Rd:5", FloatingPoint::fmadd,
            fp("fmadd {Rd:f}, {Rn:f}, {Rm:f}, {Ra:f}"));
        b.row("FMSUB", three + "0 Rm:5 1 Ra:5 Rn:5 Rd:5", FloatingPoint::fmsub,
            fp("fmsub {Rd:f}, {Rn:f}, {Rm:f}, {Ra:f}"));
        b.row("FNMADD", three + "1 Rm:5 0 Ra:5 Rn:5 Rd:5", FloatingPoint::fnmadd,
            fp("fnmadd {Rd:f}, {Rn:f}, {Rm:f}, {Ra:f}"));
        b.row("FNMSUB", three + "1 Rm:5 1 Ra:5 Rn:5 Rd:5", FloatingPoint::fnmsub,
            fp("fnmsub {Rd:f}, {Rn:f}, {Rm:f}, {Ra:f}"));

        b.row("FCMP", TY + " Rm:5 00 1000 Rn:5 e:1 z:1 000", FloatingPoint::fcmp,
            fp("fcmp{?e:e} {Rn:f}, {?z:#0.0}{?!z:{Rm:f}}"));
        b.row("FCCMP", TY + " Rm:5 cond:4 01 Rn:5 e:1 nzcv:4", FloatingPoint::fccmp,
            fp("fccmp{?e:e} {Rn:f}, {Rm:f}, {#x:nzcv}, {cond:cond}"));
        b.row("FCSEL", TY + " Rm:5 cond:4 11 Rn:5 Rd:5", FloatingPoint::fcsel,
            fp("fcsel {Rd:f}, {Rn:f}, {Rm:f}, {cond:cond}"));
        b.row("FMOV_imm", TY + " imm8:8 100 00000 Rd:5", FloatingPoint::fmovImm,
            (r, i, pc) -> fp("fmov {Rd:f}, #").text(r, i, pc) + immText(i));

        String fixed = "sf:1 00 11110 0 ty:1 0";
        b.row("SCVTF_fix", fixed + " 00 010 scale:6 Rn:5 Rd:5", FloatingPoint::scvtfFixed,
            fixedPoint("scvtf {Rd:f}, {Rn}"));
        b.row("UCVTF_fix", fixed + " 00 011 scale:6 Rn:5 Rd:5", FloatingPoint::ucvtfFixed,
            fixedPoint("ucvtf {Rd:f}, {Rn}"));
        b.row("FCVTZS_fix", fixed + " 11 000 scale:6 Rn:5 Rd:5", FloatingPoint::fcvtzsFixed,
            fixedPoint("fcvtzs {Rd}, {Rn:f}"));
        b.row("FCVTZU_fix", fixed + " 11 001 scale:6 Rn:5 Rd:5", FloatingPoint::fcvtzuFixed,
            fixedPoint("fcvtzu {Rd}, {Rn:f}"));

        String integer = "sf:1 00 11110 0 ty:1 1";
        b.row("FCVT_int", integer + " rmode:2 00 u:1 000000 Rn:5 Rd:5", FloatingPoint::fcvtToInt,
            FloatingPoint::fcvtIntText);
        b.row("FCVTA_int", integer + " 00 10 u:1 000000 Rn:5 Rd:5", FloatingPoint::fcvtaToInt,
            fp("fcvta{?u:u}{?!u:s} {Rd}, {Rn:f}"));
        b.row("CVTF_int", integer + " 00 01 u:1 000000 Rn:5 Rd:5", FloatingPoint::cvtfFromInt,
            fp("{?u:u}{?!u:s}cvtf {Rd:f}, {Rn}"));
        b.row("FMOV_to_gen", "sf:1 00 11110 0 ty:1 1 00 110 000000 Rn:5 Rd:5", FloatingPoint::fmovToGeneral,
            fp("fmov {Rd}, {Rn:f}"));
        b.row("FMOV_from_gen", "sf:1 00 11110 0 ty:1 1 00 111 000000 Rn:5 Rd:5", FloatingPoint::fmovFromGeneral,
            fp("fmov {Rd:f}, {Rn}"));
        b.row("FMOV_to_gen_top", "1 00 11110 10 1 01 110 000000 Rn:5 Rd:5", FloatingPoint::fmovToGeneralTop,
            "fmov {Rd:x}, {Rn:v}.d[1]");
        b.row("FMOV_from_gen_top", "1 00 11110 10 1 01 111 000000 Rn:5 Rd:5", FloatingPoint::fmovFromGeneralTop,
            "fmov {Rd:v}.d[1], {Rn:x}");
    }

    // ---- operand access ----

    static FpFormat format(int insn) {
        return (insn & 1 << 22) != 0 ? DOUBLE : SINGLE;
    }

    /** The low element of Vn in format f, as zero-extended bits. */
    static long read(Cpu c, FpFormat f, int n) {
        long v = c.v[2 * n];
        if (f == DOUBLE) return v;
        return f == SINGLE ? v & 0xFFFF_FFFFL : v & 0xFFFF;
    }

    private static int rd(int insn) { return insn & 31; }
    private static int rn(int insn) { return insn >>> 5 & 31; }
    private static int rm(int insn) { return insn >>> 16 & 31; }
    private static int ra(int insn) { return insn >>> 10 & 31; }

    private static long binary(Cpu c, int insn, long pc, int op) {
        FpFormat f = format(insn);
        long a = read(c, f, rn(insn)), b = read(c, f, rm(insn));
        long r = switch (op) {
            case 0 -> SoftFloat.mul(c, f, a, b);
            case 1 -> SoftFloat.div(c, f, a, b);
            case 2 -> SoftFloat.add(c, f, a, b);
            case 3 -> SoftFloat.sub(c, f, a, b);
            case 4 -> SoftFloat.maxMin(c, f, a, b, true, false);
            case 5 -> SoftFloat.maxMin(c, f, a, b, false, false);
            case 6 -> SoftFloat.maxMin(c, f, a, b, true, true);
            case 7 -> SoftFloat.maxMin(c, f, a, b, false, true);
            default -> SoftFloat.mul(c, f, a, b) ^ f.signBit;
        };
        c.setD(rd(insn), r);
        return pc + 4;
    }

    // ---- one source ----

    static long fmovReg(Cpu c, int insn, long pc) {
        c.setD(rd(insn), read(c, format(insn), rn(insn)));
        return pc + 4;
    }

    static long fabs(Cpu c, int insn, long pc) {
        FpFormat f = format(insn);
        c.setD(rd(insn), read(c, f, rn(insn)) & ~f.signBit);
        return pc + 4;
    }

    static long fneg(Cpu c, int insn, long pc) {
        FpFormat f = format(insn);
        c.setD(rd(insn), read(c, f, rn(insn)) ^ f.signBit);
        return pc + 4;
    }

    static long fsqrt(Cpu c, int insn, long pc) {
        FpFormat f = format(insn);
        c.setD(rd(insn), SoftFloat.sqrt(c, f, read(c, f, rn(insn))));
        return pc + 4;
    }

    private static FpFormat ftype(int t) {
        return switch (t) {
            case 0 -> SINGLE;
            case 1 -> DOUBLE;
            case 3 -> HALF;
            default -> null;
        };
    }

    static long fcvt(Cpu c, int insn, long pc) {
        FpFormat from = ftype(insn >>> 22 & 3), to = ftype(insn >>> 15 & 3);
        if (from == null || to == null || from == to) throw new UndefinedInstruction();
        long r = SoftFloat.convert(c, from, to, read(c, from, rn(insn)), SoftFloat.roundingMode(c.fpcr));
        c.setD(rd(insn), r);
        return pc + 4;
    }

    /** FRINT rounding modes by the opcode's low three bits: N P M Z A (unallocated) X I. */
    private static final String FRINT_SUFFIX = "npmza-xi";

    static long frint(Cpu c, int insn, long pc) {
        int mode = insn >>> 15 & 7;
        int rounding = switch (mode) {
            case 0 -> SoftFloat.RN;
            case 1 -> SoftFloat.RP;
            case 2 -> SoftFloat.RM;
            case 3 -> SoftFloat.RZ;
            case 4 -> SoftFloat.TIES_AWAY;
            case 6, 7 -> SoftFloat.roundingMode(c.fpcr);
            default -> throw new UndefinedInstruction();
        };
        FpFormat f = format(insn);
        c.setD(rd(insn), SoftFloat.roundInt(c, f, read(c, f, rn(insn)), rounding, mode == 6));
        return pc + 4;
    }

    // ---- two and three sources ----

    static long fmul(Cpu c, int insn, long pc) { return binary(c, insn, pc, 0); }
    static long fdiv(Cpu c, int insn, long pc) { return binary(c, insn, pc, 1); }
    static long fadd(Cpu c, int insn, long pc) { return binary(c, insn, pc, 2); }
    static long fsub(Cpu c, int insn, long pc) { return binary(c, insn, pc, 3); }
    static long fmax(Cpu c, int insn, long pc) { return binary(c, insn, pc, 4); }
    static long fmin(Cpu c, int insn, long pc) { return binary(c, insn, pc, 5); }
    static long fmaxnm(Cpu c, int insn, long pc) { return binary(c, insn, pc, 6); }
    static long fminnm(Cpu c, int insn, long pc) { return binary(c, insn, pc, 7); }
    static long fnmul(Cpu c, int insn, long pc) { return binary(c, insn, pc, 8); }

    /** The fused forms negate raw operands first, so a negated NaN input comes out with its sign flipped. */
    private static long fused(Cpu c, int insn, long pc, boolean negateAddend, boolean negateProduct) {
        FpFormat f = format(insn);
        long addend = read(c, f, ra(insn)), a = read(c, f, rn(insn)), b = read(c, f, rm(insn));
        if (negateAddend) addend ^= f.signBit;
        if (negateProduct) a ^= f.signBit;
        c.setD(rd(insn), SoftFloat.mulAdd(c, f, addend, a, b));
        return pc + 4;
    }

    static long fmadd(Cpu c, int insn, long pc) { return fused(c, insn, pc, false, false); }
    static long fmsub(Cpu c, int insn, long pc) { return fused(c, insn, pc, false, true); }
    static long fnmadd(Cpu c, int insn, long pc) { return fused(c, insn, pc, true, true); }
    static long fnmsub(Cpu c, int insn, long pc) { return fused(c, insn, pc, true, false); }

    // ---- compare and select ----

    static long fcmp(Cpu c, int insn, long pc) {
        FpFormat f = format(insn);
        long b = (insn & 8) != 0 ? 0 : read(c, f, rm(insn));
        c.nzcv = SoftFloat.compare(c, f, read(c, f, rn(insn)), b, (insn & 16) != 0);
        return pc + 4;
    }

    static long fccmp(Cpu c, int insn, long pc) {
        if (c.condition(insn >>> 12 & 15)) {
            FpFormat f = format(insn);
            c.nzcv = SoftFloat.compare(c, f, read(c, f, rn(insn)), read(c, f, rm(insn)), (insn & 16) != 0);
        } else {
            c.nzcv = (insn & 15) << 28;
        }
        return pc + 4;
    }

    static long fcsel(Cpu c, int insn, long pc) {
        FpFormat f = format(insn);
        c.setD(rd(insn), read(c, f, c.condition(insn >>> 12 & 15) ? rn(insn) : rm(insn)));
        return pc + 4;
    }

    /** VFPExpandImm: imm8 = a:b:cd:efgh is (-1)^a * (1 + efgh/16) * 2^n, n = cd + 1 when b is 0 and cd - 3 when 1. */
    public static long expandImm(FpFormat f, int imm8) {
        long sign = (imm8 >>> 7 & 1) != 0 ? f.signBit : 0;
        int b6 = imm8 >>> 6 & 1;
        int e = f.expBits;
        // Exponent: NOT(b) : Replicate(b, E-3) : cd.
        long exp = (long) (b6 ^ 1) << (e - 1) | (b6 == 1 ? ((1L << (e - 3)) - 1) << 2 : 0) | (imm8 >>> 4 & 3);
        long frac = (long) (imm8 & 15) << (f.fracBits - 4);
        return sign | exp << f.fracBits | frac;
    }

    static long fmovImm(Cpu c, int insn, long pc) {
        c.setD(rd(insn), expandImm(format(insn), insn >>> 13 & 0xFF));
        return pc + 4;
    }

    static String immText(int insn) {
        FpFormat f = format(insn);
        return String.format("%.18e", f.toDouble(expandImm(f, insn >>> 13 & 0xFF)));
    }

    // ---- conversions ----

    /** The general register Rn as a 64-bit integer: sign- or zero-extended from W when sf is 0. */
    private static long intSource(Cpu c, int insn, boolean unsigned) {
        long v = c.x(rn(insn));
        if (insn < 0) return v;
        return unsigned ? v & 0xFFFF_FFFFL : (int) v;
    }

    private static void intResult(Cpu c, int insn, long value) {
        if (insn < 0) c.setX(rd(insn), value);
        else c.setW(rd(insn), (int) value);
    }

    /** fbits of the fixed-point forms; with a W register scale<5> must be set (at most 32 fraction bits). */
    private static int fbits(int insn) {
        int scale = insn >>> 10 & 63;
        if (insn >= 0 && scale < 32) throw new UndefinedInstruction();
        return 64 - scale;
    }

    private static long cvtf(Cpu c, int insn, long pc, boolean unsigned, int fbits) {
        FpFormat f = format(insn);
        long r = SoftFloat.fromFixed(c, f, intSource(c, insn, unsigned), fbits, unsigned,
            SoftFloat.roundingMode(c.fpcr));
        c.setD(rd(insn), r);
        return pc + 4;
    }

    private static long cvtToInt(Cpu c, int insn, long pc, boolean unsigned, int fbits, int rounding) {
        FpFormat f = format(insn);
        long r = SoftFloat.toFixed(c, f, read(c, f, rn(insn)), fbits, unsigned, insn < 0 ? 64 : 32, rounding);
        intResult(c, insn, r);
        return pc + 4;
    }

    static long scvtfFixed(Cpu c, int insn, long pc) { return cvtf(c, insn, pc, false, fbits(insn)); }
    static long ucvtfFixed(Cpu c, int insn, long pc) { return cvtf(c, insn, pc, true, fbits(insn)); }
    static long fcvtzsFixed(Cpu c, int insn, long pc) { return cvtToInt(c, insn, pc, false, fbits(insn), RZ); }
    static long fcvtzuFixed(Cpu c, int insn, long pc) { return cvtToInt(c, insn, pc, true, fbits(insn), RZ); }

    /** FCVTNS/PS/MS/ZS and the unsigned forms: rmode 00 nearest, 01 +inf, 10 -inf, 11 zero, like FPCR.RMode. */
    static long fcvtToInt(Cpu c, int insn, long pc) {
        return cvtToInt(c, insn, pc, (insn & 1 << 16) != 0, 0, insn >>> 19 & 3);
    }

    static long fcvtaToInt(Cpu c, int insn, long pc) {
        return cvtToInt(c, insn, pc, (insn & 1 << 16) != 0, 0, SoftFloat.TIES_AWAY);
    }

    static long cvtfFromInt(Cpu c, int insn, long pc) {
        return cvtf(c, insn, pc, (insn & 1 << 16) != 0, 0);
    }

    /** FMOV between general and FP registers: W with S, X with D only; other pairings are unallocated. */
    private static void checkFmovWidth(int insn) {
        if ((insn < 0) != ((insn & 1 << 22) != 0)) throw new UndefinedInstruction();
    }

    static long fmovToGeneral(Cpu c, int insn, long pc) {
        checkFmovWidth(insn);
        intResult(c, insn, c.v[2 * rn(insn)]);
        return pc + 4;
    }

    static long fmovFromGeneral(Cpu c, int insn, long pc) {
        checkFmovWidth(insn);
        long v = c.x(rn(insn));
        c.setD(rd(insn), insn < 0 ? v : v & 0xFFFF_FFFFL);
        return pc + 4;
    }

    static long fmovToGeneralTop(Cpu c, int insn, long pc) {
        c.setX(rd(insn), c.v[2 * rn(insn) + 1]);
        return pc + 4;
    }

    static long fmovFromGeneralTop(Cpu c, int insn, long pc) {
        c.v[2 * rd(insn) + 1] = c.x(rn(insn));
        return pc + 4;
    }

    // ---- disassembly ----

    /** A template where {@code {Rx:f}} names the scalar FP register of the row's precision (ty). */
    static Disasm fp(String template) {
        Disasm single = Disassembler.template(template.replace(":f}", ":s}"));
        Disasm dbl = Disassembler.template(template.replace(":f}", ":d}"));
        return (row, insn, pc) -> ((insn & 1 << 22) != 0 ? dbl : single).text(row, insn, pc);
    }

    /** The fixed-point conversions: the template's text, then the number of fraction bits, 64 - scale. */
    private static Disasm fixedPoint(String template) {
        Disasm registers = fp(template);
        return (row, insn, pc) -> registers.text(row, insn, pc) + ", #" + (64 - (insn >>> 10 & 63));
    }

    private static String fcvtText(InsnRow row, int insn, long pc) {
        FpFormat from = ftype(insn >>> 22 & 3), to = ftype(insn >>> 15 & 3);
        if (from == null || to == null) return "fcvt (unallocated)";
        return "fcvt " + registerLetter(to) + rd(insn) + ", " + registerLetter(from) + rn(insn);
    }

    private static char registerLetter(FpFormat f) {
        return f == HALF ? 'h' : f == SINGLE ? 's' : 'd';
    }

    private static String frintText(InsnRow row, int insn, long pc) {
        char suffix = FRINT_SUFFIX.charAt(insn >>> 15 & 7);
        char r = (insn & 1 << 22) != 0 ? 'd' : 's';
        return "frint" + suffix + " " + r + rd(insn) + ", " + r + rn(insn);
    }

    private static String fcvtIntText(InsnRow row, int insn, long pc) {
        char mode = "npmz".charAt(insn >>> 19 & 3);
        return fp("fcvt" + mode + ((insn & 1 << 16) != 0 ? "u" : "s") + " {Rd}, {Rn:f}").text(row, insn, pc);
    }
}
