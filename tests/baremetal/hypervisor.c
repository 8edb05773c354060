// A bare-metal hypervisor at EL2 (without VHE) running a small guest at EL1 under stage-2 translation on the virt
// board. The guest's memory is the 2 MB at 0x40200000, mapped to itself at stage 2; nothing else is mapped, so the
// hypervisor's own memory and the devices are out of the guest's reach. HCR_EL2 traps the guest's WFI (TWI) and its
// writes to the EL1 memory-control registers (TVM), and routes physical interrupts to EL2 (IMO/FMO/AMO). The guest
//   - writes TTBR0_EL1 and SCTLR_EL1, which the hypervisor performs for it;
//   - reads and writes a device register at IPA 0x0a000000 that only the hypervisor emulates (a stage-2 fault whose
//     syndrome names the register and the width);
//   - arms its virtual timer to fire at once: the physical PPI 27 reaches EL2, and the hypervisor injects it as a
//     hardware-linked virtual interrupt through list register 0;
//   - waits with WFI, takes the virtual interrupt, acknowledges it through ICV_IAR1_EL1 and ends it;
//   - reports with HVC, after which the hypervisor prints what the guest did and its table of VM exits by exception
//     class on the PL011, then powers off with PSCI over SMC.

#define UART 0x09000000UL
#define GICD 0x08000000UL
#define GICR_RD 0x080A0000UL
#define GICR_SGI 0x080B0000UL
#define DEVICE_IPA 0x0a000000UL
#define GUEST_BASE 0x40200000UL

#define HCR_VM (1UL << 0)
#define HCR_FMO (1UL << 3)
#define HCR_IMO (1UL << 4)
#define HCR_AMO (1UL << 5)
#define HCR_TWI (1UL << 13)
#define HCR_TVM (1UL << 26)
#define HCR_RW (1UL << 31)

#define READ(reg) ({ unsigned long v_; __asm__ volatile("mrs %0, " reg : "=r"(v_)); v_; })
#define WRITE(reg, v) __asm__ volatile("msr " reg ", %0" : : "r"((unsigned long) (v)))

struct frame {
    unsigned long x[32];
};

static unsigned long stage2_l1[512] __attribute__((aligned(4096)));
static unsigned long stage2_l2[512] __attribute__((aligned(4096)));
static unsigned long exits[64];
static unsigned long irq_exits;
static unsigned int device_register = 0xcafe0001;
static unsigned int device_written;

static void putc(char c) {
    *(volatile unsigned int *) UART = c;
}

static void puts(const char *s) {
    while (*s) putc(*s++);
}

static void puthex(unsigned long v) {
    char digits[17];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n) putc(digits[--n]);
}

static void power_off(void) {
    register unsigned long x0 __asm__("x0") = 0x84000008; // PSCI SYSTEM_OFF
    __asm__ volatile("smc #0" : "+r"(x0));
    for (;;) {
    }
}

static void fail(const char *why, unsigned long value) {
    puts("hypervisor: ");
    puts(why);
    puts(" ");
    puthex(value);
    puts("\n");
    power_off();
}

static void report(struct frame *f) {
    puts("guest: ttbr0=");
    puthex(READ("ttbr0_el1"));
    puts(" sctlr=");
    puthex(READ("sctlr_el1"));
    puts(" device=");
    puthex(device_written);
    puts(" virq=");
    puthex(f->x[1]);
    puts(" count=");
    puthex(f->x[0]);
    puts("\nVM exits by class:\n");
    for (int ec = 0; ec < 64; ec++) {
        if (!exits[ec]) continue;
        puts("  0x");
        if (ec < 16) putc('0');
        puthex(ec);
        puts(" ");
        puthex(exits[ec]);
        puts("\n");
    }
    puts("  irq ");
    puthex(irq_exits);
    puts("\n");
    power_off();
}

