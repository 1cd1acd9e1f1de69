/*
 * tumult-delayq: holds every packet of one NFQUEUE queue for delay +- jitter, then accepts it.
 *
 * Usage: tumult-delayq <queue-num> <delay-us> <jitter-us> <tag>
 *
 * Built by Tumult's executor (NetworkLatencyAttack) against libnetfilter_queue, and run inside the target's network
 * namespace, where an iptables rule (-j NFQUEUE --queue-num N --queue-bypass) sends it the target's outgoing
 * packets. The tag (tumult_<run id>) is only there so the run's undo can find this process by its command line.
 * Fail safe: with --queue-bypass packets pass when no consumer is bound, and the queue is opened fail-open, so a full
 * queue passes packets rather than dropping them. On SIGTERM or SIGINT every held packet is accepted before exiting.
 * Prints "ready" on stdout once the queue is bound.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

struct held {
    uint64_t due_ns;
    uint32_t id;
};

static struct held *heap;
static size_t heap_len, heap_cap;
static int64_t delay_ns, jitter_ns;
static volatile sig_atomic_t stopping;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static void push(struct held h) {
    if (heap_len == heap_cap) {
        heap_cap = heap_cap ? heap_cap * 2 : 1024;
        heap = realloc(heap, heap_cap * sizeof *heap);
        if (!heap) {
            perror("realloc");
            exit(3);
        }
    }
    size_t i = heap_len++;
    while (i > 0 && heap[(i - 1) / 2].due_ns > h.due_ns) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = h;
}

static struct held pop(void) {
    struct held top = heap[0], last = heap[--heap_len];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= heap_len) break;
        if (c + 1 < heap_len && heap[c + 1].due_ns < heap[c].due_ns) c++;
        if (heap[c].due_ns >= last.due_ns) break;
        heap[i] = heap[c];
        i = c;
    }
    if (heap_len > 0) heap[i] = last;
    return top;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data) {
    (void) msg;
    (void) data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (!ph) return 0;
    uint32_t id = ntohl(ph->packet_id);
    int64_t d = delay_ns;
    if (jitter_ns > 0) {
        d += (int64_t) (((double) random() / RAND_MAX) * 2.0 * (double) jitter_ns) - jitter_ns;
    }
    if (d <= 0) return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
    push((struct held) { now_ns() + (uint64_t) d, id });
    return 0;
}

static void on_signal(int sig) {
    (void) sig;
    stopping = 1;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s <queue-num> <delay-us> <jitter-us> <tag>\n", argv[0]);
        return 2;
    }
    int queue = atoi(argv[1]);
    delay_ns = atoll(argv[2]) * 1000;
    jitter_ns = atoll(argv[3]) * 1000;
    srandom((unsigned) now_ns());

    sigset_t blocked, empty;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGINT);
    sigprocmask(SIG_BLOCK, &blocked, NULL);
    sigemptyset(&empty);
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct nfq_handle *h = nfq_open();
    if (!h) {
        perror("nfq_open");
        return 1;
    }
    struct nfq_q_handle *qh = nfq_create_queue(h, (uint16_t) queue, &on_packet, NULL);
    if (!qh) {
        fprintf(stderr, "cannot bind queue %d: %s\n", queue, strerror(errno));
        return 1;
    }
    if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) {
        perror("nfq_set_mode");
        return 1;
    }
    nfq_set_queue_maxlen(qh, 65536);
    nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
    nfnl_rcvbufsiz(nfq_nfnlh(h), 8 * 1024 * 1024);
    int fd = nfq_fd(h);
    printf("ready\n");
    fflush(stdout);

    char buf[65536] __attribute__((aligned));
    while (!stopping) {
        uint64_t now = now_ns();
        while (heap_len > 0 && heap[0].due_ns <= now) {
            nfq_set_verdict(qh, pop().id, NF_ACCEPT, 0, NULL);
        }
        struct timespec wait = { 1, 0 };
        if (heap_len > 0) {
            uint64_t left = heap[0].due_ns - now;
            wait.tv_sec = (time_t) (left / 1000000000ull);
            wait.tv_nsec = (long) (left % 1000000000ull);
        }
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int ready = ppoll(&pfd, 1, &wait, &empty);
        if (ready > 0 && (pfd.revents & POLLIN)) {
            for (;;) {
                ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
                if (n > 0) {
                    nfq_handle_packet(h, buf, (int) n);
                } else if (n < 0 && errno == ENOBUFS) {
                    continue; /* the kernel dropped notifications; fail-open keeps the rest flowing */
                } else {
                    break;
                }
            }
        }
    }
    while (heap_len > 0) {
        nfq_set_verdict(qh, pop().id, NF_ACCEPT, 0, NULL);
    }
    nfq_destroy_queue(qh);
    nfq_close(h);
    return 0;
}
