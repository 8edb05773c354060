package dev.jvisor.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/** x86-64 general registers, rip and rflags (struct kvm_regs, {@link KvmAbi#REGS}). */
public final class Regs {
    public long rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags;

    private static final long RAX = KvmAbi.offset(KvmAbi.REGS, "rax"), RBX = KvmAbi.offset(KvmAbi.REGS, "rbx"),
            RCX = KvmAbi.offset(KvmAbi.REGS, "rcx"), RDX = KvmAbi.offset(KvmAbi.REGS, "rdx"),
            RSI = KvmAbi.offset(KvmAbi.REGS, "rsi"), RDI = KvmAbi.offset(KvmAbi.REGS, "rdi"),
            RSP = KvmAbi.offset(KvmAbi.REGS, "rsp"), RBP = KvmAbi.offset(KvmAbi.REGS, "rbp"),
            R8 = KvmAbi.offset(KvmAbi.REGS, "r8"), R9 = KvmAbi.offset(KvmAbi.REGS, "r9"),
            R10 = KvmAbi.offset(KvmAbi.REGS, "r10"), R11 = KvmAbi.offset(KvmAbi.REGS, "r11"),
            R12 = KvmAbi.offset(KvmAbi.REGS, "r12"), R13 = KvmAbi.offset(KvmAbi.REGS, "r13"),
            R14 = KvmAbi.offset(KvmAbi.REGS, "r14"), R15 = KvmAbi.offset(KvmAbi.REGS, "r15"),
            RIP = KvmAbi.offset(KvmAbi.REGS, "rip"), RFLAGS = KvmAbi.offset(KvmAbi.REGS, "rflags");

    void readFrom(MemorySegment s) {
        rax = s.get(JAVA_LONG, RAX); rbx = s.get(JAVA_LONG, RBX); rcx = s.get(JAVA_LONG, RCX);
        rdx = s.get(JAVA_LONG, RDX); rsi = s.get(JAVA_LONG, RSI); rdi = s.get(JAVA_LONG, RDI);
        rsp = s.get(JAVA_LONG, RSP); rbp = s.get(JAVA_LONG, RBP); r8 = s.get(JAVA_LONG, R8);
        r9 = s.get(JAVA_LONG, R9); r10 = s.get(JAVA_LONG, R10); r11 = s.get(JAVA_LONG, R11);
        r12 = s.get(JAVA_LONG, R12); r13 = s.get(JAVA_LONG, R13); r14 = s.get(JAVA_LONG, R14);
        r15 = s.get(JAVA_LONG, R15); rip = s.get(JAVA_LONG, RIP); rflags = s.get(JAVA_LONG, RFLAGS);
    }

    void writeTo(MemorySegment s) {
        s.set(JAVA_LONG, RAX, rax); s.set(JAVA_LONG, RBX, rbx); s.set(JAVA_LONG, RCX, rcx);
        s.set(JAVA_LONG, RDX, rdx); s.set(JAVA_LONG, RSI, rsi); s.set(JAVA_LONG, RDI, rdi);
        s.set(JAVA_LONG, RSP, rsp); s.set(JAVA_LONG, RBP, rbp); s.set(JAVA_LONG, R8, r8);
        s.set(JAVA_LONG, R9, r9); s.set(JAVA_LONG, R10, r10); s.set(JAVA_LONG, R11, r11);
        s.set(JAVA_LONG, R12, r12); s.set(JAVA_LONG, R13, r13); s.set(JAVA_LONG, R14, r14);
        s.set(JAVA_LONG, R15, r15); s.set(JAVA_LONG, RIP, rip); s.set(JAVA_LONG, RFLAGS, rflags);
    }

    /** A register dump in the usual four-per-line layout. */
    @Override
    public String toString() {
        return String.format("rax=%016x rbx=%016x rcx=%016x rdx=%016x%n"
                + "rsi=%016x rdi=%016x rsp=%016x rbp=%016x%n"
                + "r8 =%016x r9 =%016x r10=%016x r11=%016x%n"
                + "r12=%016x r13=%016x r14=%016x r15=%016x%n"
                + "rip=%016x rflags=%08x",
                rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags);
    }
}
