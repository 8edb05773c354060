// Bare-metal exception, MMU and interrupt checks for jvisor's system level. Runs at EL1 from 0x40000000 with
// the MMU off; the test has built the page tables (see SystemModeProgramTest) and reads the log and results back.
// Register use: x28 log pointer (4 doublewords per synchronous exception: ESR, FAR, ELR, vector offset),
// x27 result pointer, x26 IRQ-taken flag, x9 and x20..x25 belong to the exception handlers.

        .equ UART, 0x09000000
        .equ LOG, 0x40300000
        .equ RESULTS, 0x40310000
        .equ KERNEL_STACK, 0x40300000
        .equ USER_STACK, 0x40600000
        .equ NO_AF_PAGE, 0x40600000
        .equ READ_ONLY_PAGE, 0x40601000
        .equ REMAPPED_PAGE, 0x40602000
        .equ L3_TABLE_VIEW, 0x40604000
        .equ KERNEL_DATA, 0x40200000

        .text
        .global _start
_start:
        adr     x0, vectors
        msr     vbar_el1, x0
        ldr     x0, =KERNEL_STACK
        mov     sp, x0
        ldr     x28, =LOG
        ldr     x27, =RESULTS

        svc     #0x42                   // log 0: SVC from EL1
        .word   0x00000000              // log 1: UDF #0, undefined
        mov     x1, #0x1000
        ldr     x2, [x1]                // log 2: external abort, nothing at PA 0x1000

        ldr     x0, =0x44ff             // MAIR: attr0 Normal WB, attr1 Device-nGnRnE, attr2 Normal NC
        msr     mair_el1, x0
        ldr     x0, =(25 | (2 << 30) | (5 << 32))
        msr     tcr_el1, x0
        ldr     x0, =0x40700000
        msr     ttbr0_el1, x0
        isb
        mrs     x0, sctlr_el1
        ldr     x1, =((1 << 23) | 1)    // SPAN (leave PAN alone on entry) and M
        orr     x0, x0, x1
        msr     sctlr_el1, x0
        isb
        ldr     x1, =NO_AF_PAGE
        ldr     x2, [x1, #8]            // log 3: access flag fault, level 3
        ldr     x1, =READ_ONLY_PAGE
        str     x2, [x1, #16]           // log 4: permission fault on a write, level 3

        adr     x0, user_code           // to EL0
        msr     elr_el1, x0
        msr     spsr_el1, xzr
        ldr     x0, =USER_STACK
        msr     sp_el0, x0
        eret

user_code:
        svc     #1                      // log 5: SVC from EL0
        ldr     x1, =KERNEL_DATA
        ldr     x2, [x1]                // log 6: EL0 read of an EL1-only page
        mrs     x3, sctlr_el1           // log 7: EL1 register from EL0: undefined
        svc     #2                      // log 8: back to EL1 at back_in_kernel
        b       .

back_in_kernel:
        mrs     x0, currentel
        str     x0, [x27], #8           // result 0: CurrentEL
        mov     x0, sp
        str     x0, [x27], #8           // result 1: SP_EL1 as the kernel left it
        mrs     x0, sp_el0
        str     x0, [x27], #8           // result 2: SP_EL0 as user code left it

        ldr     x1, =REMAPPED_PAGE
        ldr     x2, [x1]
        str     x2, [x27], #8           // result 3: the old page's contents
        ldr     x3, =(L3_TABLE_VIEW + 16)
        ldr     x4, =(0x40603000 | 0x403 | (1 << 6)) // page 3 of the block, AF, EL0 read-write
        str     x4, [x3]
        dsb     ishst
        tlbi    vmalle1is
        dsb     ish
        isb
        ldr     x2, [x1]
        str     x2, [x27], #8           // result 4: the new page's contents
        at      s1e1r, x1
        mrs     x2, par_el1
        str     x2, [x27], #8           // result 5: PAR after AT S1E1R of the remapped page
        ldr     x1, =KERNEL_DATA
        at      s1e0r, x1
        mrs     x2, par_el1
        str     x2, [x27], #8           // result 6: PAR after AT S1E0R of an EL1-only page

        mov     w26, #0
        ldr     x1, =UART
        mov     w2, #'w'
        strb    w2, [x1]                // the test asserts IRQ once it sees this
        msr     daifclr, #2
1:      wfi
        cbz     w26, 1b
        msr     daifset, #2
        mrs     x0, daif
        str     x0, [x27], #8           // result 7: DAIF after the IRQ

        mov     w2, #'d'
        strb    w2, [x1]
        ldr     x0, =0x600d
        hvc     #0                      // the test's firmware stops the CPU here
        b       .

sync_handler:
        mrs     x20, esr_el1
        mrs     x21, far_el1
        mrs     x22, elr_el1
        stp     x20, x21, [x28], #16
        stp     x22, x9, [x28], #16
        ubfx    x23, x20, #26, #6
        cmp     x23, #0x15
        b.ne    skip_faulting
        and     x24, x20, #0xffff
        cmp     x24, #2
        b.ne    return
        adr     x25, back_in_kernel
        msr     elr_el1, x25
        mov     x25, #0x3c5
        msr     spsr_el1, x25
return:
        eret
skip_faulting:
        add     x22, x22, #4
        msr     elr_el1, x22
        eret

irq_handler:
        mrs     x22, elr_el1
        mov     x20, #0x1000
        stp     x20, xzr, [x28], #16    // log: an IRQ, marked by "ESR" 0x1000
        stp     x22, x9, [x28], #16
        mov     w26, #1
        ldr     x20, =(UART + 8)
        str     wzr, [x20]              // acknowledge: the test deasserts the line
        eret

unexpected:
        ldr     x20, =UART
        mov     w21, #'X'
        strb    w21, [x20]
        mov     x0, x9
        hvc     #0
        b       .

        .macro  vector offset, target
        .balign 128
        mov     x9, #\offset
        b       \target
        .endm

        .balign 2048
vectors:
        vector  0x000, unexpected
        vector  0x080, unexpected
        vector  0x100, unexpected
        vector  0x180, unexpected
        vector  0x200, sync_handler
        vector  0x280, irq_handler
        vector  0x300, unexpected
        vector  0x380, unexpected
        vector  0x400, sync_handler
        vector  0x480, irq_handler
        vector  0x500, unexpected
        vector  0x580, unexpected
        vector  0x600, unexpected
        vector  0x680, unexpected
        vector  0x700, unexpected
        vector  0x780, unexpected
        .ltorg