/** A synchronous exit from the guest: emulate what trapped and step over it. */
void handle_sync(struct frame *f) {
    unsigned long esr = READ("esr_el2");
    unsigned long elr = READ("elr_el2");
    unsigned int ec = esr >> 26;
    exits[ec]++;
    switch (ec) {
    case 0x01: // WFI: the virtual interrupt it waits for is already injected
        break;
    case 0x18: { // MSR to an EL1 memory-control register (TVM): perform it for the guest
        unsigned int rt = esr >> 5 & 31, crn = esr >> 10 & 15, crm = esr >> 1 & 15, op2 = esr >> 17 & 7;
        unsigned long value = rt == 31 ? 0 : f->x[rt];
        if (esr & 1) fail("unexpected MRS trap", esr);
        if (crn == 2 && crm == 0 && op2 == 0) WRITE("ttbr0_el1", value);
        else if (crn == 1 && crm == 0 && op2 == 0) WRITE("sctlr_el1", value);
        else fail("unexpected MSR trap", esr);
        break;
    }
    case 0x24: { // stage-2 data abort: the emulated device, if the syndrome describes the access
        unsigned long ipa = (READ("hpfar_el2") >> 4) << 12 | (READ("far_el2") & 0xfff);
        unsigned int srt = esr >> 16 & 31;
        if (!(esr & 1UL << 24)) fail("data abort without syndrome", esr);
        if ((esr >> 22 & 3) != 2) fail("device access not 32-bit", esr);
        if (ipa == DEVICE_IPA && !(esr & 1 << 6)) {
            if (srt != 31) f->x[srt] = device_register;
        } else if (ipa == DEVICE_IPA + 4 && (esr & 1 << 6)) {
            device_written = srt == 31 ? 0 : (unsigned int) f->x[srt];
        } else {
            fail("guest touched unmapped IPA", ipa);
        }
        break;
    }
    case 0x16: // HVC: the guest is done
        report(f);
        break;
    default:
        fail("unexpected exit, ESR_EL2", esr);
    }
    WRITE("elr_el2", elr + 4);
}

/** A physical interrupt while the guest ran: the virtual timer's goes to the guest through a list register. */
void handle_irq(struct frame *f) {
    (void) f;
    irq_exits++;
    unsigned long intid = READ("S3_0_C12_C12_0"); // ICC_IAR1_EL1
    if (intid >= 1020) return;
    WRITE("S3_0_C12_C12_1", intid); // ICC_EOIR1_EL1: priority drop only (EOImode 1); the guest deactivates it
    if (intid != 27) fail("unexpected interrupt", intid);
    // Pending, hardware (physical INTID 27), group 1, priority 0xa0, virtual INTID 27.
    WRITE("S3_4_C12_C12_0", 1UL << 62 | 1UL << 61 | 1UL << 60 | 0xa0UL << 48 | 27UL << 32 | 27);
}

void unexpected_exception(unsigned long offset) {
    fail("unexpected exception at EL2, vector offset", offset);
}

