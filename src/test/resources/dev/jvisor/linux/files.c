/* File system calls against a scratch directory given as argv[1]. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2 || chdir(argv[1]) != 0) return 2;
    int fd = open("a.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    struct iovec iov[2] = {{"hello ", 6}, {"world\n", 6}};
    printf("writev=%zd\n", writev(fd, iov, 2));
    printf("lseek=%ld\n", (long)lseek(fd, 0, SEEK_SET));
    char buf[64] = {0};
    printf("read=%zd '%.11s'\n", read(fd, buf, sizeof buf), buf);
    printf("pread=%zd '%.5s'\n", pread(fd, buf, 5, 6), buf);
    struct stat st;
    fstat(fd, &st);
    printf("size=%ld reg=%d mode=%o\n", (long)st.st_size, S_ISREG(st.st_mode), st.st_mode & 0777);
    char *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("mmap '%.5s' tail-zero=%d\n", m, m[12] == 0 && m[4095] == 0);
    munmap(m, 4096);
    close(fd);

    printf("open missing: %d errno=%d\n", open("missing", O_RDONLY), errno);
    printf("mkdir=%d rename=%d\n", mkdir("d", 0755), rename("a.txt", "d/b.txt"));
    printf("stat old=%d errno=%d\n", stat("a.txt", &st), errno);
    DIR *d = opendir("d");
    struct dirent *e;
    int entries = 0, found = 0;
    while ((e = readdir(d)) != NULL) {
        entries++;
        if (strcmp(e->d_name, "b.txt") == 0 && e->d_type == DT_REG) found = 1;
    }
    closedir(d);
    printf("entries=%d found=%d\n", entries, found);
    printf("rmdir non-empty=%d errno=%d\n", rmdir("d"), errno);
    printf("unlink=%d rmdir=%d\n", unlink("d/b.txt"), rmdir("d"));

    int p[2];
    pipe(p);
    int copy = dup(p[1]);
    write(copy, "through a pipe", 14);
    close(copy);
    close(p[1]);
    ssize_t n = read(p[0], buf, sizeof buf);
    printf("pipe=%zd '%.*s' eof=%zd\n", n, (int)n, buf, read(p[0], buf, 1));
    char cwd[256];
    printf("cwd-ok=%d\n", getcwd(cwd, sizeof cwd) != NULL && strstr(cwd, argv[1] + 1) != NULL);
    return 0;
}
