// The virt board's interrupt path seen from a program at EL1: it programs the GICv3 through its distributor and
// redistributor frames and the ICC_* registers, arms the virtual timer 1 ms ahead, sleeps in WFI, takes PPI 27,
// masks the timer and ends the interrupt, then sends itself SGI 3 and takes that. Each acknowledged INTID is printed
// on the PL011 as the character '0' + INTID; PSCI SYSTEM_OFF over HVC ends the run.
// ICC registers are spelled generically (S3_0_Cn_Cm_op2) so that any assembler accepts them.

        .equ GICD, 0x08000000
        .equ GICR_RD, 0x080A0000
        .equ GICR_SGI, 0x080B0000
        .equ UART, 0x09000000

        .text
        .global _start
_start:
        ldr     x0, =stack_top
        mov     sp, x0
        ldr     x0, =vectors
        msr     vbar_el1, x0

        ldr     x1, =GICD
        mov     w2, #0x13                       // EnableGrp0 | EnableGrp1 | ARE
        str     w2, [x1]
        ldr     x1, =GICR_RD
        str     wzr, [x1, #0x14]                // GICR_WAKER: wake the redistributor
        ldr     x1, =GICR_SGI
        mov     w2, #-1
        str     w2, [x1, #0x80]                 // GICR_IGROUPR0: all group 1
        ldr     w2, =(1 << 27) | (1 << 3)
        str     w2, [x1, #0x100]                // GICR_ISENABLER0: PPI 27, SGI 3
        mov     x2, #0xf0
        msr     S3_0_C4_C6_0, x2                // ICC_PMR_EL1
        mov     x2, #1
        msr     S3_0_C12_C12_7, x2              // ICC_IGRPEN1_EL1
        isb

        ldr     x2, =62500                      // 1 ms at 62.5 MHz
        msr     cntv_tval_el0, x2
        mov     x2, #1
        msr     cntv_ctl_el0, x2

        // IRQs stay masked while checking for the interrupt, so it cannot come between the check and the WFI and
        // leave the WFI sleeping forever; WFI wakes on a pending interrupt even when it is masked.
        ldr     x3, =handled
1:      ldr     w4, [x3]
        cbnz    w4, 2f
        wfi
        msr     daifclr, #2
        isb
        msr     daifset, #2
        b       1b
2:      msr     daifclr, #2

        ldr     x2, =(3 << 24) | 1              // SGI 3 to Aff0 0 of cluster 0.0.0: ourselves
        msr     S3_0_C12_C11_5, x2              // ICC_SGI1R_EL1
        isb
6:      ldr     w4, [x3]
        cmp     w4, #2
        b.ne    6b

        ldr     x0, =0x84000008                 // PSCI SYSTEM_OFF
        hvc     #0
3:      b       3b

irq:
        stp     x0, x1, [sp, #-16]!
        stp     x2, x3, [sp, #-16]!
        mrs     x0, S3_0_C12_C12_0              // ICC_IAR1_EL1
        add     w1, w0, #'0'
        ldr     x2, =UART
        str     w1, [x2]
        cmp     w0, #27
        b.ne    4f
        mov     x1, #3                          // ENABLE | IMASK: the timer's level drops
        msr     cntv_ctl_el0, x1
4:      msr     S3_0_C12_C12_1, x0              // ICC_EOIR1_EL1
        ldr     x2, =handled
        ldr     w1, [x2]
        add     w1, w1, #1
        str     w1, [x2]
        ldp     x2, x3, [sp], #16
        ldp     x0, x1, [sp], #16
        eret

unexpected:
        ldr     x2, =UART
        mov     w1, #'!'
        str     w1, [x2]
        ldr     x0, =0x84000008
        hvc     #0
5:      b       5b

        .balign 2048
vectors:
        .rept 5
        b       unexpected
        .balign 128
        .endr
        b       irq                             // current EL with SPx, IRQ (offset 0x280)
        .balign 128
        .rept 10
        b       unexpected
        .balign 128
        .endr

        .ltorg
        .data
        .balign 8
handled:
        .word   0
        .balign 16
        .space  4096
stack_top:
