/*
 * tumult-nft: runs nftables scripts inside network namespaces for Tumult's executor, one after another, without a
 * process per script.
 *
 * Usage: tumult-nft (started by the executor, which talks to it over stdin and stdout)
 *
 * Each request is three fields, each a 4-byte big-endian length and that many bytes: the path of the network
 * namespace to enter, the inode it must have (empty: any), and the script (what `nft -f -` reads). The answer is the
 * exit code as a 4-byte big-endian integer (0 done, 1 refused by nftables or the namespace cannot be entered, 75 the
 * namespace with that inode is gone), then nft's output and error text as two such fields.
 *
 * It enters the namespace with setns(2) for the script, calls libnftables (the library nft is built on) with a
 * context made inside the namespace, and returns to its own namespace; it never acts in its own (the executor's)
 * namespace, and exits when it cannot get back to it. It exits at end of input: when the executor is gone.
 * A process of its own and not the executor's JVM: libnftables select()s on its netlink socket, which aborts a
 * process holding more than FD_SETSIZE descriptors, as a busy JVM can.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libnftables' API (nftables/libnftables.h), declared here so that only the library itself is needed. */
struct nft_ctx;
struct nft_ctx *nft_ctx_new(uint32_t flags);
void nft_ctx_free(struct nft_ctx *ctx);
int nft_ctx_buffer_output(struct nft_ctx *ctx);
int nft_ctx_buffer_error(struct nft_ctx *ctx);
const char *nft_ctx_get_output_buffer(struct nft_ctx *ctx);
const char *nft_ctx_get_error_buffer(struct nft_ctx *ctx);
int nft_run_cmd_from_buffer(struct nft_ctx *nft, const char *buf);

#define GONE 75
#define MAX_FIELD (16 * 1024 * 1024)

static int read_all(void *buf, size_t len) {
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(STDIN_FILENO, p, len);
        if (n == 0) {
            return 0;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += n;
        len -= (size_t) n;
    }
    return 1;
}

static void write_all(const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            exit(2); /* the executor is gone */
        }
        p += n;
        len -= (size_t) n;
    }
}

/* One length-prefixed field, NUL-terminated; NULL at end of input. */
static char *read_field(void) {
    unsigned char head[4];
    int got = read_all(head, 4);
    if (got <= 0) {
        return NULL;
    }
    uint32_t len = (uint32_t) head[0] << 24 | (uint32_t) head[1] << 16 | (uint32_t) head[2] << 8 | head[3];
    if (len > MAX_FIELD) {
        exit(2);
    }
    char *field = malloc(len + 1);
    if (!field || read_all(field, len) != 1) {
        exit(2);
    }
    field[len] = '\0';
    return field;
}

static void write_u32(uint32_t v) {
    unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };
    write_all(b, 4);
}

static void answer(int code, const char *out, const char *err) {
    write_u32((uint32_t) code);
    write_u32((uint32_t) strlen(out));
    write_all(out, strlen(out));
    write_u32((uint32_t) strlen(err));
    write_all(err, strlen(err));
}

static ino_t inode_of(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

int main(void) {
    int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    ino_t home_ino = home < 0 ? 0 : inode_of(home);
    if (home < 0 || home_ino == 0) {
        perror("tumult-nft: cannot open its own network namespace");
        return 3;
    }
    char message[512];
    for (;;) {
        char *path = read_field();
        if (!path) {
            return 0;
        }
        char *want = read_field();
        char *script = read_field();
        if (!want || !script) {
            return 2;
        }
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ino_t ino = fd < 0 ? 0 : inode_of(fd);
        if (fd < 0 || (*want && strtoull(want, NULL, 10) != (unsigned long long) ino)) {
            if (*want) {
                snprintf(message, sizeof message, "network namespace %s is gone\n", want);
                answer(GONE, "", message);
            } else {
                snprintf(message, sizeof message, "cannot open %s: %s\n", path, strerror(errno));
                answer(1, "", message);
            }
        } else if (ino == home_ino) {
            snprintf(message, sizeof message, "%s is the executor's own network namespace: refused\n", path);
            answer(1, "", message);
        } else if (setns(fd, CLONE_NEWNET) != 0) {
            snprintf(message, sizeof message, "cannot enter %s: %s\n", path, strerror(errno));
            answer(1, "", message);
        } else {
            struct nft_ctx *ctx = nft_ctx_new(0);
            int code = 1;
            const char *out = "", *err = "libnftables could not make a context\n";
            if (ctx) {
                nft_ctx_buffer_output(ctx);
                nft_ctx_buffer_error(ctx);
                code = nft_run_cmd_from_buffer(ctx, script) == 0 ? 0 : 1;
                out = nft_ctx_get_output_buffer(ctx);
                err = nft_ctx_get_error_buffer(ctx);
            }
            /* back home before answering; a helper that cannot get there must never run anything again */
            int back = setns(home, CLONE_NEWNET);
            int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
            if (back != 0 || self < 0 || inode_of(self) != home_ino) {
                fprintf(stderr, "tumult-nft: cannot return to its own network namespace\n");
                return 3;
            }
            close(self);
            answer(code, out ? out : "", err ? err : "");
            if (ctx) {
                nft_ctx_free(ctx);
            }
        }
        if (fd >= 0) {
            close(fd);
        }
        free(path);
        free(want);
        free(script);
    }
}
