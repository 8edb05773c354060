package dev.jvisor.engine.dbt;

import dev.jvisor.arch.a64.Cpu;
import dev.jvisor.arch.a64.SysReg;
import dev.jvisor.arch.a64.decode.A64;
import dev.jvisor.arch.a64.decode.DecodeTable;
import dev.jvisor.arch.a64.decode.Exec;
import dev.jvisor.arch.a64.decode.InsnRow;
import dev.jvisor.arch.a64.decode.Section;
import dev.jvisor.memory.MemoryFault;

import java.lang.classfile.ClassFile;
import java.lang.classfile.Attributes;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_short;
import static java.lang.constant.ConstantDescs.CD_void;

/**
 * Translates guest code into {@link Region}s: JVM bytecode built with {@code java.lang.classfile} and loaded as a
 * hidden class, which HotSpot then compiles to host code (the two-stage translation).
 *
 * <p>A region starts at a guest PC and takes in every basic block reachable from it by direct branches and
 * fall-through within its 4 KiB page and the next, up to a size cap. Jumps between its blocks are JVM gotos, so a
 * guest loop is a loop in one method. {@link RegionEmitter} turns the common integer, load/store and branch rows into
 * bytecode of their own on guest registers held in JVM locals; any other row becomes a call of its decode-table
 * row's semantics with the instruction word and PC as constants, the row's {@link Exec} loaded as a class-data
 * constant, so that HotSpot inlines the semantics and folds the field extraction. Rows of the SYSTEM section end the
 * region and hand the result back to the dispatcher (callout translation), as do indirect branches, except those
 * {@link #endsRegion} lets stay (inline translation).
 * Undefined encodings are never translated: the block stops before them and the dispatcher interprets them.
 *
 * <p>Every block that a jump reaches first checks {@link Cpu#exitRequest}, so no guest loop inside a region can hold
 * off an interrupt or a stop request; a region without internal jumps is straight-line and bounded by the cap.
 */
public final class RegionTranslator {
    /**
     * Instructions per region. With direct bytecode and registers in block-local JVM locals, bigger regions pay:
     * hot loops stop being cut into pieces that go through the dispatcher (busybox gzip: 45 million region runs
     * instead of 98 million). The interpreter tier also runs blocks of at most this many instructions.
     */
    static final int MAX_INSTRUCTIONS = 256;
    /**
     * HotSpot never compiles a method of more than 8,000 bytes of bytecode (DontCompileHugeMethods); a region whose
     * run method would be larger is translated again with fewer instructions, in proportion.
     */
    private static final int MAX_CODE_BYTES = 7_900;
    /**
     * A region takes in code from the page it starts in and the next one, so that a function or loop that straddles
     * a page boundary is not cut there (gzip's deflate loop does).
     */
    static final int SPAN_BYTES = 0x2000;

    private static final ClassDesc CD_REGION = ClassDesc.of(Region.class.getName());
    private static final MethodTypeDesc MTD_INIT = MethodTypeDesc.of(CD_void, CD_long, CD_long.arrayType(), CD_short.arrayType(),
            CD_int);
    private static final MethodTypeDesc MTD_RUN = MethodTypeDesc.of(CD_long, RegionEmitter.CD_CPU);

    private final DecodeTable table = A64.TABLE;
    private final MethodHandles.Lookup lookup = MethodHandles.lookup();

    enum End { FALLTHROUGH, DIRECT, CONDITIONAL, EXIT }

    /** A straight run of instructions, [start, start + 4 * length), and how it ends. */
    static final class Block {
        final long start;
        final List<Integer> insns = new ArrayList<>();
        final List<InsnRow> rows = new ArrayList<>();
        End end = End.FALLTHROUGH;
        long target;
        boolean jumpTarget;

        Block(long start) {
            this.start = start;
        }

        long endPc() {
            return start + 4L * insns.size();
        }
    }

    /** Bytes of bytecode emitted, for statistics. */
    long bytecodeBytes;
    /** Size of the last run method {@link #emit} built. */
    private int rejectedCodeLength;

    /**
     * Translates the region starting at {@code startPc}, or returns null when there is nothing to translate there
     * (the first instruction faults on fetch or is undefined): the dispatcher then interprets it.
     */
    public Region translate(Cpu cpu, long startPc) {
        for (int cap = MAX_INSTRUCTIONS; ; ) {
            TreeMap<Long, Block> blocks = discover(cpu, startPc, cap);
            if (blocks.isEmpty()) return null;
            long page = startPc & ~0xFFFL;
            boolean spans = blocks.lastKey() + 4L * (blocks.lastEntry().getValue().insns.size() - 1) >= page + 0x1000;
            long[] hostPages = spans
                    ? new long[] {cpu.mem.codeHostPage(page), cpu.mem.codeHostPage(page + 0x1000)}
                    : new long[] {cpu.mem.codeHostPage(page)};
            Region r = emit(blocks, startPc, hostPages, cap > 1);
            if (r != null) return r;
            // Try again with about as many instructions as fit: halving cut hot loops in two that would have fit.
            cap = (int) Math.max(1, Math.min(cap - 1, (long) cap * MAX_CODE_BYTES / rejectedCodeLength * 15 / 16));
        }
    }

