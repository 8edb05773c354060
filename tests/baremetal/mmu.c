// Bare-metal MMU checks in C for jvisor's system level: builds 4 KB-granule, 48-bit page tables at run time,
// enables the MMU and checks aliases, ASID switches, TLBI after unmapping, faults at each level and a read-only
// block, with a C exception handler that records ESR/FAR and skips the faulting instruction. Prints one line per
// failed check and a summary on the UART at 0x09000000; the test compares the output.

typedef unsigned long u64;

#define UART ((volatile unsigned char *) 0x09000000UL)
#define RAM 0x40000000UL
#define TABLES (RAM + 0x200000)         /* 2 MB of page-table pages */
#define PAGES (RAM + 0x400000)          /* data pages the tests map */
#define TEST_VA 0x100000000UL           /* above the identity map */

#define VALID 1UL
#define TABLE 3UL
#define PAGE 3UL
#define BLOCK 1UL
#define AF (1UL << 10)
#define RO (1UL << 7)
#define DEVICE (1UL << 2)
#define XN (3UL << 53)

__asm__(
    ".text\n"
    ".global _start\n"
    "_start:\n"
    "  ldr x0, =0x40200000\n"
    "  mov sp, x0\n"
    "  adr x0, vectors\n"
    "  msr vbar_el1, x0\n"
    "  bl main\n"
    "  hvc #0\n"
    "  b .\n"
    ".balign 2048\n"
    "vectors:\n"
    "  .rept 4\n  .balign 128\n  hvc #1\n  .endr\n"
    "  .balign 128\n"                           /* current EL with SP_ELx, synchronous */
    "  sub sp, sp, #176\n"
    "  stp x0, x1, [sp]\n  stp x2, x3, [sp, #16]\n  stp x4, x5, [sp, #32]\n  stp x6, x7, [sp, #48]\n"
    "  stp x8, x9, [sp, #64]\n  stp x10, x11, [sp, #80]\n  stp x12, x13, [sp, #96]\n"
    "  stp x14, x15, [sp, #112]\n  stp x16, x17, [sp, #128]\n  stp x18, x30, [sp, #144]\n"
    "  mrs x0, esr_el1\n  mrs x1, far_el1\n  mrs x2, elr_el1\n"
    "  bl on_sync\n"
    "  msr elr_el1, x0\n"
    "  ldp x0, x1, [sp]\n  ldp x2, x3, [sp, #16]\n  ldp x4, x5, [sp, #32]\n  ldp x6, x7, [sp, #48]\n"
    "  ldp x8, x9, [sp, #64]\n  ldp x10, x11, [sp, #80]\n  ldp x12, x13, [sp, #96]\n"
    "  ldp x14, x15, [sp, #112]\n  ldp x16, x17, [sp, #128]\n  ldp x18, x30, [sp, #144]\n"
    "  add sp, sp, #176\n"
    "  eret\n"
    "  .rept 11\n  .balign 128\n  hvc #1\n  .endr\n"
    ".ltorg\n");

static volatile u64 last_esr, last_far;
static volatile int faults;
static int failures;
static u64 next_table = TABLES;

u64 on_sync(u64 esr, u64 far, u64 elr) {
    last_esr = esr;
    last_far = far;
    faults++;
    return elr + 4;
}

static void putc(char c) { *UART = c; }

static void puts(const char *s) {
    while (*s) putc(*s++);
}

static void puthex(u64 v) {
    puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4) putc("0123456789abcdef"[(v >> shift) & 15]);
}

static void check(int line, u64 got, u64 want) {
    if (got == want) return;
    failures++;
    puts("FAIL line ");
    putc('0' + line / 100 % 10);
    putc('0' + line / 10 % 10);
    putc('0' + line % 10);
    puts(": got ");
    puthex(got);
    puts(", want ");
    puthex(want);
    putc('\n');
}
#define CHECK(got, want) check(__LINE__, (got), (want))

static u64 *new_table(void) {
    u64 *t = (u64 *) next_table;
    next_table += 4096;
    for (int i = 0; i < 512; i++) t[i] = 0;
    return t;
}

/* The level-3 entry for va under root, creating tables on the way. */
static u64 *pte(u64 *root, u64 va) {
    u64 *t = root;
    for (int level = 0; level < 3; level++) {
        u64 *e = &t[(va >> (39 - 9 * level)) & 511];
        if (!(*e & VALID)) *e = (u64) new_table() | TABLE;
        t = (u64 *) (*e & 0x0000fffffffff000UL);
    }
    return &t[(va >> 12) & 511];
}

/* The level-2 entry for va under root (for 2 MB blocks). */
static u64 *pmd(u64 *root, u64 va) {
    u64 *t = root;
    for (int level = 0; level < 2; level++) {
        u64 *e = &t[(va >> (39 - 9 * level)) & 511];
        if (!(*e & VALID)) *e = (u64) new_table() | TABLE;
        t = (u64 *) (*e & 0x0000fffffffff000UL);
    }
    return &t[(va >> 21) & 511];
}

#define SYSREG_WRITE(name, v) __asm__ volatile("msr " #name ", %0\n isb" ::"r"((u64) (v)) : "memory")
#define SYSREG_READ(name) ({ u64 _v; __asm__ volatile("mrs %0, " #name : "=r"(_v)); _v; })

