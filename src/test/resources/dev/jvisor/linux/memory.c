/* brk, mmap hints and MAP_FIXED_NOREPLACE, mremap growth and moves. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void) {
    char *b0 = sbrk(0);
    char *b1 = sbrk(3 * 4096);
    memset(b1, 7, 3 * 4096);
    printf("sbrk grew=%d\n", (char *)sbrk(0) - b0 == 3 * 4096);

    char *a = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(a, 'x', 8192);
    char *again = mmap(a, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("noreplace=%d errno-eexist=%d\n", again == MAP_FAILED, errno == EEXIST);
    char *fixed = mmap(a + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("fixed=%d zeroed=%d kept=%c\n", fixed == a + 4096, fixed[0] == 0, a[4095]);

    char *g = mremap(a, 8192, 1 << 20, MREMAP_MAYMOVE);
    printf("mremap kept=%c%c grown-zero=%d\n", g[0], g[4095], g[(1 << 20) - 1] == 0);
    g[(1 << 20) - 1] = 5;
    munmap(g, 1 << 20);
    printf("munmap=%d\n", munmap(g, 4096));
    printf("bad munmap errno-einval=%d\n", munmap(g + 1, 4096) == -1 && errno == EINVAL);
    return 0;
}