    /**
     * System rows that stay inside a region: hints (NOP and the pointer-authentication and BTI hints a kernel puts in
     * every function, which are NOPs without those features), barriers, CLREX, data-cache operations, MRS, MSR
     * (immediate) and MSR to registers that cannot change how the rest of the region's code is fetched or mapped.
     * They run their semantics in place; the emitter follows each with a check of {@link Cpu#exitRequest}, so an
     * interrupt that DAIFClr or a write to DAIF or ICC_PMR unmasks is taken at once (inline translation). The rest
     * (exception generation, WFI/WFE, TLB and instruction-cache maintenance, translation-control registers) end
     * the region and go back to the dispatcher (callout translation).
     */
    static boolean endsRegion(InsnRow row, int insn) {
        return switch (row.name) {
            case "HINT", "YIELD", "CLREX", "DSB", "DMB", "ISB", "DC_ZVA", "DC_CVAC", "DC_CVAU", "DC_CVAP", "DC_CIVAC",
                 "MRS", "MSR_imm" -> false;
            case "MSR_reg" -> !INLINE_MSR.contains(insn >>> 5 & 0xFFFF);
            default -> true;
        };
    }

    /** Registers whose writes only change state the following instructions read through the CPU or devices. */
    private static final java.util.Set<Integer> INLINE_MSR = java.util.Set.of(SysReg.NZCV, SysReg.DAIF, SysReg.FPCR,
            SysReg.FPSR, SysReg.TPIDR_EL0, SysReg.TPIDRRO_EL0, SysReg.TPIDR_EL1, SysReg.SP_EL0, SysReg.ELR_EL1,
            SysReg.SPSR_EL1, SysReg.ESR_EL1, SysReg.FAR_EL1, SysReg.CNTKCTL_EL1, SysReg.MDSCR_EL1,
            SysReg.CNTP_TVAL_EL0, SysReg.CNTP_CTL_EL0, SysReg.CNTP_CVAL_EL0, SysReg.CNTV_TVAL_EL0,
            SysReg.CNTV_CTL_EL0, SysReg.CNTV_CVAL_EL0,
            SysReg.encode(3, 0, 4, 6, 0) /* ICC_PMR_EL1 */, SysReg.encode(3, 0, 12, 12, 1) /* ICC_EOIR1_EL1 */,
            SysReg.encode(3, 0, 12, 11, 1) /* ICC_DIR_EL1 */, SysReg.encode(3, 0, 12, 11, 5) /* ICC_SGI1R_EL1 */);

    private TreeMap<Long, Block> discover(Cpu cpu, long startPc, int cap) {
        long first = startPc & ~0xFFFL, end = first + SPAN_BYTES;
        TreeMap<Long, Block> blocks = new TreeMap<>();
        List<Long> work = new ArrayList<>();
        work.add(startPc);
        int total = 0;
        while (!work.isEmpty() && total < cap) {
            long s = work.removeLast();
            if (blocks.containsKey(s)) continue;
            Map.Entry<Long, Block> before = blocks.floorEntry(s);
            if (before != null && s < before.getValue().endPc()) {
                split(blocks, before.getValue(), s);
                continue;
            }
            Block b = new Block(s);
            Long nextStart = blocks.higherKey(s);
            long pc = s;
            while (total < cap && pc < end && (nextStart == null || pc < nextStart)) {
                int insn;
                try {
                    insn = cpu.mem.fetch32(pc);
                } catch (MemoryFault f) {
                    break;
                }
                InsnRow row = table.decode(insn);
                if (row == null) break;
                b.insns.add(insn);
                b.rows.add(row);
                total++;
                pc += 4;
                if (row.section == Section.BRANCH) {
                    classifyBranch(b, row, insn, pc - 4);
                    break;
                }
                if (row.section == Section.SYSTEM && endsRegion(row, insn)) {
                    b.end = End.EXIT;
                    break;
                }
            }
            if (b.insns.isEmpty()) continue;
            blocks.put(s, b);
            switch (b.end) {
                case DIRECT -> { if (b.target >= first && b.target < end) work.add(b.target); }
                case CONDITIONAL -> {
                    if (b.endPc() < end) work.add(b.endPc());
                    if (b.target >= first && b.target < end) work.add(b.target);
                }
                default -> { }
            }
        }
        return blocks;
    }

