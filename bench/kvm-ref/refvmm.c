/*
 * refvmm: the smallest VMM that runs a jvisor KVM guest (one vCPU; hypercalls EXIT, WRITE, NOP, TIME), used by
 * bench/kvm as the yardstick for jvisor's exit round trip.  It builds the same machine as dev.jvisor.kvm.X86MicroVm:
 * identity-mapped long mode, guest at CPL3, hypercalls through the MMIO doorbell (see guests/kvm/jv.h: under KVM-PVM
 * an OUT at CPL3 is a guest #GP, a store to an unbacked page is one KVM_EXIT_MMIO).
 * Prints "refvmm: exits N, ns/exit X" on stderr, where X is the wall time of the run loop over the exit count.
 */
#include <elf.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE (64ul << 20)
#define HUGE_PAGE (2ul << 20)
#define GDT 0x1000ul
#define TSS 0x2000ul
#define PML4 0x10000ul
#define HC_DOORBELL 0xd0000000ul
#define MMIO_WINDOW_PT 0x17000ul

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static uint64_t now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void load_elf(uint8_t *mem, const char *path, uint64_t *entry)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) die(path);
    off_t size = lseek(fd, 0, SEEK_END);
    uint8_t *f = mmap(0, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (f == MAP_FAILED) die("mmap elf");
    Elf64_Ehdr *eh = (Elf64_Ehdr *)f;
    for (int i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr *ph = (Elf64_Phdr *)(f + eh->e_phoff + (size_t)i * eh->e_phentsize);
        if (ph->p_type != PT_LOAD) continue;
        if (ph->p_paddr + ph->p_memsz > MEM_SIZE) { fprintf(stderr, "segment out of RAM\n"); exit(2); }
        memcpy(mem + ph->p_paddr, f + ph->p_offset, ph->p_filesz);
    }
    *entry = eh->e_entry;
    munmap(f, (size_t)size);
    close(fd);
}

