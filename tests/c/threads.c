/* Threads: C11 atomics of every width from 8 to 64 bits (fetch-add, exchange, compare-exchange loops, fences), a
 * mutex-protected shared structure, a condition-variable bounded queue between producers and consumers, a barrier,
 * thread-local storage and join values. Whatever the interleaving, the printed results are fixed. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#define THREADS 4
#define ITERATIONS 5000
#define ITEMS 3000
#define QUEUE 8

static _Atomic uint8_t a8;
static _Atomic uint16_t a16;
static _Atomic uint32_t a32;
static _Atomic uint64_t a64;
static _Atomic uint64_t maximum;
static _Atomic uint32_t xor_acc, or_acc, and_acc = 0xffffffffu;
static _Atomic int spin;  /* a test-and-set lock built from exchange */
static uint64_t spin_protected;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t mutex_sum, mutex_count;

static pthread_barrier_t barrier;
static __thread uint64_t tls_counter;
static _Atomic uint64_t tls_total;

static void *worker(void *arg) {
    uint64_t id = (uint64_t)(uintptr_t)arg;
    pthread_barrier_wait(&barrier);  /* everybody starts together to maximise contention */
    for (uint64_t i = 0; i < ITERATIONS; i++) {
        atomic_fetch_add_explicit(&a8, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&a16, 3, memory_order_acq_rel);
        atomic_fetch_sub(&a32, 7);
        atomic_fetch_add(&a64, id * 1000003 + i);
        atomic_fetch_xor(&xor_acc, (uint32_t)((i + id * 7919) * 2654435761u));
        atomic_fetch_or(&or_acc, 1u << (i % 32));
        atomic_fetch_and(&and_acc, ~(1u << ((i + id) % 32)) | (i & 1 ? 0x80000000u : 0));
        uint64_t candidate = (id + 1) * 100000 + i, seen = atomic_load(&maximum);
        while (seen < candidate && !atomic_compare_exchange_weak(&maximum, &seen, candidate)) {}
        while (atomic_exchange_explicit(&spin, 1, memory_order_acquire)) {}
        spin_protected += i;
        atomic_store_explicit(&spin, 0, memory_order_release);
        if (i % 16 == 0) {
            pthread_mutex_lock(&lock);
            mutex_sum += id + i;
            mutex_count++;
            pthread_mutex_unlock(&lock);
        }
        tls_counter += id + 1;
    }
    atomic_fetch_add(&tls_total, tls_counter);
    return (void *)(uintptr_t)(tls_counter ^ 0x5a5a);
}

static int queue[QUEUE], head, tail, count;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;

static void *producer(void *arg) {
    int base = (int)(intptr_t)arg;
    for (int i = 0; i < ITEMS; i++) {
        pthread_mutex_lock(&qlock);
        while (count == QUEUE) pthread_cond_wait(&not_full, &qlock);
        queue[tail] = base + i;
        tail = (tail + 1) % QUEUE;
        count++;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&qlock);
    }
    return NULL;
}

static void *consumer(void *arg) {
    uint64_t *sum = arg;
    for (int i = 0; i < ITEMS; i++) {
        pthread_mutex_lock(&qlock);
        while (count == 0) pthread_cond_wait(&not_empty, &qlock);
        int v = queue[head];
        head = (head + 1) % QUEUE;
        count--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&qlock);
        *sum += (uint64_t)v * (uint64_t)v;
    }
    return NULL;
}

int main(void) {
    pthread_t t[THREADS];
    pthread_barrier_init(&barrier, NULL, THREADS);
    for (uintptr_t i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    uint64_t joined = 0;
    for (int i = 0; i < THREADS; i++) {
        void *ret;
        pthread_join(t[i], &ret);
        joined += (uint64_t)(uintptr_t)ret;
    }
    printf("a8 %u a16 %u a32 %u a64 %llu\n", atomic_load(&a8), atomic_load(&a16), atomic_load(&a32),
           (unsigned long long)atomic_load(&a64));
    printf("xor %08x or %08x and %08x max %llu\n", atomic_load(&xor_acc), atomic_load(&or_acc), atomic_load(&and_acc),
           (unsigned long long)atomic_load(&maximum));
    printf("spin-protected %llu mutex sum %llu count %llu\n", (unsigned long long)spin_protected,
           (unsigned long long)mutex_sum, (unsigned long long)mutex_count);
    printf("tls total %llu joined %llu main tls %llu\n", (unsigned long long)atomic_load(&tls_total),
           (unsigned long long)joined, (unsigned long long)tls_counter);

    pthread_t p[2], c[2];
    uint64_t sums[2] = {0, 0};
    pthread_create(&p[0], NULL, producer, (void *)(intptr_t)0);
    pthread_create(&p[1], NULL, producer, (void *)(intptr_t)100000);
    pthread_create(&c[0], NULL, consumer, &sums[0]);
    pthread_create(&c[1], NULL, consumer, &sums[1]);
    for (int i = 0; i < 2; i++) { pthread_join(p[i], NULL); pthread_join(c[i], NULL); }
    printf("queue: consumed sum of squares %llu, left %d\n", (unsigned long long)(sums[0] + sums[1]), count);
    puts("done");
    return 0;
}
