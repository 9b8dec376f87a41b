#include "htmlshim.h"
#include "eventbuf.h"
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* libxml2's XML (not HTML) SAX2 parser for the TMX reader. Every pointer
 * libxml2 hands a callback is checked here: FoundationXML's XMLParser, which
 * the reader used before, called strlen on the NULL ones (processing
 * instructions without data, DTD declarations, and more the fuzzer kept
 * finding). Only the events the reader needs are recorded. */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static void init_libxml2(void) { xmlInitParser(); }

typedef struct state {
  eventbuf e;
  xmlParserCtxtPtr ctxt;
  tmxml_result *r;
} state;

static void put(state *b, const void *d, int64_t n) {
  if (!eventbuf_put(&b->e, d, n) && b->ctxt) xmlStopParser(b->ctxt);
}
static void put_bytes(state *b, const xmlChar *s, int64_t n) {
  if (!s || n < 0) n = 0;
  if (n > UINT32_MAX) n = UINT32_MAX;
  uint32_t l = (uint32_t)n;
  put(b, &l, 4);
  if (l) put(b, s, l);
}
/* A qualified name from libxml2's (prefix, local) pair. */
static void put_qname(state *b, const xmlChar *prefix, const xmlChar *local) {
  int64_t pl = prefix ? (int64_t)strlen((const char *)prefix) : 0;
  int64_t ll = local ? (int64_t)strlen((const char *)local) : 0;
  uint32_t l = (uint32_t)(pl + (pl ? 1 : 0) + ll);
  put(b, &l, 4);
  if (pl) {
    put(b, prefix, pl);
    put(b, ":", 1);
  }
  if (ll) put(b, local, ll);
}
static void head(state *b, uint8_t kind) {
  int32_t line = b->ctxt ? (int32_t)xmlSAX2GetLineNumber(b->ctxt) : 0;
  put(b, &kind, 1);
  put(b, &line, 4);
}

static void on_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int nns,
                     const xmlChar **ns, int natts, int ndefaulted, const xmlChar **atts) {
  (void)uri; (void)nns; (void)ns; (void)ndefaulted;
  state *b = ctx;
  head(b, 'S');
  put_qname(b, prefix, local);
  uint32_t count = natts > 0 && atts ? (uint32_t)natts : 0;
  put(b, &count, 4);
  /* atts: (localname, prefix, URI, value, end) per attribute. */
  for (uint32_t i = 0; i < count; i++) {
    const xmlChar **a = atts + 5 * i;
    put_qname(b, a[1], a[0]);
    int64_t len = (a[3] && a[4] && a[4] >= a[3]) ? (int64_t)(a[4] - a[3]) : 0;
    put_bytes(b, a[3], len);
  }
}
static void on_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri) {
  (void)uri;
  state *b = ctx;
  head(b, 'E');
  put_qname(b, prefix, local);
}
static void on_text(void *ctx, const xmlChar *ch, int len) {
  state *b = ctx;
  head(b, 'T');
  put_bytes(b, ch, len);
}
static void on_cdata(void *ctx, const xmlChar *ch, int len) {
  state *b = ctx;
  head(b, 'C');
  put_bytes(b, ch, len);
}
/* The first error stops the parse; an undeclared entity (a warning when
 * the document names an external DTD, which is never read) is one too.
 * Namespace errors (a prefix never bound) are not: the reader does not
 * process namespaces. */
static void on_error(void *ctx, xmlErrorPtr e) {
  state *b = ctx;
  if (!e || b->r->error_code) return;
  if (e->domain == XML_FROM_NAMESPACE) return;
  if (e->level < XML_ERR_ERROR && e->code != XML_WAR_UNDECLARED_ENTITY) return;
  b->r->error_code = e->code ? e->code : -1;
  b->r->error_line = e->line;
  if (e->message) {
    size_t n = strlen(e->message);
    if (n >= sizeof b->r->error_message) n = sizeof b->r->error_message - 1;
    memcpy(b->r->error_message, e->message, n);
    b->r->error_message[n] = 0;
    while (n > 0 && (b->r->error_message[n - 1] == '\n' || b->r->error_message[n - 1] == ' '))
      b->r->error_message[--n] = 0;
  }
  if (b->ctxt) xmlStopParser(b->ctxt);
}

tmxml_result tmxml_parse(const uint8_t *bytes, int64_t length) {
  tmxml_result r;
  memset(&r, 0, sizeof r);
  pthread_once(&init_once, init_libxml2);
  if (length < 0 || (length > 0 && !bytes)) {
    r.status = -2;
    return r;
  }
  xmlSAXHandler sax;
  memset(&sax, 0, sizeof sax);
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = on_start;
  sax.endElementNs = on_end;
  sax.characters = on_text;
  sax.ignorableWhitespace = on_text;
  sax.cdataBlock = on_cdata;
  sax.serror = on_error;
  /* No getEntity, resolveEntity, internalSubset or externalSubset: only the
   * five predefined entities and character references exist, and nothing
   * outside the bytes is ever read. */
  state b;
  memset(&b, 0, sizeof b);
  b.r = &r;
  xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(&sax, &b, NULL, 0, NULL);
  if (!ctxt) {
    r.status = -2;
    return r;
  }
  b.ctxt = ctxt;
  /* HUGE: no 10 MB cap on a text node or the document; NOENT: entity
   * references are replaced (only the predefined ones can be, and '&' in an
   * attribute then arrives as '&', not as "&#38;"); NONET: no network. */
  xmlCtxtUseOptions(ctxt, XML_PARSE_HUGE | XML_PARSE_NOENT | XML_PARSE_NONET);
  /* The caller hands over UTF-8 only (TMX.utf8Document converts). */
  xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
  const int64_t chunk = 1 << 20;
  int64_t at = 0;
  while (at < length && !r.error_code && !b.e.failed && ctxt->instate != XML_PARSER_EOF) {
    int64_t n = length - at < chunk ? length - at : chunk;
    xmlParseChunk(ctxt, (const char *)bytes + at, (int)n, 0);
    at += n;
  }
  if (!r.error_code && !b.e.failed && ctxt->instate != XML_PARSER_EOF) xmlParseChunk(ctxt, NULL, 0, 1);
  if (!r.error_code && !b.e.failed && !ctxt->wellFormed) {
    /* Not well-formed without an error that reached on_error (should not
     * happen): say so rather than accept it. */
    r.error_code = ctxt->errNo ? ctxt->errNo : -1;
    r.error_line = ctxt->input ? ctxt->input->line : 0;
  }
  xmlFreeParserCtxt(ctxt);
  if (b.e.failed) {
    free(b.e.p);
    r.status = -1;
    return r;
  }
  r.events = b.e.p;
  r.length = b.e.n;
  return r;
}

void tmxml_free(tmxml_result *result) {
  if (!result) return;
  free(result->events);
  result->events = 0;
  result->length = 0;
}
