package dev.jvisor.kvm;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/** x86-64 general registers, rip and rflags (struct kvm_regs). */
public final class Regs {
    public long rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags;

    void readFrom(MemorySegment s) {
        rax = s.get(JAVA_LONG, 0); rbx = s.get(JAVA_LONG, 8); rcx = s.get(JAVA_LONG, 16); rdx = s.get(JAVA_LONG, 24);
        rsi = s.get(JAVA_LONG, 32); rdi = s.get(JAVA_LONG, 40); rsp = s.get(JAVA_LONG, 48); rbp = s.get(JAVA_LONG, 56);
        r8 = s.get(JAVA_LONG, 64); r9 = s.get(JAVA_LONG, 72); r10 = s.get(JAVA_LONG, 80); r11 = s.get(JAVA_LONG, 88);
        r12 = s.get(JAVA_LONG, 96); r13 = s.get(JAVA_LONG, 104); r14 = s.get(JAVA_LONG, 112);
        r15 = s.get(JAVA_LONG, 120); rip = s.get(JAVA_LONG, 128); rflags = s.get(JAVA_LONG, 136);
    }

    void writeTo(MemorySegment s) {
        s.set(JAVA_LONG, 0, rax); s.set(JAVA_LONG, 8, rbx); s.set(JAVA_LONG, 16, rcx); s.set(JAVA_LONG, 24, rdx);
        s.set(JAVA_LONG, 32, rsi); s.set(JAVA_LONG, 40, rdi); s.set(JAVA_LONG, 48, rsp); s.set(JAVA_LONG, 56, rbp);
        s.set(JAVA_LONG, 64, r8); s.set(JAVA_LONG, 72, r9); s.set(JAVA_LONG, 80, r10); s.set(JAVA_LONG, 88, r11);
        s.set(JAVA_LONG, 96, r12); s.set(JAVA_LONG, 104, r13); s.set(JAVA_LONG, 112, r14);
        s.set(JAVA_LONG, 120, r15); s.set(JAVA_LONG, 128, rip); s.set(JAVA_LONG, 136, rflags);
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
