// GICv3 priority and masking seen from a program at EL1. Phase 1: with the priority mask at 0x80, SGI 1
// (priority 0xA0) stays pending while SGI 2 (0x40) is taken; raising the mask to 0xF0 lets SGI 1 in. Phase 2: the
// handler of SGI 5 (0x80) unmasks IRQs and sends SGI 6 (0x20, a higher priority: it preempts) and SGI 7 (0x90, a
// lower one: it waits until SGI 5's end of interrupt). Each acknowledged INTID is printed as '0' + INTID, '|'
// separates the phases, 'e' marks the end of SGI 5's handler; the expected output is "2|1|56e7".

        .equ GICD, 0x08000000
        .equ GICR_RD, 0x080A0000
        .equ GICR_SGI, 0x080B0000
        .equ UART, 0x09000000

        .macro putc c
        ldr     x9, =UART
        mov     w10, #\c
        str     w10, [x9]
        .endm

        .macro sgi n                            // to Aff0 0 of cluster 0.0.0: ourselves
        ldr     x9, =(\n << 24) | 1
        msr     S3_0_C12_C11_5, x9              // ICC_SGI1R_EL1
        isb
        .endm

        .macro wait_handled n
        ldr     x9, =handled
99:     ldr     w10, [x9]
        cmp     w10, #\n
        b.lo    99b
        .endm

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
        ldr     w2, =0x0040A000                 // INTID 1: 0xA0, INTID 2: 0x40
        str     w2, [x1, #0x400]                // GICR_IPRIORITYR0
        ldr     w2, =0x90208000                 // INTID 5: 0x80, INTID 6: 0x20, INTID 7: 0x90
        str     w2, [x1, #0x404]                // GICR_IPRIORITYR1
        ldr     w2, =(1 << 1) | (1 << 2) | (1 << 5) | (1 << 6) | (1 << 7)
        str     w2, [x1, #0x100]                // GICR_ISENABLER0
        mov     x2, #0x80
        msr     S3_0_C4_C6_0, x2                // ICC_PMR_EL1
        mov     x2, #1
        msr     S3_0_C12_C12_7, x2              // ICC_IGRPEN1_EL1
        isb

        // Phase 1, IRQs masked while both SGIs become pending.
        sgi     1
        sgi     2
        msr     daifclr, #2
        isb
        wait_handled 1
        mov     x3, #10000                      // time for SGI 1 to arrive, were it not masked
1:      subs    x3, x3, #1
        b.ne    1b
        msr     daifset, #2
        ldr     x1, =GICR_SGI
        ldr     w2, [x1, #0x200]                // GICR_ISPENDR0: SGI 1 must still be pending
        tbz     w2, #1, unexpected
        putc    '|'
        mov     x2, #0xf0
        msr     S3_0_C4_C6_0, x2
        isb
        msr     daifclr, #2
        isb
        wait_handled 2
        msr     daifset, #2
        putc    '|'

        // Phase 2: nesting by priority.
        sgi     5
        msr     daifclr, #2
        isb
        wait_handled 5

        ldr     x0, =0x84000008                 // PSCI SYSTEM_OFF
        hvc     #0
2:      b       2b

irq:
        stp     x0, x1, [sp, #-16]!
        stp     x9, x10, [sp, #-16]!
        mrs     x0, elr_el1
        mrs     x1, spsr_el1
        stp     x0, x1, [sp, #-16]!
        mrs     x0, S3_0_C12_C12_0              // ICC_IAR1_EL1
        add     w1, w0, #'0'
        ldr     x9, =UART
        str     w1, [x9]
        cmp     w0, #5
        b.ne    4f
        sgi     7
        sgi     6
        msr     daifclr, #2                     // SGI 6 preempts here; SGI 7 must not
        isb
        mov     x1, #10000
3:      subs    x1, x1, #1
        b.ne    3b
        putc    'e'
        msr     daifset, #2
4:      msr     S3_0_C12_C12_1, x0              // ICC_EOIR1_EL1
        ldr     x9, =handled
        ldr     w1, [x9]
        add     w1, w1, #1
        str     w1, [x9]
        ldp     x0, x1, [sp], #16
        msr     elr_el1, x0
        msr     spsr_el1, x1
        ldp     x9, x10, [sp], #16
        ldp     x0, x1, [sp], #16
        eret

unexpected:
        putc    '!'
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
