package dev.jvisor.engine.dbt;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.SysReg;
import dev.jvisor.arch.a64.decode.Exec;
import dev.jvisor.arch.a64.decode.InsnRow;
import dev.jvisor.arch.a64.decode.Section;
import dev.jvisor.memory.CpuMemory;

import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.Opcode;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

/**
 * Emits the {@code run} method of one region.
 *
 * <p>Within a basic block, guest registers live in JVM locals: those the block's bytecode touches are loaded from
 * {@link Cpu#x} at its start, and the ones it wrote are stored back before anything that can leave the block or
 * observe {@code c.x}: its outgoing edges, a memory access (which may fault), a call of semantics. Keeping them in
 * locals across the whole region was measured too: it saved little at run time and cost HotSpot's register
 * allocator so much more compile time (every value live across every slow path) that busybox gzip ran slower.
 * Instructions the emitter knows become straight bytecode on the locals; every other row keeps the call of its
 * semantics ({@link Exec}), with the block's registers reloaded after it, since the semantics read and write
 * {@code c.x}.
 *
 * <p>Condition flags are lazy: a flag-setting instruction leaves its operands in two locals and its kind in a third
 * (see the FLAGS_ constants of {@link DbtRuntime}), and a reader in the same block that knows the kind statically
 * evaluates its condition straight from the operands (SUBS + B.LT is a signed compare and branch). NZCV is computed
 * only where all four flags are needed: before a semantics call, on an edge into a block that reads flags before
 * setting them, and in the fault handler. Leaving the region hands the lazy state on through {@link Cpu#flagKind}.
 *
 * <p>Exactness on faults: a direct translation does every access that can fault before it writes a register local,
 * and each instruction's accesses have their own exception handler that stores the registers dirty before it, so a
 * fault leaves the state of all earlier instructions and nothing of the faulting one, as in the interpreter. Loads
 * and stores are calls of {@link DbtRuntime}'s accessors, which the launcher keeps out of line (see there).
 */