void hyp_main(void) {
    // The physical GIC: the virtual timer's PPI 27 enabled in group 1; EOI only drops priority (EOImode 1).
    *(volatile unsigned int *) GICD = 0x13;
    *(volatile unsigned int *) (GICR_RD + 0x14) = 0;
    *(volatile unsigned int *) (GICR_SGI + 0x80) = 0xffffffff;
    *(volatile unsigned int *) (GICR_SGI + 0x100) = 1 << 27;
    WRITE("S3_0_C4_C6_0", 0xf0);  // ICC_PMR_EL1
    WRITE("S3_0_C12_C12_4", 2);   // ICC_CTLR_EL1.EOImode
    WRITE("S3_0_C12_C12_7", 1);   // ICC_IGRPEN1_EL1
    // The virtual CPU interface: group 1 on, priority mask open, the interface enabled.
    WRITE("S3_4_C12_C11_7", 0xf8UL << 24 | 2); // ICH_VMCR_EL2
    WRITE("S3_4_C12_C11_0", 1);                // ICH_HCR_EL2.En

    // Stage 2, 4 KB granule, 32-bit IPA space starting at level 1: the guest's 2 MB block, normal memory.
    stage2_l1[GUEST_BASE >> 30] = (unsigned long) stage2_l2 | 3;
    stage2_l2[(GUEST_BASE >> 21) & 511] = GUEST_BASE | 1UL << 10 | 3UL << 8 | 3UL << 6 | 0xfUL << 2 | 1;
    WRITE("vtcr_el2", 1UL << 31 | 3UL << 12 | 1UL << 10 | 1UL << 8 | 1UL << 6 | 32);
    WRITE("vttbr_el2", 1UL << 48 | (unsigned long) stage2_l1);
    WRITE("hcr_el2", HCR_RW | HCR_VM | HCR_IMO | HCR_FMO | HCR_AMO | HCR_TWI | HCR_TVM);
    WRITE("cnthctl_el2", 3); // the guest may use the physical counter and timer; it uses the virtual ones
    WRITE("cntvoff_el2", 0);
    __asm__ volatile("isb");
}

