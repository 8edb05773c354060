/* pthreads over clone and futex: mutex, condition variable, join, thread-local storage. */
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>

#define THREADS 4
#define ROUNDS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static atomic_long atomic_counter;
static int ready;
static __thread int tls_value;

static void *worker(void *arg) {
    long id = (long)arg;
    tls_value = (int)id * 100;
    pthread_mutex_lock(&lock);
    while (!ready) pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
        atomic_fetch_add(&atomic_counter, 1);
    }
    return (void *)(long)(tls_value + 1);
}

int main(void) {
    pthread_t t[THREADS];
    tls_value = 7;
    for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)(i + 1));
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    long results = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        results += (long)r;
    }
    printf("counter=%ld atomic=%ld results=%ld main-tls=%d\n", counter, (long)atomic_counter, results, tls_value);
    return 0;
}
