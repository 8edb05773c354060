// Writes one line, then executes a permanently undefined instruction (UDF #0). With no SIGILL handler the process
// must die of SIGILL: status 132, the line already written, and one diagnostic line from the emulator.
    .text
    .global _start
_start:
    mov     x0, #1              // stdout
    adr     x1, message
    mov     x2, #(message_end - message)
    mov     x8, #64             // write
    svc     #0
    .global undefined_here
undefined_here:
    .inst   0x00000000          // UDF #0
    mov     x0, #0              // not reached: exit(0) would hide the missing trap
    mov     x8, #93
    svc     #0
message:
    .ascii  "before the undefined instruction\n"
message_end:
