/* openloop: HTTP GET load at a fixed rate, latency from the intended send time.
 *
 *   cc -O2 -o openloop scripts/openloop.c
 *   openloop HOST PORT RATE SECONDS CONNECTIONS PATHS_FILE [WARMUP_SECONDS]
 *
 * wrk (what bench_serve.py uses for throughput) is closed-loop: each of its
 * connections sends the next request when the last answer arrives, so it
 * measures latency at saturation, and a stall makes it send less instead of
 * queueing (coordinated omission). Here request i is due at t0 + i / RATE
 * whatever happened before; it goes out on the first idle keep-alive
 * connection, waits in a queue when all are busy, and its latency runs from
 * when it was due to when its answer's last byte is read. This is the
 * latency a desk of translators sending RATE lookups per second sees, the
 * measure wrk2 reports (Debian has no wrk2).
 *
 * PATHS_FILE holds one request path per line, used in turn. Answers must be
 * HTTP/1.1 with Content-Length (tm-server's). Requests due during the first
 * WARMUP_SECONDS (default 1) are sent but not counted. Prints one JSON line:
 * the rate asked and achieved, counts, latency percentiles in ms, and how
 * late the client itself noticed that a request was due (if that is large,
 * the client and not the server is the bottleneck; time spent waiting for a
 * free connection is the server's and is in the latency, not here).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int fd;
    long req;          /* request in flight, or -1 */
    char *out;         /* bytes of the request still to write */
    size_t out_len, out_off;
    char *in;
    size_t in_len, in_cap;
} conn;

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "openloop: %s: %s\n", what, strerror(errno));
    exit(2);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static struct sockaddr_in addr;
static int ep;