static void set_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, uint8_t code64)
{
    memset(s, 0, sizeof *s);
    s->base = 0, s->limit = 0xffffffff, s->selector = sel, s->type = type, s->present = 1, s->dpl = 3;
    s->s = 1, s->l = code64, s->db = !code64, s->g = 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: refvmm GUEST [ARGS...]\n"); return 2; }
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) die("/dev/kvm");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("KVM_CREATE_VM");
    /* Guest RAM 2 MiB-aligned with transparent huge pages, as jvisor allocates it. */
    uint8_t *raw = mmap(0, MEM_SIZE + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                        -1, 0);
    if (raw == MAP_FAILED) die("mmap");
    uint8_t *mem = (uint8_t *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    madvise(mem, MEM_SIZE, MADV_HUGEPAGE);
    struct kvm_userspace_memory_region region = {0, 0, 0, MEM_SIZE, (uint64_t)mem};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) die("KVM_SET_USER_MEMORY_REGION");

    /* Page tables: 4 GiB identity, 2 MiB pages, user-accessible except the first 2 MiB (4 KiB pages,
     * supervisor-only, page 0 absent). */
    uint64_t *pml4 = (uint64_t *)(mem + PML4), *pdpt = pml4 + 512, *pd = pml4 + 1024, *pt = pml4 + 5 * 512;
    pml4[0] = (PML4 + 0x1000) | 7;
    for (int i = 0; i < 4; i++) pdpt[i] = (PML4 + 0x2000 + 0x1000ul * (unsigned)i) | 7;
    for (uint64_t i = 0; i < 2048; i++) pd[i] = (i << 21) | 0x87;
    pd[0] = (PML4 + 0x6000) | 7;
    for (uint64_t i = 1; i < 512; i++) pt[i] = (i << 12) | 3;
    /* KVM-PVM only turns accesses into MMIO exits through 4 KiB guest mappings. */
    uint64_t *mmio_pt = (uint64_t *)(mem + MMIO_WINDOW_PT);
    for (uint64_t i = 0; i < 512; i++) mmio_pt[i] = (HC_DOORBELL + (i << 12)) | 7;
    pd[HC_DOORBELL >> 21] = MMIO_WINDOW_PT | 7;

    uint64_t *gdt = (uint64_t *)(mem + GDT);
    gdt[1] = 0x00af9b000000ffffull; /* kernel code64 */
    gdt[2] = 0x00cf93000000ffffull; /* kernel data */
    gdt[3] = 0x00cff3000000ffffull; /* user data */
    gdt[4] = 0x00affb000000ffffull; /* user code64 */
    gdt[5] = 0x0000890000000067ull | (TSS & 0xffffff) << 16; /* TSS, available */

    uint64_t entry;
    load_elf(mem, argv[1], &entry);

    /* argv on the top of RAM, stack below it. */
    uint64_t top = MEM_SIZE, ptrs[64];
    int gargc = argc - 1 < 64 ? argc - 1 : 64;
    for (int i = gargc - 1; i >= 0; i--) {
        size_t n = strlen(argv[i + 1]) + 1;
        top -= n;
        memcpy(mem + top, argv[i + 1], n);
        ptrs[i] = top;
    }
    top = (top - 8 * (uint64_t)(gargc + 1)) & ~15ull;
    memcpy(mem + top, ptrs, 8 * (size_t)gargc);
    memset(mem + top + 8 * (size_t)gargc, 0, 8);
    uint64_t argv_addr = top;

    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) die("KVM_CREATE_VCPU");
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    struct kvm_run *run = mmap(0, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) die("mmap kvm_run");

    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) die("KVM_GET_SREGS");
    set_seg(&sregs.cs, 0x23, 11, 1);
    set_seg(&sregs.ds, 0x1b, 3, 0);
    sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
    memset(&sregs.tr, 0, sizeof sregs.tr);
    sregs.tr.base = TSS, sregs.tr.limit = 0x67, sregs.tr.selector = 0x28, sregs.tr.type = 11, sregs.tr.present = 1;
    sregs.gdt.base = GDT, sregs.gdt.limit = 6 * 8 - 1;
    sregs.idt.base = 0, sregs.idt.limit = 0;
    sregs.cr0 = 0x80050033, sregs.cr3 = PML4, sregs.cr4 = 0x620, sregs.efer = 0x500;
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) die("KVM_SET_SREGS");
    struct kvm_regs regs = {0};
    regs.rip = entry, regs.rsp = argv_addr - 16, regs.rdi = (uint64_t)gargc, regs.rsi = argv_addr, regs.rdx = 1;
    regs.rcx = 0; /* hypercalls through the MMIO doorbell */
    regs.rflags = 0x3002;
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) die("KVM_SET_REGS");

    uint64_t exits = 0, t0 = now();
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) die("KVM_RUN");
        exits++;
        if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.phys_addr == HC_DOORBELL && run->mmio.is_write
            && run->mmio.len == 4) {
            uint32_t addr;
            memcpy(&addr, run->mmio.data, 4);
            if (addr > MEM_SIZE - 48) { fprintf(stderr, "bad hypercall block\n"); return 1; }
            uint64_t *b = (uint64_t *)(mem + addr);
            switch (b[0]) {
            case 0: {
                uint64_t t1 = now();
                fprintf(stderr, "refvmm: exits %llu, ns/exit %.0f\n", (unsigned long long)exits,
                        (double)(t1 - t0) / (double)exits);
                return (int)b[1];
            }
            case 1:
                if (b[1] + b[2] > MEM_SIZE) { fprintf(stderr, "bad write\n"); return 1; }
                fwrite(mem + b[1], 1, b[2], stdout);
                fflush(stdout);
                b[5] = b[2];
                break;
            case 4: b[5] = now(); break;
            case 5: b[5] = b[1]; break;
            default: fprintf(stderr, "refvmm: unsupported hypercall %llu\n", (unsigned long long)b[0]); return 1;
            }
            continue;
        }
        struct kvm_regs r;
        ioctl(vcpu, KVM_GET_REGS, &r);
        fprintf(stderr, "refvmm: exit reason %u at rip %llx\n", run->exit_reason, (unsigned long long)r.rip);
        return 1;
    }
}
