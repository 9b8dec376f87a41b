/* The growing byte buffer both shims write their events into (private to
 * CHTMLShim: not under include/, so no Swift module sees it). */
#ifndef TM_EVENTBUF_H
#define TM_EVENTBUF_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct eventbuf {
  uint8_t *p;
  int64_t n, cap;
  int failed; /* out of memory: nothing more is written */
} eventbuf;

/* Appends n bytes; returns 0 when the buffer could not grow. */
static inline int eventbuf_put(eventbuf *b, const void *d, int64_t n) {
  if (b->failed) return 0;
  if (b->n + n > b->cap) {
    int64_t c = b->cap ? b->cap : 4096;
    while (c < b->n + n) c *= 2;
    uint8_t *q = realloc(b->p, (size_t)c);
    if (!q) {
      b->failed = 1;
      return 0;
    }
    b->p = q;
    b->cap = c;
  }
  memcpy(b->p + b->n, d, (size_t)n);
  b->n += n;
  return 1;
}

#endif