static void tlbi_all(void) {
    __asm__ volatile("dsb ishst\n tlbi vmalle1is\n dsb ish\n isb" ::: "memory");
}

static void tlbi_va(u64 va) {
    __asm__ volatile("dsb ishst\n tlbi vae1is, %0\n dsb ish\n isb" ::"r"(va >> 12) : "memory");
}

static u64 load(u64 va) {
    return *(volatile u64 *) va;
}

static void store(u64 va, u64 v) {
    *(volatile u64 *) va = v;
}

/* ESR of the fault the last access took, or 0 if it did not fault. */
static u64 fault_of(u64 faults_before) {
    return faults == faults_before ? 0 : last_esr;
}

int main(void) {
    u64 *root = new_table();
    for (u64 pa = RAM; pa < RAM + 0x800000; pa += 0x200000) *pmd(root, pa) = pa | BLOCK | AF;
    *pmd(root, 0x09000000UL) = 0x09000000UL | BLOCK | AF | DEVICE | XN;
    for (int i = 0; i < 4; i++) *(u64 *) (PAGES + 4096 * i) = 0xA0 + i;
    *pte(root, TEST_VA) = PAGES | PAGE | AF;
    *pte(root, TEST_VA + 0x1000) = PAGES | PAGE | AF;                  /* alias of the same page */
    *pte(root, TEST_VA + 0x2000) = (PAGES + 0x1000) | PAGE | AF | RO;
    *pmd(root, TEST_VA + 0x40000000UL) = (RAM + 0x600000) | BLOCK | AF | RO;

    SYSREG_WRITE(mair_el1, 0x00ffUL << 0 | 0x00UL << 8);               /* attr0 normal, attr1 device */
    SYSREG_WRITE(tcr_el1, 16UL | 16UL << 16 | 2UL << 30 | 5UL << 32 | 1UL << 36 /* 16-bit ASIDs */);
    SYSREG_WRITE(ttbr0_el1, (u64) root | 1UL << 48);
    SYSREG_WRITE(sctlr_el1, SYSREG_READ(sctlr_el1) | 1);
    CHECK(SYSREG_READ(sctlr_el1) & 1, 1);

    /* Aliases see each other's stores. */
    CHECK(load(TEST_VA), 0xA0);
    store(TEST_VA + 0x1000 + 8, 0x1234);
    CHECK(load(TEST_VA + 8), 0x1234);
    CHECK(load(TEST_VA + 0x2000), 0xA1);

    /* Faults: a read-only page, an unmapped page (level 3), nothing at level 2, nothing at level 1. */
    u64 n = faults;
    store(TEST_VA + 0x2000, 1);
    CHECK(fault_of(n), 0x96000000UL | 1 << 6 | 0x0f);
    CHECK(last_far, TEST_VA + 0x2000);
    n = faults;
    load(TEST_VA + 0x3000);
    CHECK(fault_of(n), 0x96000007UL);
    n = faults;
    load(TEST_VA + 0x200000);
    CHECK(fault_of(n), 0x96000006UL);
    n = faults;
    load(TEST_VA + 0x80000000UL);
    CHECK(fault_of(n), 0x96000005UL);
    CHECK(last_far, TEST_VA + 0x80000000UL);
    n = faults;
    load(0x0000800000000000UL);                                        /* beyond 48 bits */
    CHECK(fault_of(n), 0x96000004UL);
    n = faults;
    store(TEST_VA + 0x40000000UL + 0x1008, 5);                         /* read-only 2 MB block */
    CHECK(fault_of(n), 0x96000000UL | 1 << 6 | 0x0e);
    CHECK(load(TEST_VA + 0x40000000UL), *(u64 *) (RAM + 0x600000));

    /* Unmap a page: after TLBI VAE1IS it faults. */
    CHECK(load(TEST_VA + 0x1000), 0xA0);
    *pte(root, TEST_VA + 0x1000) = 0;
    tlbi_va(TEST_VA + 0x1000);
    n = faults;
    load(TEST_VA + 0x1000);
    CHECK(fault_of(n), 0x96000007UL);

    /* A second address space under ASID 2 maps TEST_VA elsewhere; switching back restores the first. */
    u64 *other = new_table();
    for (u64 pa = RAM; pa < RAM + 0x800000; pa += 0x200000) *pmd(other, pa) = pa | BLOCK | AF;
    *pmd(other, 0x09000000UL) = 0x09000000UL | BLOCK | AF | DEVICE | XN;
    *pte(other, TEST_VA) = (PAGES + 0x3000) | PAGE | AF;
    SYSREG_WRITE(ttbr0_el1, (u64) other | 2UL << 48);
    CHECK(load(TEST_VA), 0xA3);
    SYSREG_WRITE(ttbr0_el1, (u64) root | 1UL << 48);
    CHECK(load(TEST_VA), 0xA0);

    /* Remap with TLBI VMALLE1IS. */
    *pte(root, TEST_VA) = (PAGES + 0x2000) | PAGE | AF;
    tlbi_all();
    CHECK(load(TEST_VA), 0xA2);

    puts(failures ? "mmu: failed\n" : "mmu: all checks passed\n");
    return failures;
}