__asm__(
    ".text\n"
    ".global _start\n"
    "_start:\n"
    "    ldr x0, =hyp_stack_top\n"
    "    mov sp, x0\n"
    "    ldr x0, =hyp_vectors\n"
    "    msr vbar_el2, x0\n"
    "    bl hyp_main\n"
    "    mov x0, #0x3c5\n"             // EL1h, DAIF masked
    "    msr spsr_el2, x0\n"
    "    ldr x0, =guest_entry\n"
    "    msr elr_el2, x0\n"
    "    eret\n"

    ".macro exit_to handler\n"
    "    sub sp, sp, #256\n"
    "    stp x0, x1, [sp, #0]\n"
    "    stp x2, x3, [sp, #16]\n"
    "    stp x4, x5, [sp, #32]\n"
    "    stp x6, x7, [sp, #48]\n"
    "    stp x8, x9, [sp, #64]\n"
    "    stp x10, x11, [sp, #80]\n"
    "    stp x12, x13, [sp, #96]\n"
    "    stp x14, x15, [sp, #112]\n"
    "    stp x16, x17, [sp, #128]\n"
    "    stp x18, x19, [sp, #144]\n"
    "    stp x20, x21, [sp, #160]\n"
    "    stp x22, x23, [sp, #176]\n"
    "    stp x24, x25, [sp, #192]\n"
    "    stp x26, x27, [sp, #208]\n"
    "    stp x28, x29, [sp, #224]\n"
    "    str x30, [sp, #240]\n"
    "    mov x0, sp\n"
    "    bl \\handler\n"
    "    b restore_and_return\n"
    ".endm\n"

    ".macro unexpected offset\n"
    "    .balign 0x80\n"
    "    mov x0, #\\offset\n"
    "    bl unexpected_exception\n"
    ".endm\n"

    ".balign 2048\n"
    "hyp_vectors:\n"
    "    unexpected 0x000\n"
    "    unexpected 0x080\n"
    "    unexpected 0x100\n"
    "    unexpected 0x180\n"
    "    unexpected 0x200\n"
    "    unexpected 0x280\n"
    "    unexpected 0x300\n"
    "    unexpected 0x380\n"
    "    .balign 0x80\n"
    "    exit_to handle_sync\n"        // 0x400: synchronous, from the guest
    "    .balign 0x80\n"
    "    exit_to handle_irq\n"         // 0x480: IRQ, from the guest
    "    unexpected 0x500\n"
    "    unexpected 0x580\n"
    "    unexpected 0x600\n"
    "    unexpected 0x680\n"
    "    unexpected 0x700\n"
    "    unexpected 0x780\n"

    "restore_and_return:\n"
    "    ldp x0, x1, [sp, #0]\n"
    "    ldp x2, x3, [sp, #16]\n"
    "    ldp x4, x5, [sp, #32]\n"
    "    ldp x6, x7, [sp, #48]\n"
    "    ldp x8, x9, [sp, #64]\n"
    "    ldp x10, x11, [sp, #80]\n"
    "    ldp x12, x13, [sp, #96]\n"
    "    ldp x14, x15, [sp, #112]\n"
    "    ldp x16, x17, [sp, #128]\n"
    "    ldp x18, x19, [sp, #144]\n"
    "    ldp x20, x21, [sp, #160]\n"
    "    ldp x22, x23, [sp, #176]\n"
    "    ldp x24, x25, [sp, #192]\n"
    "    ldp x26, x27, [sp, #208]\n"
    "    ldp x28, x29, [sp, #224]\n"
    "    ldr x30, [sp, #240]\n"
    "    add sp, sp, #256\n"
    "    eret\n"
    ".ltorg\n"

    ".bss\n"
    ".balign 16\n"
    "    .skip 8192\n"
    "hyp_stack_top:\n"

    // The guest: its code, data and stack live in its 2 MB block.
    ".section .guest, \"awx\"\n"
    "guest_entry:\n"
    "    ldr x0, =guest_stack_top\n"
    "    mov sp, x0\n"
    "    ldr x0, =guest_vectors\n"
    "    msr vbar_el1, x0\n"
    "    ldr x0, =0x12345000\n"
    "    msr ttbr0_el1, x0\n"           // TVM exit
    "    ldr x0, =0x30d00800\n"
    "    msr sctlr_el1, x0\n"           // TVM exit
    "    mov x1, #0x0a000000\n"
    "    ldr w2, [x1]\n"                // stage-2 exit: the device register reads 0xcafe0001
    "    add w2, w2, #1\n"
    "    str w2, [x1, #4]\n"            // stage-2 exit: the device sees 0xcafe0002
    "    msr cntv_tval_el0, xzr\n"
    "    mov x0, #1\n"
    "    msr cntv_ctl_el0, x0\n"        // the virtual timer fires at once: PPI 27, an IRQ exit
    "    wfi\n"                         // WFI exit
    "    msr daifclr, #2\n"             // the injected virtual interrupt is taken here
    "    isb\n"
    "    ldr x3, =guest_irqs\n"
    "1:  ldr w0, [x3]\n"
    "    cbz w0, 1b\n"
    "    ldr x3, =guest_intid\n"
    "    ldr w1, [x3]\n"
    "    hvc #0\n"                      // done: x0 interrupts taken, x1 the INTID acknowledged
    "2:  b 2b\n"

    ".balign 2048\n"
    "guest_vectors:\n"
    "    .balign 0x80\n"
    "3:  b 3b\n"
    ".rept 4\n"
    "    .balign 0x80\n"
    "    b .\n"
    ".endr\n"
    "    .balign 0x80\n"                // 0x280: IRQ, current EL with SP_EL1
    "    stp x0, x1, [sp, #-16]!\n"
    "    mrs x0, S3_0_C12_C12_0\n"      // ICV_IAR1_EL1
    "    ldr x1, =guest_intid\n"
    "    str w0, [x1]\n"
    "    mov x1, #3\n"
    "    msr cntv_ctl_el0, x1\n"        // mask the timer: its output drops
    "    msr S3_0_C12_C12_1, x0\n"      // ICV_EOIR1_EL1: ends the virtual and, through HW, the physical interrupt
    "    ldr x1, =guest_irqs\n"
    "    ldr w0, [x1]\n"
    "    add w0, w0, #1\n"
    "    str w0, [x1]\n"
    "    ldp x0, x1, [sp], #16\n"
    "    eret\n"
    ".rept 10\n"
    "    .balign 0x80\n"
    "    b .\n"
    ".endr\n"
    ".ltorg\n"
    ".balign 8\n"
    "guest_irqs: .word 0\n"
    "guest_intid: .word 0\n"
    ".balign 16\n"
    "    .skip 4096\n"
    "guest_stack_top:\n"
    ".text\n");
