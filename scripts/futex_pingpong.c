/*
 * Anchor for section 5 of the JMH suite (docs/benchmarks.md): the round-trip time of a
 * ping-pong between two processes over a futex word in shared memory, the floor a cross-process
 * keyed mutex built on futexes is compared with. The parent waits for the word to be 0, sets it
 * to 1 and wakes; the child (forked) waits for 1, sets 0 and wakes. A waiter re-checks the word,
 * then sleeps in FUTEX_WAIT (no spinning); every hand-off calls FUTEX_WAKE.
 *
 * Build and run (scripts/bench.sh does this): gcc -O2 -o futex_pingpong futex_pingpong.c
 *   ./futex_pingpong [rounds=100000] [runs=7]
 * Prints one JSON object: the median, min and max round-trip time over the runs (us), and the
 * CPU time both processes used per round trip (us).
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void wait_for(atomic_int *word, int want) {
    int v;
    while ((v = atomic_load_explicit(word, memory_order_acquire)) != want) {
        syscall(SYS_futex, word, FUTEX_WAIT, v, NULL, NULL, 0);
    }
}

static void hand_over(atomic_int *word, int value) {
    atomic_store_explicit(word, value, memory_order_release);
    syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static double now_us(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double rusage_us(int who) {
    struct rusage ru;
    getrusage(who, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* One run: fork a child, ping-pong `rounds` times, return the round-trip time in us. */
static double run(atomic_int *word, long rounds) {
    atomic_store(word, 0);
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        exit(1);
    }
    if (child == 0) {
        for (long i = 0; i < rounds; i++) {
            wait_for(word, 1);
            hand_over(word, 0);
        }
        _exit(0);
    }
    double start = now_us(CLOCK_MONOTONIC);
    for (long i = 0; i < rounds; i++) {
        wait_for(word, 0);
        hand_over(word, 1);
    }
    wait_for(word, 0);
    double rtt = (now_us(CLOCK_MONOTONIC) - start) / rounds;
    int status;
    if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "futex_pingpong: child failed\n");
        exit(1);
    }
    return rtt;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 100000;
    int runs = argc > 2 ? atoi(argv[2]) : 7;
    if (rounds < 1 || runs < 1 || runs > 1000) {
        fprintf(stderr, "usage: futex_pingpong [rounds>0] [runs 1..1000]\n");
        return 2;
    }
    atomic_int *word = mmap(NULL, sizeof(atomic_int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (word == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    run(word, rounds / 10 + 1); /* warm-up */
    double cpu0 = rusage_us(RUSAGE_SELF) + rusage_us(RUSAGE_CHILDREN);
    double rtt[1000];
    for (int r = 0; r < runs; r++) {
        rtt[r] = run(word, rounds);
    }
    double cpu = (rusage_us(RUSAGE_SELF) + rusage_us(RUSAGE_CHILDREN) - cpu0) / ((double) rounds * runs);
    qsort(rtt, runs, sizeof(double), cmp);
    printf("{\"benchmark\": \"futex_pingpong\", \"unit\": \"us\", \"rounds\": %ld, \"runs\": %d, "
           "\"median\": %.3f, \"min\": %.3f, \"max\": %.3f, \"cpuPerRoundTrip\": %.3f, \"rtt\": [",
           rounds, runs, rtt[runs / 2], rtt[0], rtt[runs - 1], cpu);
    for (int r = 0; r < runs; r++) {
        printf("%s%.3f", r ? ", " : "", rtt[r]);
    }
    printf("]}\n");
    return 0;
}
