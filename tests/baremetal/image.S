// A minimal arm64 Image for `jvisor run`: the boot protocol's 64-byte header, then code that greets on the PL011 and
// does what MODE asks: 0 powers off, 1 says the kernel panicked and resets (as Linux with panic=-1 does), 2 loads
// from a physical address where nothing is mapped and reports the exception class it gets before powering off.
// Position-independent: it runs wherever the loader puts it.

        .equ UART, 0x09000000
        .equ SYSTEM_OFF, 0x84000008
        .equ SYSTEM_RESET, 0x84000009

        .text
        .global _start
_start:
        b       start                           // code0
        .word   0                               // code1
        .quad   0                               // text_offset
        .quad   image_end - _start              // image_size
        .quad   0                               // flags: little-endian, 4 KB pages
        .quad   0, 0, 0
        .ascii  "ARM\x64"
        .word   0

start:
        adr     x1, vectors
        msr     vbar_el1, x1
        adr     x1, hello
        bl      puts
#if MODE == 1
        adr     x1, panic
        bl      puts
        ldr     x0, =SYSTEM_RESET
        hvc     #0
#elif MODE == 2
        mov     x1, #0x1000                     // below the flash QEMU's virt has and this machine has not
        ldr     x2, [x1]
        adr     x1, no_abort
        bl      puts
#endif
off:    ldr     x0, =SYSTEM_OFF
        hvc     #0
        b       off

sync:   mrs     x2, esr_el1
        lsr     x2, x2, #26
        adr     x1, data_abort
        cmp     x2, #0x25                       // data abort taken without a change of EL
        b.eq    1f
        adr     x1, other
1:      bl      puts
        b       off

puts:   ldr     x3, =UART
2:      ldrb    w4, [x1], #1
        cbz     w4, 3f
        str     w4, [x3]
        b       2b
3:      ret

hello:      .asciz "hello from EL1\n"
panic:      .asciz "Kernel panic - not syncing: test panic\n"
no_abort:   .asciz "no abort\n"
data_abort: .asciz "data abort (EC 0x25)\n"
other:      .asciz "another exception\n"

        .ltorg
        .balign 2048
vectors:
        .rept 4
        b       off
        .balign 128
        .endr
        b       sync                            // current EL with SPx, synchronous (offset 0x200)
        .balign 128
        .rept 11
        b       off
        .balign 128
        .endr
image_end:
