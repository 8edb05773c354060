/*
 * Entry points the VMM jumps to: rdi = argc, rsi = argv, rdx = vCPU count, rcx = hypercall transport,
 * rsp 16-byte aligned.
 */
    .text
    .globl _start
_start:
    xor %ebp, %ebp
    mov %rcx, jv_hc_transport(%rip)
    call main
    mov %eax, %edi
    call jv_exit

/* Secondary vCPUs: rdi points at {fn, arg} on the new stack. */
    .globl _secondary_entry
_secondary_entry:
    xor %ebp, %ebp
    mov (%rdi), %rax
    mov 8(%rdi), %rdi
    call *%rax
    call jv_cpu_stop
    .data
    .globl jv_hc_transport
    .p2align 3
jv_hc_transport:
    .quad 0

    .section .note.GNU-stack,"",@progbits