/* A connected socket, or -1 when the server refuses (it stopped). */
static int open_conn(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void watch(conn *c, int op, unsigned events) {
    struct epoll_event e = {.events = events, .data.ptr = c};
    if (epoll_ctl(ep, op, c->fd, &e) < 0) die("epoll_ctl");
}

/* Writes what it can; 0 when all is written, 1 when it must wait, -1 on error. */
static int flush_out(conn *c) {
    while (c->out_off < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (n < 0) {
            if (errno == EAGAIN) return 1;
            return -1;
        }
        c->out_off += (size_t)n;
    }
    return 0;
}

/* An answer complete in c->in: its status in *status, 1; not yet: 0; bad framing: -1. */
static int parse(conn *c, int *status, int *close_after) {
    if (c->in_len < 12) return 0;
    char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t head = (size_t)(end - c->in) + 4;
    if (strncmp(c->in, "HTTP/1.", 7) != 0) return -1;
    *status = atoi(c->in + 9);
    long length = -1;
    *close_after = 0;
    for (char *line = memchr(c->in, '\n', head); line && line < end; line = memchr(line + 1, '\n', (size_t)(end - line))) {
        char *h = line + 1;
        if (strncasecmp(h, "content-length:", 15) == 0) length = atol(h + 15);
        if (strncasecmp(h, "connection:", 11) == 0 && strncasecmp(h + 11 + strspn(h + 11, " "), "close", 5) == 0)
            *close_after = 1;
    }
    if (length < 0) return -1;
    if (c->in_len < head + (size_t)length) return 0;
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: openloop HOST PORT RATE SECONDS CONNECTIONS PATHS_FILE [WARMUP_SECONDS]\n");
        return 2;
    }
    const char *host = argv[1];
    double rate = atof(argv[3]), seconds = atof(argv[4]);
    int nconn = atoi(argv[5]);
    double warmup = argc > 7 ? atof(argv[7]) : 1.0;
    if (rate <= 0 || seconds <= 0 || nconn <= 0) {
        fprintf(stderr, "openloop: RATE, SECONDS and CONNECTIONS must be positive\n");
        return 2;
    }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "openloop: HOST must be an IPv4 address\n");
        return 2;
    }

    /* The requests, built once. */
    FILE *f = fopen(argv[6], "r");
    if (!f) die(argv[6]);
    char **reqs = NULL;
    size_t *req_len = NULL, nreqs = 0, cap = 0;
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    while ((got = getline(&line, &line_cap, f)) > 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) line[--got] = 0;
        if (got == 0) continue;
        if (nreqs == cap) {
            cap = cap ? cap * 2 : 256;
            reqs = realloc(reqs, cap * sizeof *reqs);
            req_len = realloc(req_len, cap * sizeof *req_len);
            if (!reqs || !req_len) die("realloc");
        }
        int n = asprintf(&reqs[nreqs], "GET %s HTTP/1.1\r\nHost: %s:%s\r\n\r\n", line, host, argv[2]);
        if (n < 0) die("asprintf");
        req_len[nreqs++] = (size_t)n;
    }
    fclose(f);
    if (nreqs == 0) {
        fprintf(stderr, "openloop: no paths in %s\n", argv[6]);
        return 2;
    }

    long total = (long)(rate * (seconds + warmup));
    long counted_from = (long)(rate * warmup);
    double *lat = calloc((size_t)total + 1, sizeof *lat);
    double *due = malloc(((size_t)total + 1) * sizeof *due);
    if (!lat || !due) die("calloc");

    ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    conn *conns = calloc((size_t)nconn, sizeof *conns);
    conn **idle = calloc((size_t)nconn, sizeof *idle);
    if (!conns || !idle) die("calloc");
    int nidle = 0;
    for (int i = 0; i < nconn; i++) {
        conns[i].fd = open_conn();
        if (conns[i].fd < 0) die("connect");
        conns[i].req = -1;
        conns[i].in_cap = 65536;
        conns[i].in = malloc(conns[i].in_cap);
        if (!conns[i].in) die("malloc");
        watch(&conns[i], EPOLL_CTL_ADD, EPOLLIN);
        idle[nidle++] = &conns[i];
    }

    long next_due = 0;      /* requests whose time has come: [0, next_due) */
    long next_sent = 0;     /* requests handed to a connection: [0, next_sent) */
    long done = 0, ok = 0, errors = 0, non2xx = 0;
    double max_send_lag = 0, sum_send_lag = 0;
    double t0 = now_s() + 0.01;
    double drain_until = t0 + seconds + warmup + 10.0;
    struct epoll_event events[256];

    int live = nconn;
    while (done < total && live > 0) {
        double t = now_s();
        if (t > drain_until) break;
        while (next_due < total && t0 + (double)next_due / rate <= t) {
            due[next_due] = t0 + (double)next_due / rate;
            double lag = t - due[next_due]; /* the client's own lateness */
            if (lag > max_send_lag) max_send_lag = lag;
            sum_send_lag += lag;
            next_due++;
        }
        while (nidle > 0 && next_sent < next_due) {
            conn *c = idle[--nidle];
            long r = next_sent++;
            c->req = r;
            c->out = reqs[r % (long)nreqs];
            c->out_len = req_len[r % (long)nreqs];
            c->out_off = 0;
            c->in_len = 0;
            int w = flush_out(c);
            if (w < 0) die("write");
            if (w > 0) watch(c, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
        }
        double wait = next_due < total ? t0 + (double)next_due / rate - now_s() : 0.05;
        if (wait < 0) wait = 0;
        struct timespec ts = {.tv_sec = (time_t)wait, .tv_nsec = (long)((wait - (double)(time_t)wait) * 1e9)};
        int n = epoll_pwait2(ep, events, 256, &ts, NULL);
        if (n < 0 && errno == ENOSYS) n = epoll_wait(ep, events, 256, (int)(wait * 1000) + 1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int k = 0; k < n; k++) {
            conn *c = events[k].data.ptr;
            if ((events[k].events & EPOLLOUT) && c->req >= 0) {
                int w = flush_out(c);
                if (w < 0) die("write");
                if (w == 0) watch(c, EPOLL_CTL_MOD, EPOLLIN);
            }
            if (!(events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            int broken = 0;
            for (;;) {
                if (c->in_len == c->in_cap) {
                    c->in_cap *= 2;
                    c->in = realloc(c->in, c->in_cap);
                    if (!c->in) die("realloc");
                }
                ssize_t r = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
                if (r > 0) {
                    c->in_len += (size_t)r;
                    continue;
                }
                if (r < 0 && errno == EAGAIN) break;
                broken = 1; /* EOF or error */
                break;
            }
            int status = 0, close_after = 0;
            int p = c->req >= 0 ? parse(c, &status, &close_after) : 0;
            if (p == 1 || p < 0 || broken) {
                if (c->req >= 0) {
                    done++;
                    if (p == 1) {
                        if (c->req >= counted_from) {
                            lat[ok] = now_s() - due[c->req];
                            ok++;
                        }
                        if (status < 200 || status > 299) non2xx++;
                    } else {
                        errors++;
                    }
                    c->req = -1;
                }
                c->in_len = 0;
                if (p != 1 || broken || close_after) {
                    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                    close(c->fd);
                    c->fd = open_conn();
                    if (c->fd < 0) { /* the server is gone: this connection is out */
                        live--;
                        continue;
                    }
                    watch(c, EPOLL_CTL_ADD, EPOLLIN);
                }
                idle[nidle++] = c;
            }
        }
    }
    double elapsed = now_s() - t0;
    long lost = total - done;
    qsort(lat, (size_t)ok, sizeof *lat, cmp_double);
#define PCT(q) (ok ? 1000.0 * lat[(size_t)((double)(ok - 1) * (q))] : 0.0)
    printf("{\"rate\": %.1f, \"achieved\": %.1f, \"seconds\": %.1f, \"counted\": %ld, \"errors\": %ld, "
           "\"non2xx\": %ld, \"unanswered\": %ld, \"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, \"p999\": %.3f, "
           "\"max\": %.3f, \"client_lag_max_ms\": %.3f, \"client_lag_mean_ms\": %.3f}\n",
           rate, (double)done / elapsed, seconds, ok, errors, non2xx, lost, PCT(0.5), PCT(0.9), PCT(0.99),
           PCT(0.999), PCT(1.0), 1000 * max_send_lag, next_due ? 1000 * sum_send_lag / (double)next_due : 0.0);
    return errors || lost ? 1 : 0;
}
