/* futex(2) operations glibc does not all use: bitsets, timeouts, requeue and wake-op. */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static atomic_int word1, word2, waiting;

static long futex(atomic_int *addr, int op, int val, const struct timespec *ts, atomic_int *addr2, int val3) {
    return syscall(SYS_futex, addr, op, val, ts, addr2, val3);
}

static void *waiter(void *arg) {
    atomic_fetch_add(&waiting, 1);
    long r = futex(&word1, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return (void *)(r == 0 ? 1L : 100L);
}

static void *bitset_waiter(void *arg) {
    atomic_fetch_add(&waiting, 1);
    long r = futex(&word2, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, (int)(long)arg);
    return (void *)(r == 0 ? 1L : 100L);
}

static void wait_for(int n) {
    while (atomic_load(&waiting) < n) sched_yield();
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

int main(void) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    long r = futex(&word1, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
    printf("wait wrong value: %ld eagain=%d\n", r, errno == EAGAIN);
    r = futex(&word1, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
    printf("wait timeout: %ld etimedout=%d\n", r, errno == ETIMEDOUT);
    printf("wake nobody: %ld\n", futex(&word1, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));

    pthread_t t[3];
    for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, waiter, NULL);
    wait_for(3);
    /* Wake one on word1, move the other two to word2, then wake them there. */
    r = futex(&word1, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)2L, &word2, 0);
    printf("cmp_requeue: %ld\n", r);
    printf("wake word1 after requeue: %ld\n", futex(&word1, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));
    printf("wake word2: %ld\n", futex(&word2, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));
    long sum = 0;
    for (int i = 0; i < 3; i++) {
        void *v;
        pthread_join(t[i], &v);
        sum += (long)v;
    }
    printf("requeued threads woke: %ld\n", sum);

    atomic_store(&waiting, 0);
    pthread_create(&t[0], NULL, bitset_waiter, (void *)1L);
    pthread_create(&t[1], NULL, bitset_waiter, (void *)2L);
    wait_for(2);
    printf("wake bitset 2: %ld\n", futex(&word2, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 2));
    printf("wake bitset 1: %ld\n", futex(&word2, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 1));
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);

    /* WAKE_OP: word2 += 5 (old value 0 is compared: 0 == 0 so waiters on word2 are woken too). */
    atomic_store(&word2, 0);
    int op = FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0);
    r = futex(&word1, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &word2, op);
    printf("wake_op: %ld word2=%d\n", r, atomic_load(&word2));
    return 0;
}