    private static void split(TreeMap<Long, Block> blocks, Block b, long at) {
        int keep = (int) ((at - b.start) / 4);
        Block tail = new Block(at);
        tail.insns.addAll(b.insns.subList(keep, b.insns.size()));
        tail.rows.addAll(b.rows.subList(keep, b.rows.size()));
        tail.end = b.end;
        tail.target = b.target;
        b.insns.subList(keep, b.insns.size()).clear();
        b.rows.subList(keep, b.rows.size()).clear();
        b.end = End.FALLTHROUGH;
        blocks.put(at, tail);
    }

    private static void classifyBranch(Block b, InsnRow row, int insn, long pc) {
        switch (row.name) {
            case "B", "BL" -> { b.end = End.DIRECT; b.target = pc + ((long) (insn << 6) >> 4); }
            case "B_cond", "CBZ", "CBNZ" -> { b.end = End.CONDITIONAL; b.target = pc + ((long) (insn << 8) >> 11 & ~3L); }
            case "TBZ", "TBNZ" -> { b.end = End.CONDITIONAL; b.target = pc + ((long) (insn << 13) >> 16 & ~3L); }
            default -> b.end = End.EXIT;
        }
    }

    /** The region's class, or null when its run method is too big to compile and {@code mayShrink}. */
    private Region emit(TreeMap<Long, Block> blocks, long startPc, long[] hostPages, boolean mayShrink) {
        long page = startPc & ~0xFFFL;
        // Every cycle in a region contains a backward branch (fall-through only goes forward), so checking for stop
        // requests at the targets of backward branches bounds the time a region can run.
        for (Block b : blocks.values()) {
            if ((b.end == End.DIRECT || b.end == End.CONDITIONAL) && b.target <= b.start) {
                Block t = blocks.get(b.target);
                if (t != null) t.jumpTarget = true;
            }
        }
        short[] blockEnd = new short[SPAN_BYTES / 4];
        Arrays.fill(blockEnd, (short) -1);
        int count = 0;
        List<Exec> constants = new ArrayList<>();
        Map<Integer, Integer> constantIndex = new HashMap<>();
        for (Block b : blocks.values()) {
            for (int j = 0; j < b.insns.size(); j++) {
                blockEnd[(int) ((b.start - page) / 4) + j] = (short) (b.endPc() - page);
                InsnRow row = b.rows.get(j);
                constantIndex.computeIfAbsent(row.id(), id -> {
                    constants.add(row.exec);
                    return constants.size() - 1;
                });
            }
            count += b.insns.size();
        }
        // Two passes: the first finds which registers each block's direct bytecode touches, so that the second
        // loads just those at the block's start. The first one's class is thrown away: it needs no stack maps.
        RegionEmitter[] emitter = new RegionEmitter[1];
        build(blocks, startPc, constantIndex, Map.of(), emitter, ClassFile.of(ClassFile.StackMapsOption.DROP_STACK_MAPS));
        byte[] bytes = build(blocks, startPc, constantIndex, emitter[0].touchedByBlock, emitter, ClassFile.of());
        rejectedCodeLength = runCodeLength(bytes);
        if (mayShrink && rejectedCodeLength > MAX_CODE_BYTES) return null;
        bytecodeBytes += bytes.length;
        try {
            MethodHandles.Lookup hidden = lookup.defineHiddenClassWithClassData(bytes, List.copyOf(constants), true);
            MethodHandle ctor = hidden.findConstructor(hidden.lookupClass(),
                    MethodType.methodType(void.class, long.class, long[].class, short[].class, int.class));
            return (Region) ctor.invoke(startPc, hostPages, blockEnd, count);
        } catch (Throwable t) {
            throw new IllegalStateException("translated region at 0x" + Long.toHexString(startPc) + " failed to load", t);
        }
    }

    private static int runCodeLength(byte[] classBytes) {
        for (MethodModel m : ClassFile.of().parse(classBytes).methods()) {
            if (m.methodName().equalsString("run")) return m.findAttribute(Attributes.code()).map(CodeAttribute::codeLength).orElse(0);
        }
        return 0;
    }

    private static byte[] build(TreeMap<Long, Block> blocks, long startPc, Map<Integer, Integer> constantIndex,
                                Map<Long, BitSet> blockLoad, RegionEmitter[] emitter, ClassFile classFile) {
        ClassDesc self = ClassDesc.of(Region.class.getPackageName() + ".Translated");
        return classFile.build(self, clb -> {
            clb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            clb.withSuperclass(CD_REGION);
            clb.withMethodBody(ConstantDescs.INIT_NAME, MTD_INIT, ClassFile.ACC_PUBLIC, cb -> cb
                    .aload(0).lload(1).aload(3).aload(4).iload(5)
                    .invokespecial(CD_REGION, ConstantDescs.INIT_NAME, MTD_INIT)
                    .return_());
            clb.withMethodBody("run", MTD_RUN, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, cb -> {
                emitter[0] = new RegionEmitter(cb, blocks, startPc, constantIndex, blockLoad);
                emitter[0].emitRun();
            });
        });
    }
}