final class RegionEmitter {
    static final ClassDesc CD_CPU = ClassDesc.of(Cpu.class.getName());
    static final ClassDesc CD_REGION = ClassDesc.of(Region.class.getName());
    private static final ClassDesc CD_EXEC = ClassDesc.of(Exec.class.getName());
    private static final ClassDesc CD_RUNTIME = ClassDesc.of(DbtRuntime.class.getName());
    private static final ClassDesc CD_MEM = ClassDesc.of(CpuMemory.class.getName());
    private static final ClassDesc CD_LOADSTORE = ClassDesc.of(dev.jvisor.arch.a64.isa.LoadStore.class.getName());
    private static final ClassDesc CD_RTE = ClassDesc.of(RuntimeException.class.getName());
    private static final ClassDesc CD_LONGS = CD_long.arrayType();
    private static final ClassDesc CD_LONG_BOX = ClassDesc.of("java.lang.Long");
    private static final ClassDesc CD_INT_BOX = ClassDesc.of("java.lang.Integer");
    private static final ClassDesc CD_MATH = ClassDesc.of("java.lang.Math");
    private static final MethodTypeDesc MTD_EXEC = MethodTypeDesc.of(CD_long, CD_CPU, CD_int, CD_long);
    private static final MethodTypeDesc MTD_FAULT = MethodTypeDesc.of(CD_long, CD_REGION, CD_CPU, CD_int, CD_RTE, CD_long);
    private static final MethodTypeDesc MTD_FLAGS = MethodTypeDesc.of(CD_int, CD_int, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_FLAGS2 = MethodTypeDesc.of(CD_int, CD_long, CD_long);
    private static final MethodTypeDesc MTD_FLAGS1 = MethodTypeDesc.of(CD_int, CD_long);
    private static final MethodTypeDesc MTD_COND = MethodTypeDesc.of(CD_boolean, CD_int, CD_int);
    private static final MethodTypeDesc MTD_PROBE = MethodTypeDesc.of(CD_void, CD_MEM, CD_long, CD_int);
    private static final MethodTypeDesc MTD_LL_L = MethodTypeDesc.of(CD_long, CD_long, CD_long);
    private static final MethodTypeDesc MTD_LI_L = MethodTypeDesc.of(CD_long, CD_long, CD_int);
    private static final MethodTypeDesc MTD_II_I = MethodTypeDesc.of(CD_int, CD_int, CD_int);
    private static final MethodTypeDesc MTD_LL_I = MethodTypeDesc.of(CD_int, CD_long, CD_long);
    private static final MethodTypeDesc MTD_L_I = MethodTypeDesc.of(CD_int, CD_long);
    private static final MethodTypeDesc MTD_L_L = MethodTypeDesc.of(CD_long, CD_long);
    private static final MethodTypeDesc MTD_I_I = MethodTypeDesc.of(CD_int, CD_int);
    private static final MethodTypeDesc MTD_READ_I = MethodTypeDesc.of(CD_int, CD_MEM, CD_long);
    private static final MethodTypeDesc MTD_READ_L = MethodTypeDesc.of(CD_long, CD_MEM, CD_long);
    private static final MethodTypeDesc MTD_WRITE_I = MethodTypeDesc.of(CD_void, CD_MEM, CD_long, CD_int);
    private static final MethodTypeDesc MTD_WRITE_L = MethodTypeDesc.of(CD_void, CD_MEM, CD_long, CD_long);
    private static final MethodTypeDesc MTD_WRITE_PAIR = MethodTypeDesc.of(CD_void, CD_MEM, CD_long, CD_long, CD_long);

    private static final long LOW32 = 0xFFFF_FFFFL;

    // Local slots. The ones used most (the exception handlers' offset, the register array, the retired count) are
    // in slots 0-4, which the JVM has one-byte load and store opcodes for: bytecode size decides how big a region
    // can be before HotSpot refuses to compile it. Guest register r (31 = SP) is in the long at REG0 + 2r.
    private static final int L_THIS = 0, L_CPU = 1, L_OFFSET = 2, L_XREGS = 3, L_COUNT = 4, L_EXCEPTION = 5,
            L_MEM = 6, L_NZCV = 7, L_FKIND = 8, L_NEXT = 9, L_FA = 11, L_FB = 13, L_T0 = 15, L_T1 = 17, L_T2 = 19,
            L_REG0 = 21;

    /** What the emitter knows statically about the flag locals at the current point. */
    private static final int UNKNOWN = -1;

    private final CodeBuilder cb;
    private final TreeMap<Long, RegionTranslator.Block> blocks;
    private final long startPc;
    private final Map<Integer, Integer> constantIndex;
    /** Per block: the registers its bytecode touches (the result of this pass), and those to load at its start. */
    final Map<Long, BitSet> touchedByBlock = new HashMap<>();
    private final Map<Long, BitSet> blockLoad;
    private BitSet blockTouched = new BitSet();

    private final Map<Long, Label> labels = new HashMap<>();
    private final Map<Long, Boolean> flagsLiveIn = new HashMap<>();
    private final List<Label[]> execRanges = new ArrayList<>();
    private final List<AccessSite> accessSites = new ArrayList<>();
    private Label ret;
    private long currentBlock;
    private int flagState;
    /** Registers whose local may differ from c.x (written since the last flush). */
    private final BitSet dirty = new BitSet();

    RegionEmitter(CodeBuilder cb, TreeMap<Long, RegionTranslator.Block> blocks, long startPc,
                  Map<Integer, Integer> constantIndex, Map<Long, BitSet> blockLoad) {
        this.blockLoad = blockLoad;
        this.cb = cb;
        this.blocks = blocks;
        this.startPc = startPc;
        this.constantIndex = constantIndex;
    }

    // ---------------------------------------------------------------- region structure

    void emitRun() {
        computeFlagLiveness();
        for (Long s : blocks.keySet()) labels.put(s, cb.newLabel());
        ret = cb.newLabel();
        Label tryStart = cb.newLabel(), tryEnd = cb.newLabel(), handler = cb.newLabel(), execHandler = cb.newLabel();

        cb.iconst_0().istore(L_COUNT);
        cb.iconst_0().istore(L_OFFSET);
        cb.aload(L_CPU).getfield(CD_CPU, "x", CD_LONGS).astore(L_XREGS);
        cb.aload(L_CPU).getfield(CD_CPU, "mem", CD_MEM).astore(L_MEM);
        cb.aload(L_CPU).getfield(CD_CPU, "nzcv", CD_int).istore(L_NZCV);
        cb.aload(L_CPU).getfield(CD_CPU, "flagKind", CD_int).istore(L_FKIND);
        cb.aload(L_CPU).getfield(CD_CPU, "flagA", CD_long).lstore(L_FA);
        cb.aload(L_CPU).getfield(CD_CPU, "flagB", CD_long).lstore(L_FB);
        if (flagsLiveIn.get(startPc)) {
            // The first block reads flags the previous region may have left lazy.
            dynamicMaterialize();
        }
        cb.lconst_0().lstore(L_T0);
        cb.lconst_0().lstore(L_T1);
        cb.lconst_0().lstore(L_T2);
        cb.goto_(labels.get(startPc));
        cb.labelBinding(tryStart);
        for (RegionTranslator.Block b : blocks.values()) emitBlock(b);
        cb.labelBinding(tryEnd);

        // The way out: registers and flags back into the Cpu, retired instructions counted, next PC returned.
        cb.labelBinding(ret);
        cb.lstore(L_NEXT);
        cb.aload(L_CPU).iload(L_NZCV).putfield(CD_CPU, "nzcv", CD_int);
        cb.aload(L_CPU).iload(L_FKIND).putfield(CD_CPU, "flagKind", CD_int);
        cb.aload(L_CPU).lload(L_FA).putfield(CD_CPU, "flagA", CD_long);
        cb.aload(L_CPU).lload(L_FB).putfield(CD_CPU, "flagB", CD_long);
        cb.aload(L_CPU).dup().getfield(CD_CPU, "instructions", CD_long).iload(L_COUNT).i2l().ladd()
                .putfield(CD_CPU, "instructions", CD_long);
        cb.lload(L_NEXT).lreturn();

        // The fault hooks see the Cpu, so flags are made exact there.
        cb.labelBinding(handler);
        cb.astore(L_EXCEPTION);
        dynamicMaterialize();
        cb.aload(L_CPU).iload(L_NZCV).putfield(CD_CPU, "nzcv", CD_int);
        callFault();

        cb.labelBinding(execHandler);
        cb.astore(L_EXCEPTION);
        callFault();

        // A faulting access first stores the registers that were dirty when it started (its own instruction has
        // written none yet), then reports like any other fault. Each site stores the registers dirtied since the
        // site before it and goes on with that site's stores, so the handlers grow with the block, not its square.
        for (AccessSite a : accessSites) {
            cb.labelBinding(a.handler);
            cb.loadConstant(a.offset).istore(L_OFFSET);
            cb.labelBinding(a.stores);
            storeRegisters(a.newlyDirty);
            cb.goto_(a.previous != null ? a.previous.stores : handler);
        }

        for (AccessSite a : accessSites) cb.exceptionCatch(a.start, a.end, a.handler, CD_RTE);
        for (Label[] r : execRanges) cb.exceptionCatch(r[0], r[1], execHandler, CD_RTE);
        cb.exceptionCatch(tryStart, tryEnd, handler, CD_RTE);
    }

    private void callFault() {
        cb.aload(L_CPU).iconst_0().putfield(CD_CPU, "flagKind", CD_int);
        cb.aload(L_THIS).aload(L_CPU).iload(L_OFFSET).aload(L_EXCEPTION).iload(L_COUNT).i2l()
                .invokestatic(CD_RUNTIME, "fault", MTD_FAULT).lreturn();
    }

    /** NZCV computed from whatever lazy state the locals hold, for points where it is not known statically. */
    private void dynamicMaterialize() {
        cb.iload(L_FKIND).lload(L_FA).lload(L_FB).iload(L_NZCV).invokestatic(CD_RUNTIME, "flags", MTD_FLAGS);
        cb.istore(L_NZCV);
        cb.iconst_0().istore(L_FKIND);
    }

    /** Loads the registers the current block touches from {@code c.x}. */
    private void loadRegisters() {
        BitSet load = blockLoad.getOrDefault(currentBlock, new BitSet());
        for (int r = load.nextSetBit(0); r >= 0; r = load.nextSetBit(r + 1)) {
            cb.aload(L_XREGS).loadConstant(r).laload().lstore(reg(r));
        }
    }

    private static int reg(int r) {
        return L_REG0 + 2 * r;
    }

    private void emitBlock(RegionTranslator.Block b) {
        cb.labelBinding(labels.get(b.start));
        flagState = UNKNOWN;
        currentBlock = b.start;
        blockTouched = touchedByBlock.computeIfAbsent(b.start, k -> new BitSet());
        dirty.clear();
        previousSite = null;
        if (b.jumpTarget) {
            // Every cycle in a region passes a backward-branch target; checking here bounds how long a region runs.
            // The retired count is an int: a loop that has run for 2^30 instructions goes back to the dispatcher.
            Label leave = cb.newLabel(), body = cb.newLabel();
            cb.aload(L_CPU).getfield(CD_CPU, "exitRequest", CD_boolean).ifne(leave);
            cb.iload(L_COUNT).loadConstant(1 << 30).if_icmplt(body);
            cb.labelBinding(leave);
            cb.loadConstant(b.start).goto_(ret);
            cb.labelBinding(body);
        }
        cb.iinc(L_COUNT, b.insns.size());
        loadRegisters();
        int n = b.insns.size();
        for (int j = 0; j < n; j++) {
            long pc = b.start + 4L * j;
            InsnRow row = b.rows.get(j);
            int insn = b.insns.get(j);
            boolean last = j == n - 1;
            if (row.section == Section.BRANCH && emitBranch(row, insn, pc)) return;
            if (row.section != Section.BRANCH && emitDirect(row, insn, pc)) continue;
            emitCall(row, insn, pc);
            if (last && (b.end == RegionTranslator.End.EXIT || row.section == Section.BRANCH)) {
                cb.goto_(ret);
                return;
            }
            if (row.section == Section.SYSTEM) exitIfRequested(n - 1 - j);
            cb.pop2();
        }
        edge(b.endPc());
    }

    /**
     * After a system instruction run in place, with its next PC on the stack: if it made an interrupt deliverable (or
     * another thread asked the vCPU to stop), the region ends there, not counting the {@code skipped} instructions
     * of the block it will not run.
     */
    private void exitIfRequested(int skipped) {
        Label stay = cb.newLabel();
        cb.aload(L_CPU).getfield(CD_CPU, "exitRequest", CD_boolean).ifeq(stay);
        if (skipped > 0) cb.iinc(L_COUNT, -skipped);
        cb.goto_(ret);
        cb.labelBinding(stay);
    }

    /** Continues at {@code target}: a jump to its block when the region has it, else a return to the dispatcher. */
    private void edge(long target) {
        // The other edge of a conditional branch is emitted next and must flush the same registers.
        BitSet stillDirty = (BitSet) dirty.clone();
        flushDirty();
        dirty.or(stillDirty);
        Label l = labels.get(target);
        if (l == null) {
            cb.loadConstant(target).goto_(ret);
            return;
        }
        if (flagsLiveIn.get(target) && flagState != UNKNOWN && flagState != DbtRuntime.FLAGS_NZCV) {
            int saved = flagState;
            materializeFlags();
            flagState = saved;
        }
        cb.goto_(l);
    }

    // ---------------------------------------------------------------- flag liveness

    private enum FlagUse { NONE, READ, WRITE }

    /**
     * Flags are live into a block when some path from its start reads them before setting them. Semantics calls count
     * as readers; leaving the region does not, since the way out computes NZCV from the kind local.
     */
    private void computeFlagLiveness() {
        for (Long s : blocks.keySet()) flagsLiveIn.put(s, false);
        boolean changed = true;
        while (changed) {
            changed = false;
            for (RegionTranslator.Block b : blocks.descendingMap().values()) {
                boolean live = false;
                for (long succ : successors(b)) live |= flagsLiveIn.getOrDefault(succ, false);
                for (int j = b.insns.size() - 1; j >= 0; j--) {
                    FlagUse u = flagUse(b.rows.get(j), b.insns.get(j));
                    if (u == FlagUse.READ) live = true;
                    else if (u == FlagUse.WRITE) live = false;
                }
                if (live != flagsLiveIn.get(b.start)) {
                    flagsLiveIn.put(b.start, live);
                    changed = true;
                }
            }
        }
    }

    private static List<Long> successors(RegionTranslator.Block b) {
        return switch (b.end) {
            case FALLTHROUGH -> List.of(b.endPc());
            case DIRECT -> List.of(b.target);
            case CONDITIONAL -> List.of(b.endPc(), b.target);
            case EXIT -> List.of();
        };
    }

    private static FlagUse flagUse(InsnRow row, int insn) {
        if (row.section == Section.BRANCH) {
            return row.name.equals("B_cond") ? FlagUse.READ : FlagUse.NONE;
        }
        if (!translatable(row, insn)) return FlagUse.READ;
        return switch (row.name) {
            case "CSEL", "CSINC", "CSINV", "CSNEG", "CCMP_reg", "CCMN_reg", "CCMP_imm", "CCMN_imm" -> FlagUse.READ;
            case "ADDS_imm", "SUBS_imm", "ADDS_reg", "SUBS_reg", "ADDS_ext", "SUBS_ext", "ANDS_imm", "ANDS_reg",
                 "BICS_reg" -> FlagUse.WRITE;
            default -> FlagUse.NONE;
        };
    }

    // ---------------------------------------------------------------- registers

    /** Pushes Rn where 31 is the zero register. */
    private void x(int r) {
        if (r == 31) {
            cb.lconst_0();
        } else {
            blockTouched.set(r);
            cb.lload(reg(r));
        }
    }

    /** Pushes Rn where 31 is SP. */
    private void xsp(int r) {
        blockTouched.set(r);
        cb.lload(reg(r));
    }

    /** Pops a long into Rd where 31 is the zero register. */
    private void setX(int r) {
        if (r == 31) {
            cb.pop2();
        } else {
            setXsp(r);
        }
    }

    private void setXsp(int r) {
        blockTouched.set(r);
        dirty.set(r);
        cb.lstore(reg(r));
    }

    /** Pops a 64-bit result into Rd|ZR, zero-extending its low half for a 32-bit operation. */
    private void setRd(int insn) {
        if (insn >= 0) cb.loadConstant(LOW32).land();
        setX(insn & 31);
    }

    private void setRdOrSp(int insn) {
        if (insn >= 0) cb.loadConstant(LOW32).land();
        setXsp(insn & 31);
    }

    // ---------------------------------------------------------------- flags

    private void setFlagState(int kind) {
        flagState = kind;
        cb.loadConstant(kind).istore(L_FKIND);
    }

    /** Computes NZCV from the statically known lazy state into the NZCV local. */
    private void materializeFlags() {
        switch (flagState) {
            case UNKNOWN, DbtRuntime.FLAGS_NZCV -> { return; }
            case DbtRuntime.FLAGS_ADD64 -> flagCall("addFlags64", true);
            case DbtRuntime.FLAGS_SUB64 -> flagCall("subFlags64", true);
            case DbtRuntime.FLAGS_ADD32 -> flagCall("addFlags32", true);
            case DbtRuntime.FLAGS_SUB32 -> flagCall("subFlags32", true);
            case DbtRuntime.FLAGS_LOGIC64 -> flagCall("logicFlags64", false);
            case DbtRuntime.FLAGS_LOGIC32 -> flagCall("logicFlags32", false);
            default -> throw new IllegalStateException("flag state " + flagState);
        }
        cb.istore(L_NZCV);
        setFlagState(DbtRuntime.FLAGS_NZCV);
    }

    private void flagCall(String name, boolean two) {
        cb.lload(L_FA);
        if (two) cb.lload(L_FB);
        cb.invokestatic(CD_RUNTIME, name, two ? MTD_FLAGS2 : MTD_FLAGS1);
    }

    private static Opcode invert(Opcode op) {
        return switch (op) {
            case IFEQ -> Opcode.IFNE;
            case IFNE -> Opcode.IFEQ;
            case IFLT -> Opcode.IFGE;
            case IFGE -> Opcode.IFLT;
            case IFGT -> Opcode.IFLE;
            case IFLE -> Opcode.IFGT;
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    /**
     * Jumps to {@code target} when condition {@code cond} holds (or, with {@code negate}, when it does not), falling
     * through otherwise. From a known SUBS or ANDS the condition becomes a comparison of the operands or result;
     * otherwise it is evaluated on materialized NZCV.
     */
    private void jumpIf(int cond, boolean negate, Label target) {
        boolean always = cond >>> 1 == 7;
        if (always) {
            if (!negate) cb.goto_(target);
            return;
        }
        boolean invertCond = (cond & 1) != 0;
        Opcode op;
        Boolean constant = null;
        int base = cond >>> 1;
        boolean wide = flagState == DbtRuntime.FLAGS_SUB64 || flagState == DbtRuntime.FLAGS_LOGIC64;
        if (flagState == DbtRuntime.FLAGS_SUB64 || flagState == DbtRuntime.FLAGS_SUB32) {
            op = switch (base) {
                case 0 -> { signedCompare(wide); yield Opcode.IFEQ; }
                case 1 -> { unsignedCompare(wide); yield Opcode.IFGE; }
                case 2 -> { difference(wide); yield Opcode.IFLT; }
                case 3 -> { subOverflow(wide); yield Opcode.IFLT; }
                case 4 -> { unsignedCompare(wide); yield Opcode.IFGT; }
                case 5 -> { signedCompare(wide); yield Opcode.IFGE; }
                default -> { signedCompare(wide); yield Opcode.IFGT; }
            };
        } else if (flagState == DbtRuntime.FLAGS_LOGIC64 || flagState == DbtRuntime.FLAGS_LOGIC32) {
            // C and V are clear: CS, VS and HI never hold; GE and GT test N = 0.
            switch (base) {
                case 1, 3, 4 -> { constant = false; op = null; }
                case 0 -> { resultSign(wide); op = Opcode.IFEQ; }
                case 2 -> { resultSign(wide); op = Opcode.IFLT; }
                case 5 -> { resultSign(wide); op = Opcode.IFGE; }
                default -> { resultSign(wide); op = Opcode.IFGT; }
            }
        } else {
            materializeFlags();
            cb.iload(L_NZCV).loadConstant(cond & ~1).invokestatic(CD_RUNTIME, "condition", MTD_COND);
            op = Opcode.IFNE;
        }
        boolean flip = invertCond != negate;
        if (constant != null) {
            if (constant != flip) cb.goto_(target);
            return;
        }
        cb.branch(flip ? invert(op) : op, target);
    }

    private void signedCompare(boolean wide) {
        if (wide) cb.lload(L_FA).lload(L_FB).lcmp();
        else cb.lload(L_FA).l2i().i2l().lload(L_FB).l2i().i2l().lcmp();
    }

    private void unsignedCompare(boolean wide) {
        if (wide) {
            cb.lload(L_FA).lload(L_FB).invokestatic(CD_LONG_BOX, "compareUnsigned", MTD_LL_I);
        } else {
            cb.lload(L_FA).l2i().lload(L_FB).l2i().invokestatic(CD_INT_BOX, "compareUnsigned", MTD_II_I);
        }
    }

    private void difference(boolean wide) {
        if (wide) {
            cb.lload(L_FA).lload(L_FB).lsub().lconst_0().lcmp();
        } else {
            cb.lload(L_FA).l2i().lload(L_FB).l2i().isub();
        }
    }

    /** Pushes a value whose sign is the V flag of FA - FB: (a ^ b) & (a ^ (a - b)). */
    private void subOverflow(boolean wide) {
        if (wide) {
            cb.lload(L_FA).lload(L_FB).lxor();
            cb.lload(L_FA).lload(L_FA).lload(L_FB).lsub().lxor();
            cb.land().lconst_0().lcmp();
        } else {
            cb.lload(L_FA).lload(L_FB).lxor();
            cb.lload(L_FA).lload(L_FA).lload(L_FB).lsub().lxor();
            cb.land().l2i();
        }
    }

    private void resultSign(boolean wide) {
        cb.lload(L_FA);
        if (wide) cb.lconst_0().lcmp();
        else cb.l2i();
    }

    // ---------------------------------------------------------------- semantics calls

    private void setOffset(long pc) {
        cb.loadConstant((int) (pc - (startPc & ~0xFFFL))).istore(L_OFFSET);
    }

    /** Stores the registers written since the last flush into {@code c.x}. */
    private void flushDirty() {
        storeRegisters(dirty);
        dirty.clear();
        previousSite = null;
    }

    private void storeRegisters(BitSet regs) {
        for (int r = regs.nextSetBit(0); r >= 0; r = regs.nextSetBit(r + 1)) {
            cb.aload(L_XREGS).loadConstant(r).lload(reg(r)).lastore();
        }
    }

    /**
     * The guest memory accesses of one instruction, [start, end) in the bytecode. Registers stay in locals across
     * them: only if one faults does its handler store the registers that were dirty before the instruction, which
     * keeps the stores off the path that runs.
     */
    private record AccessSite(Label start, Label end, Label handler, Label stores, BitSet newlyDirty, int offset,
                              AccessSite previous) {}

    /** The last access site since registers were last flushed: its handler stores what was dirty before that. */
    private AccessSite previousSite;

    /** Emits {@code body}, the accesses of the instruction at {@code pc} and what follows them, as an access site. */
    private void accessSite(long pc, Runnable body) {
        Label start = cb.newLabel(), end = cb.newLabel();
        BitSet newlyDirty = (BitSet) dirty.clone();
        for (AccessSite a = previousSite; a != null; a = a.previous) newlyDirty.andNot(a.newlyDirty);
        cb.labelBinding(start);
        body.run();
        cb.labelBinding(end);
        AccessSite site = new AccessSite(start, end, cb.newLabel(), cb.newLabel(), newlyDirty,
                (int) (pc - (startPc & ~0xFFFL)), previousSite);
        accessSites.add(site);
        previousSite = site;
    }

    /** Calls the row's semantics with the next PC left on the stack, keeping locals and the Cpu coherent around it. */
    private void emitCall(InsnRow row, int insn, long pc) {
        setOffset(pc);
        flushDirty();
        materializeFlags();
        if (flagState == UNKNOWN) setFlagState(DbtRuntime.FLAGS_NZCV);
        cb.aload(L_CPU).iload(L_NZCV).putfield(CD_CPU, "nzcv", CD_int);
        Label start = cb.newLabel(), end = cb.newLabel();
        cb.labelBinding(start);
        int k = constantIndex.get(row.id());
        cb.ldc(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA_AT, ConstantDescs.DEFAULT_NAME, CD_EXEC, k));
        cb.aload(L_CPU).loadConstant(insn).loadConstant(pc);
        cb.invokeinterface(CD_EXEC, "exec", MTD_EXEC);
        cb.labelBinding(end);
        execRanges.add(new Label[] {start, end});
        loadRegisters();
        cb.aload(L_CPU).getfield(CD_CPU, "nzcv", CD_int).istore(L_NZCV);
    }

    // ---------------------------------------------------------------- which rows get direct bytecode

    /** Whether {@link #emitDirect} translates this word (allocated and of a row it knows). */
    static boolean translatable(InsnRow row, int insn) {
        boolean sf = insn < 0;
        return switch (row.name) {
            case "ADR", "ADRP", "ADD_imm", "ADDS_imm", "SUB_imm", "SUBS_imm", "CSEL", "CSINC", "CSINV", "CSNEG",
                 "CCMN_reg", "CCMP_reg", "CCMN_imm", "CCMP_imm", "MADD", "MSUB", "SMADDL", "SMSUBL", "UMADDL",
                 "UMSUBL", "SMULH", "UMULH", "UDIV", "SDIV", "LSLV", "LSRV", "ASRV", "RORV", "CLZ", "RBIT", "REV_x",
                 "REV_w", "PRFM_uoff", "PRFUM", "PRFM_reg", "PRFM_lit", "LDR_w_lit", "LDR_x_lit", "LDRSW_lit",
                 "HINT" -> true;
            case "MRS" -> (insn >>> 5 & 0xFFFF) == SysReg.TPIDR_EL0;
            case "AND_imm", "ORR_imm", "EOR_imm", "ANDS_imm" ->
                    (sf || (insn >>> 22 & 1) == 0) && bitmask(insn >>> 22 & 1, insn >>> 16 & 63, insn >>> 10 & 63) != 0;
            case "MOVN", "MOVZ", "MOVK" -> sf || (insn & 0x0040_0000) == 0;
            case "SBFM", "BFM", "UBFM" -> sf ? (insn >>> 22 & 1) == 1
                    : (insn >>> 22 & 1) == 0 && (insn & 0x8000) == 0 && (insn & 0x20_0000) == 0;
            case "EXTR" -> (insn >>> 22 & 1) == (insn >>> 31) && (sf || (insn & 0x8000) == 0);
            case "AND_reg", "BIC_reg", "ORR_reg", "ORN_reg", "EOR_reg", "EON_reg", "ANDS_reg", "BICS_reg" ->
                    sf || (insn & 0x8000) == 0;
            case "ADD_reg", "ADDS_reg", "SUB_reg", "SUBS_reg" -> (sf || (insn & 0x8000) == 0) && (insn >>> 22 & 3) != 3;
            case "ADD_ext", "ADDS_ext", "SUB_ext", "SUBS_ext" -> (insn >>> 10 & 7) <= 4;
            default -> memoryKind(row.name) != null && pairOrSingleAllocated(row.name, insn);
        };
    }

    /**
     * The general-register load/store rows handled directly: the transfer ("LDR_x", "STP_w", ...) and the addressing
     * mode ("uoff", "unscaled", "pre", "post", "reg", "off", "nt"), or null.
     */
    private static String[] memoryKind(String name) {
        switch (name) {
            case "STP_w_post", "STP_w_off", "STP_w_pre", "LDP_w_post", "LDP_w_off", "LDP_w_pre", "STP_x_post",
                 "STP_x_off", "STP_x_pre", "LDP_x_post", "LDP_x_off", "LDP_x_pre", "LDPSW_post", "LDPSW_off",
                 "LDPSW_pre", "STNP_w", "LDNP_w", "STNP_x", "LDNP_x" -> { return new String[] {"pair", ""}; }
            default -> { }
        }
        int u = name.lastIndexOf('_');
        if (u < 0) return null;
        String kind = name.substring(0, u), mode = name.substring(u + 1);
        boolean generalKind = switch (kind) {
            case "STRB", "LDRB", "LDRSB_x", "LDRSB_w", "STRH", "LDRH", "LDRSH_x", "LDRSH_w", "STR_w", "LDR_w",
                 "LDRSW", "STR_x", "LDR_x" -> true;
            default -> false;
        };
        // The unprivileged forms (LDTR/STTR) stay with the semantics: at EL1 they check permissions as EL0 would.
        boolean knownMode = switch (mode) {
            case "uoff", "unscaled", "pre", "post", "reg" -> true;
            default -> false;
        };
        return generalKind && knownMode ? new String[] {kind, mode} : null;
    }

    /** LDP with Rt == Rt2 is UNDEFINED: those stay with the semantics, which raise it. */
    private static boolean pairOrSingleAllocated(String name, int insn) {
        boolean pairLoad = name.startsWith("LDP") || name.startsWith("LDNP");
        return !pairLoad || (insn & 31) != (insn >>> 10 & 31);
    }

    /**
     * DecodeBitMasks (wmask) of a logical immediate, replicated to 64 bits, or 0 when the encoding is reserved (the
     * all-ones element; a valid immediate is never 0).
     */
    static long bitmask(int n, int immr, int imms) {
        int len = 31 - Integer.numberOfLeadingZeros(n << 6 | (~imms & 0x3F));
        if (len < 1) return 0;
        int esize = 1 << len, levels = esize - 1;
        int s = imms & levels, r = immr & levels;
        if (s == levels) return 0;
        long elementMask = esize == 64 ? -1L : (1L << esize) - 1;
        long ones = (1L << (s + 1)) - 1;
        long element = r == 0 ? ones : (ones >>> r | ones << (esize - r)) & elementMask;
        for (int width = esize; width < 64; width <<= 1) element |= element << width;
        return element;
    }

    // ---------------------------------------------------------------- data processing

    /** Emits direct bytecode for a non-branch instruction if the emitter handles it; false leaves it to the caller. */
    private boolean emitDirect(InsnRow row, int insn, long pc) {
        if (!translatable(row, insn)) return false;
        int d = insn & 31, n = insn >>> 5 & 31, m = insn >>> 16 & 31;
        boolean sf = insn < 0;
        switch (row.name) {
            case "ADR" -> { cb.loadConstant(pc + adrOffset(insn)); setX(d); }
            case "ADRP" -> { cb.loadConstant((pc & ~0xFFFL) + (adrOffset(insn) << 12)); setX(d); }
            case "ADD_imm", "SUB_imm" -> {
                xsp(n);
                cb.loadConstant(addSubImmediate(insn));
                if (row.name.startsWith("ADD")) cb.ladd();
                else cb.lsub();
                setRdOrSp(insn);
            }
            case "ADDS_imm", "SUBS_imm" -> {
                xsp(n);
                cb.lstore(L_FA);
                cb.loadConstant(addSubImmediate(insn)).lstore(L_FB);
                flagSettingAddSub(insn, row.name.startsWith("SUB"));
            }
            case "ADD_reg", "SUB_reg" -> {
                x(n);
                shiftedRm(insn);
                if (row.name.startsWith("ADD")) cb.ladd();
                else cb.lsub();
                setRd(insn);
            }
            case "ADDS_reg", "SUBS_reg" -> {
                x(n);
                cb.lstore(L_FA);
                shiftedRm(insn);
                cb.lstore(L_FB);
                flagSettingAddSub(insn, row.name.startsWith("SUB"));
            }
            case "ADD_ext", "SUB_ext" -> {
                xsp(n);
                extendedRm(insn);
                if (row.name.startsWith("ADD")) cb.ladd();
                else cb.lsub();
                setRdOrSp(insn);
            }
            case "ADDS_ext", "SUBS_ext" -> {
                xsp(n);
                cb.lstore(L_FA);
                extendedRm(insn);
                cb.lstore(L_FB);
                flagSettingAddSub(insn, row.name.startsWith("SUB"));
            }
            case "AND_imm", "ORR_imm", "EOR_imm" -> {
                x(n);
                cb.loadConstant(bitmask(insn >>> 22 & 1, insn >>> 16 & 63, insn >>> 10 & 63));
                switch (row.name) {
                    case "AND_imm" -> cb.land();
                    case "ORR_imm" -> cb.lor();
                    default -> cb.lxor();
                }
                setRdOrSp(insn);
            }
            case "ANDS_imm" -> {
                x(n);
                cb.loadConstant(bitmask(insn >>> 22 & 1, insn >>> 16 & 63, insn >>> 10 & 63)).land();
                flagSettingLogical(insn);
            }
            case "AND_reg", "BIC_reg", "ORR_reg", "ORN_reg", "EOR_reg", "EON_reg" -> {
                x(n);
                shiftedRm(insn);
                if ((insn & 1 << 21) != 0) cb.loadConstant(-1L).lxor();
                switch (row.name.substring(0, 3)) {
                    case "AND", "BIC" -> cb.land();
                    case "ORR", "ORN" -> cb.lor();
                    default -> cb.lxor();
                }
                setRd(insn);
            }
            case "ANDS_reg", "BICS_reg" -> {
                x(n);
                shiftedRm(insn);
                if ((insn & 1 << 21) != 0) cb.loadConstant(-1L).lxor();
                cb.land();
                flagSettingLogical(insn);
            }
            case "MOVZ", "MOVN" -> {
                long v = (long) (insn >>> 5 & 0xFFFF) << ((insn >>> 21 & 3) * 16);
                if (row.name.equals("MOVN")) v = ~v;
                cb.loadConstant(v);
                setRd(insn);
            }
            case "MOVK" -> {
                int shift = (insn >>> 21 & 3) * 16;
                x(d);
                cb.loadConstant(~(0xFFFFL << shift)).land();
                cb.loadConstant((long) (insn >>> 5 & 0xFFFF) << shift).lor();
                setRd(insn);
            }
            case "SBFM", "UBFM" -> bitfieldMove(insn, row.name.equals("SBFM"));
            case "BFM" -> bitfieldInsert(insn);
            case "EXTR" -> extract(insn);
            case "CSEL", "CSINC", "CSINV", "CSNEG" -> conditionalSelect(row.name, insn);
            case "CCMN_reg", "CCMP_reg", "CCMN_imm", "CCMP_imm" -> conditionalCompare(row.name, insn);
            case "MADD", "MSUB" -> {
                x(insn >>> 10 & 31);
                x(n);
                x(m);
                cb.lmul();
                if (row.name.equals("MADD")) cb.ladd();
                else cb.lsub();
                setRd(insn);
            }
            case "SMADDL", "SMSUBL", "UMADDL", "UMSUBL" -> {
                boolean signed = row.name.charAt(0) == 'S';
                x(insn >>> 10 & 31);
                x(n);
                if (signed) cb.l2i().i2l();
                else cb.loadConstant(LOW32).land();
                x(m);
                if (signed) cb.l2i().i2l();
                else cb.loadConstant(LOW32).land();
                cb.lmul();
                if (row.name.contains("ADD")) cb.ladd();
                else cb.lsub();
                setX(d);
            }
            case "SMULH", "UMULH" -> {
                x(n);
                x(m);
                cb.invokestatic(CD_MATH, row.name.equals("SMULH") ? "multiplyHigh" : "unsignedMultiplyHigh", MTD_LL_L);
                setX(d);
            }
            case "UDIV", "SDIV" -> {
                x(n);
                x(m);
                String helper = (row.name.equals("UDIV") ? "udiv" : "sdiv") + (sf ? "64" : "32");
                cb.invokestatic(CD_RUNTIME, helper, MTD_LL_L);
                setX(d);
            }
            case "LSLV", "LSRV", "ASRV", "RORV" -> variableShift(row.name, insn);
            case "CLZ" -> {
                x(n);
                if (sf) cb.invokestatic(CD_LONG_BOX, "numberOfLeadingZeros", MTD_L_I);
                else cb.l2i().invokestatic(CD_INT_BOX, "numberOfLeadingZeros", MTD_I_I);
                cb.i2l();
                setX(d);
            }
            case "RBIT" -> {
                x(n);
                if (sf) cb.invokestatic(CD_LONG_BOX, "reverse", MTD_L_L);
                else cb.l2i().invokestatic(CD_INT_BOX, "reverse", MTD_I_I).i2l();
                setRd(insn);
            }
            case "REV_x" -> { x(n); cb.invokestatic(CD_LONG_BOX, "reverseBytes", MTD_L_L); setX(d); }
            case "REV_w" -> { x(n); cb.l2i().invokestatic(CD_INT_BOX, "reverseBytes", MTD_I_I).i2l(); setRd(insn); }
            case "PRFM_uoff", "PRFUM", "PRFM_reg", "PRFM_lit" -> { }  // a hint: no architectural effect, never faults
            case "HINT" -> { }  // the row's semantics: every hint without its own row executes as a NOP
            case "MRS" -> { cb.aload(L_CPU).getfield(CD_CPU, "tpidrEl0", CD_long); setX(d); }
            case "LDR_w_lit", "LDR_x_lit", "LDRSW_lit" -> literalLoad(row.name, insn, pc);
            default -> memory(row.name, insn, pc);
        }
        return true;
    }

    private static long adrOffset(int insn) {
        return (long) ((insn << 8 >> 13) << 2 | (insn >>> 29 & 3));
    }

    private static long addSubImmediate(int insn) {
        return (long) (insn >>> 10 & 0xFFF) << ((insn >>> 22 & 1) * 12);
    }

    /** With the operands in FA and FB: Rd|ZR = FA ± FB, and the flags left lazy. */
    private void flagSettingAddSub(int insn, boolean subtract) {
        boolean sf = insn < 0;
        setFlagState(subtract ? (sf ? DbtRuntime.FLAGS_SUB64 : DbtRuntime.FLAGS_SUB32)
                : (sf ? DbtRuntime.FLAGS_ADD64 : DbtRuntime.FLAGS_ADD32));
        cb.lload(L_FA).lload(L_FB);
        if (subtract) cb.lsub();
        else cb.ladd();
        setRd(insn);
    }

    /** With the result on the stack: Rd|ZR = result, flags N and Z from it, C and V clear, left lazy. */
    private void flagSettingLogical(int insn) {
        cb.dup2().lstore(L_FA);
        setFlagState(insn < 0 ? DbtRuntime.FLAGS_LOGIC64 : DbtRuntime.FLAGS_LOGIC32);
        setRd(insn);
    }

    /** Pushes Rm|ZR shifted by type and imm6; a 32-bit form shifts the low word (and ROR rotates within it). */
    private void shiftedRm(int insn) {
        int type = insn >>> 22 & 3, amount = insn >>> 10 & 63;
        x(insn >>> 16 & 31);
        if (amount == 0) return;
        if (insn < 0) {
            cb.loadConstant(amount);
            switch (type) {
                case 0 -> cb.lshl();
                case 1 -> cb.lushr();
                case 2 -> cb.lshr();
                default -> cb.invokestatic(CD_LONG_BOX, "rotateRight", MTD_LI_L);
            }
        } else {
            cb.l2i().loadConstant(amount);
            switch (type) {
                case 0 -> cb.ishl();
                case 1 -> cb.iushr();
                case 2 -> cb.ishr();
                default -> cb.invokestatic(CD_INT_BOX, "rotateRight", MTD_II_I);
            }
            cb.i2l();
        }
    }

    /** Pushes Rm|ZR extended by option (UXTB ... SXTX) and shifted left by imm3. */
    private void extendedRm(int insn) {
        x(insn >>> 16 & 31);
        switch (insn >>> 13 & 7) {
            case 0 -> cb.loadConstant(0xFFL).land();
            case 1 -> cb.loadConstant(0xFFFFL).land();
            case 2 -> cb.loadConstant(LOW32).land();
            case 4 -> cb.l2i().i2b().i2l();
            case 5 -> cb.l2i().i2s().i2l();
            case 6 -> cb.l2i().i2l();
            default -> { }
        }
        int shift = insn >>> 10 & 7;
        if (shift != 0) cb.loadConstant(shift).lshl();
    }

    /*
     * SBFM/UBFM: with imms >= immr, bits imms..immr of Rn go to the bottom of Rd; otherwise bits imms..0 go to bit
     * datasize - immr. Shifting the field's top bit to bit 63 first makes the extension fall out of the right shift.
     */
    private void bitfieldMove(int insn, boolean signed) {
        int r = insn >>> 16 & 63, s = insn >>> 10 & 63, datasize = insn < 0 ? 64 : 32;
        x(insn >>> 5 & 31);
        if (63 - s != 0) cb.loadConstant(63 - s).lshl();
        int right = s >= r ? 63 - s + r : 63 - s;
        if (right != 0) {
            cb.loadConstant(right);
            if (signed) cb.lshr();
            else cb.lushr();
        }
        if (s < r) cb.loadConstant(datasize - r).lshl();
        setRd(insn);
    }

    /** BFM (BFI, BFXIL): a field of Rn replaces the same-width field of Rd, the rest of Rd kept. */
    private void bitfieldInsert(int insn) {
        int r = insn >>> 16 & 63, s = insn >>> 10 & 63, datasize = insn < 0 ? 64 : 32;
        int width, position, srcShift;
        if (s >= r) {
            width = s - r + 1;
            srcShift = r;
            position = 0;
        } else {
            width = s + 1;
            srcShift = 0;
            position = datasize - r;
        }
        long mask = (-1L >>> (64 - width)) << position;
        x(insn & 31);
        cb.loadConstant(~mask).land();
        x(insn >>> 5 & 31);
        if (srcShift != 0) cb.loadConstant(srcShift).lushr();
        if (position != 0) cb.loadConstant(position).lshl();
        cb.loadConstant(mask).land().lor();
        setRd(insn);
    }

    private void extract(int insn) {
        int lsb = insn >>> 10 & 63;
        int n = insn >>> 5 & 31, m = insn >>> 16 & 31;
        if (insn < 0) {
            x(m);
            if (lsb != 0) {
                cb.loadConstant(lsb).lushr();
                x(n);
                cb.loadConstant(64 - lsb).lshl().lor();
            }
            setX(insn & 31);
        } else {
            x(n);
            cb.loadConstant(32).lshl();
            x(m);
            cb.loadConstant(LOW32).land().lor();
            if (lsb != 0) cb.loadConstant(lsb).lushr();
            setRd(insn);
        }
    }

    private void conditionalSelect(String name, int insn) {
        Label first = cb.newLabel(), join = cb.newLabel();
        jumpIf(insn >>> 12 & 15, false, first);
        x(insn >>> 16 & 31);
        switch (name) {
            case "CSINC" -> cb.lconst_1().ladd();
            case "CSINV" -> cb.loadConstant(-1L).lxor();
            case "CSNEG" -> cb.lneg();
            default -> { }
        }
        cb.goto_(join);
        cb.labelBinding(first);
        x(insn >>> 5 & 31);
        cb.labelBinding(join);
        setRd(insn);
    }

    /** CCMP/CCMN: the comparison's flags when the condition holds, else the immediate NZCV; left materialized. */
    private void conditionalCompare(String name, int insn) {
        Label holds = cb.newLabel(), join = cb.newLabel();
        jumpIf(insn >>> 12 & 15, false, holds);
        cb.loadConstant((insn & 15) << 28).istore(L_NZCV);
        cb.goto_(join);
        cb.labelBinding(holds);
        x(insn >>> 5 & 31);
        if (name.endsWith("imm")) cb.loadConstant((long) (insn >>> 16 & 31));
        else x(insn >>> 16 & 31);
        boolean sf = insn < 0, negate = name.startsWith("CCMN");
        cb.invokestatic(CD_RUNTIME, (negate ? "addFlags" : "subFlags") + (sf ? "64" : "32"), MTD_FLAGS2);
        cb.istore(L_NZCV);
        cb.labelBinding(join);
        setFlagState(DbtRuntime.FLAGS_NZCV);
    }

    /** LSLV/LSRV/ASRV/RORV: the amount is Rm modulo the register size, as Java masks shift counts. */
    private void variableShift(String name, int insn) {
        x(insn >>> 5 & 31);
        if (insn < 0) {
            x(insn >>> 16 & 31);
            cb.l2i();
            switch (name) {
                case "LSLV" -> cb.lshl();
                case "LSRV" -> cb.lushr();
                case "ASRV" -> cb.lshr();
                default -> cb.invokestatic(CD_LONG_BOX, "rotateRight", MTD_LI_L);
            }
        } else {
            cb.l2i();
            x(insn >>> 16 & 31);
            cb.l2i();
            switch (name) {
                case "LSLV" -> cb.ishl();
                case "LSRV" -> cb.iushr();
                case "ASRV" -> cb.ishr();
                default -> cb.invokestatic(CD_INT_BOX, "rotateRight", MTD_II_I);
            }
            cb.i2l();
        }
        setRd(insn);
    }

    // ---------------------------------------------------------------- loads and stores

    private void literalLoad(String name, int insn, long pc) {
        long address = pc + ((long) (insn << 8) >> 11 & ~3L);
        accessSite(pc, () -> {
            cb.aload(L_MEM).loadConstant(address);
            switch (name) {
                case "LDR_w_lit" -> cb.invokestatic(CD_RUNTIME, "read32", MTD_READ_I).i2l().loadConstant(LOW32).land();
                case "LDR_x_lit" -> cb.invokestatic(CD_RUNTIME, "read64", MTD_READ_L);
                default -> cb.invokestatic(CD_RUNTIME, "read32", MTD_READ_I).i2l();
            }
            setX(insn & 31);
        });
    }

    private void memory(String name, int insn, long pc) {
        String[] km = memoryKind(name);
        accessSite(pc, () -> {
            if (km[0].equals("pair")) pair(insn);
            else single(km[0], km[1], insn);
        });
    }

    private static long simm9(int insn) {
        return insn << 11 >> 23;
    }

    /** One general-register load or store; the base writeback follows the CONSTRAINED UNPREDICTABLE choices of LoadStore. */
    private void single(String kind, String mode, int insn) {
        int t = insn & 31, n = insn >>> 5 & 31, size = insn >>> 30;
        boolean load = (insn & 3 << 22) != 0;
        switch (mode) {
            case "pre" -> { xsp(n); cb.loadConstant(simm9(insn)).ladd().lstore(L_T0); }
            case "post" -> { xsp(n); cb.lstore(L_T0); }
            default -> { }
        }
        cb.aload(L_MEM);
        switch (mode) {
            case "uoff" -> { xsp(n); cb.loadConstant((long) (insn >>> 10 & 0xFFF) << size).ladd(); }
            case "unscaled" -> { xsp(n); cb.loadConstant(simm9(insn)).ladd(); }
            case "reg" -> {
                xsp(n);
                x(insn >>> 16 & 31);
                int option = insn >>> 13 & 7;
                if ((option & 1) == 0) {
                    if ((option & 4) != 0) cb.l2i().i2l();
                    else cb.loadConstant(LOW32).land();
                }
                if ((insn & 1 << 12) != 0 && size != 0) cb.loadConstant(size).lshl();
                cb.ladd();
            }
            default -> cb.lload(L_T0);
        }
        switch (kind) {
            case "STRB" -> { x(t); cb.l2i().invokestatic(CD_RUNTIME, "write8", MTD_WRITE_I); }
            case "STRH" -> { x(t); cb.l2i().invokestatic(CD_RUNTIME, "write16", MTD_WRITE_I); }
            case "STR_w" -> { x(t); cb.l2i().invokestatic(CD_RUNTIME, "write32", MTD_WRITE_I); }
            case "STR_x" -> { x(t); cb.invokestatic(CD_RUNTIME, "write64", MTD_WRITE_L); }
            case "LDRB" -> { cb.invokestatic(CD_RUNTIME, "read8", MTD_READ_I).i2l(); setX(t); }
            case "LDRH" -> { cb.invokestatic(CD_RUNTIME, "read16", MTD_READ_I).i2l(); setX(t); }
            case "LDR_w" -> { cb.invokestatic(CD_RUNTIME, "read32", MTD_READ_I).i2l().loadConstant(LOW32).land(); setX(t); }
            case "LDR_x" -> { cb.invokestatic(CD_RUNTIME, "read64", MTD_READ_L); setX(t); }
            case "LDRSB_x" -> { cb.invokestatic(CD_RUNTIME, "read8", MTD_READ_I).i2b().i2l(); setX(t); }
            case "LDRSH_x" -> { cb.invokestatic(CD_RUNTIME, "read16", MTD_READ_I).i2s().i2l(); setX(t); }
            case "LDRSW" -> { cb.invokestatic(CD_RUNTIME, "read32", MTD_READ_I).i2l(); setX(t); }
            case "LDRSB_w" -> {
                cb.invokestatic(CD_RUNTIME, "read8", MTD_READ_I).i2b().i2l().loadConstant(LOW32).land();
                setX(t);
            }
            case "LDRSH_w" -> {
                cb.invokestatic(CD_RUNTIME, "read16", MTD_READ_I).i2s().i2l().loadConstant(LOW32).land();
                setX(t);
            }
            default -> throw new IllegalStateException(kind);
        }
        if (mode.equals("pre") || mode.equals("post")) {
            if (n == 31 || !load || t != n) {
                cb.lload(L_T0);
                if (mode.equals("post")) cb.loadConstant(simm9(insn)).ladd();
                setXsp(n);
            }
        }
    }

    /** LDP/STP/LDPSW/LDNP/STNP of general registers; bits 24..23: 00 non-temporal, 01 post, 10 offset, 11 pre. */
    private void pair(int insn) {
        int t = insn & 31, n = insn >>> 5 & 31, t2 = insn >>> 10 & 31;
        int mode = insn >>> 23 & 3, opc = insn >>> 30;
        int scale = 2 + (opc >>> 1), bytes = 1 << scale;
        long offset = (long) (insn << 10 >> 25) << scale;
        boolean load = (insn & 1 << 22) != 0, writeBack = (mode & 1) != 0;
        xsp(n);
        if (mode != 1 && offset != 0) cb.loadConstant(offset).ladd();
        cb.lstore(L_T0);
        if (load) {
            if (bytes == 8) {
                cb.aload(L_MEM).lload(L_T0).invokestatic(CD_RUNTIME, "read64", MTD_READ_L).lstore(L_T1);
                cb.aload(L_MEM).lload(L_T0).loadConstant(8L).ladd().invokestatic(CD_RUNTIME, "read64", MTD_READ_L);
                cb.lstore(L_T2);
                cb.lload(L_T1);
                setX(t);
                cb.lload(L_T2);
                setX(t2);
            } else {
                boolean signed = opc == 1;
                cb.aload(L_MEM).lload(L_T0).invokestatic(CD_RUNTIME, "read64", MTD_READ_L).lstore(L_T1);
                cb.lload(L_T1);
                if (signed) cb.l2i().i2l();
                else cb.loadConstant(LOW32).land();
                setX(t);
                cb.lload(L_T1).loadConstant(32);
                if (signed) cb.lshr();
                else cb.lushr();
                setX(t2);
            }
            if (writeBack && (n == 31 || (t != n && t2 != n))) writeBackPair(mode, offset, n);
        } else {
            if (bytes == 8) {
                cb.aload(L_MEM).lload(L_T0);
                x(t);
                x(t2);
                cb.invokestatic(CD_RUNTIME, "write64Pair", MTD_WRITE_PAIR);
            } else {
                cb.aload(L_MEM).lload(L_T0).loadConstant(2 * bytes).invokestatic(CD_LOADSTORE, "probeStore", MTD_PROBE);
                cb.aload(L_MEM).lload(L_T0);
                x(t);
                cb.loadConstant(LOW32).land();
                x(t2);
                cb.loadConstant(32).lshl().lor();
                cb.invokestatic(CD_RUNTIME, "write64", MTD_WRITE_L);
            }
            if (writeBack) writeBackPair(mode, offset, n);
        }
    }

    private void writeBackPair(int mode, long offset, int n) {
        cb.lload(L_T0);
        if (mode == 1 && offset != 0) cb.loadConstant(offset).ladd();
        setXsp(n);
    }

    // ---------------------------------------------------------------- branches

    /** Emits a branch and the edges out of its block; returns false for rows it leaves to the semantics. */
    private boolean emitBranch(InsnRow row, int insn, long pc) {
        switch (row.name) {
            case "B" -> edge(pc + ((long) (insn << 6) >> 4));
            case "BL" -> {
                cb.loadConstant(pc + 4);
                setX(30);
                edge(pc + ((long) (insn << 6) >> 4));
            }
            case "B_cond" -> {
                Label taken = cb.newLabel();
                jumpIf(insn & 15, false, taken);
                conditionalEdges(taken, pc, pc + ((long) (insn << 8) >> 11 & ~3L));
            }
            case "CBZ", "CBNZ" -> {
                Label taken = cb.newLabel();
                x(insn & 31);
                if (insn < 0) cb.lconst_0().lcmp();
                else cb.l2i();
                cb.branch(row.name.equals("CBZ") ? Opcode.IFEQ : Opcode.IFNE, taken);
                conditionalEdges(taken, pc, pc + ((long) (insn << 8) >> 11 & ~3L));
            }
            case "TBZ", "TBNZ" -> {
                Label taken = cb.newLabel();
                int bit = (insn >>> 26 & 32) | (insn >>> 19 & 31);
                x(insn & 31);
                cb.loadConstant(1L << bit).land().lconst_0().lcmp();
                cb.branch(row.name.equals("TBZ") ? Opcode.IFEQ : Opcode.IFNE, taken);
                conditionalEdges(taken, pc, pc + ((long) (insn << 13) >> 16 & ~3L));
            }
            case "BR", "RET" -> {
                x(insn >>> 5 & 31);
                flushDirty();
                cb.goto_(ret);
            }
            case "BLR" -> {
                x(insn >>> 5 & 31);
                cb.lstore(L_T0);
                cb.loadConstant(pc + 4);
                setX(30);
                flushDirty();
                cb.lload(L_T0).goto_(ret);
            }
            default -> { return false; }
        }
        return true;
    }

    private void conditionalEdges(Label taken, long pc, long target) {
        edge(pc + 4);
        cb.labelBinding(taken);
        edge(target);
    }
}
