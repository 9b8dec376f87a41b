#include "htmlshim.h"
#include "eventbuf.h"
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlversion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* libxml2 must be initialised once before threads parse at the same time. */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static void init_libxml2(void) { xmlInitParser(); }

typedef struct buf {
  eventbuf e;
  htmlParserCtxtPtr ctxt;
} buf;

static void put(buf *b, const void *d, int64_t n) { eventbuf_put(&b->e, d, n); }
static void put_str(buf *b, const xmlChar *s, int64_t n) {
  uint32_t l = (uint32_t)(n < 0 ? (s ? strlen((const char *)s) : 0) : n);
  put(b, &l, 4);
  if (l) put(b, s, l);
}
static void head(buf *b, uint8_t kind) {
  int64_t pos = (int64_t)xmlByteConsumed(b->ctxt);
  put(b, &kind, 1);
  put(b, &pos, 8);
}

static void on_start(void *ctx, const xmlChar *name, const xmlChar **atts) {
  buf *b = ctx;
  head(b, 'S');
  put_str(b, name, -1);
  uint32_t count = 0;
  if (atts) while (atts[2 * count]) count++;
  put(b, &count, 4);
  for (uint32_t i = 0; i < count; i++) {
    put_str(b, atts[2 * i], -1);
    put_str(b, atts[2 * i + 1] ? atts[2 * i + 1] : (const xmlChar *)"", -1);
  }
}
static void on_end(void *ctx, const xmlChar *name) {
  buf *b = ctx;
  head(b, 'E');
  put_str(b, name, -1);
}
static void on_text(void *ctx, const xmlChar *ch, int len) {
  buf *b = ctx;
  head(b, 'T');
  put_str(b, ch, len);
}
static void on_other(void *ctx, const xmlChar *a) {
  (void)a;
  buf *b = ctx;
  head(b, 'O');
}
static void on_pi(void *ctx, const xmlChar *t, const xmlChar *d) {
  (void)t; (void)d;
  on_other(ctx, NULL);
}
static void on_silent(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }

tmhtml_result tmhtml_parse(const uint8_t *bytes, int64_t length, const char *encoding) {
  tmhtml_result r = {0, 0, 0};
  pthread_once(&init_once, init_libxml2);
  htmlSAXHandler sax;
  memset(&sax, 0, sizeof sax);
  sax.startElement = on_start;
  sax.endElement = on_end;
  sax.characters = on_text;
  sax.ignorableWhitespace = on_text;
  sax.cdataBlock = on_text;
  sax.comment = on_other;
  sax.processingInstruction = on_pi;
  sax.warning = on_silent;
  sax.error = on_silent;
  buf b;
  memset(&b, 0, sizeof b);
  htmlParserCtxtPtr ctxt = htmlCreateMemoryParserCtxt((const char *)bytes, (int)length);
  if (!ctxt) { r.status = -2; return r; }
  htmlSAXHandlerPtr old = (htmlSAXHandlerPtr)ctxt->sax;
  ctxt->sax = (xmlSAXHandlerPtr)&sax;
  ctxt->userData = &b;
  b.ctxt = ctxt;
  htmlCtxtUseOptions(ctxt, HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                               HTML_PARSE_NOIMPLIED | XML_PARSE_HUGE);
  /* The caller found the encoding (BOM, <meta charset>, or UTF-8). Setting
   * input->encoding as htmlCtxtReadMemory does makes libxml2 ignore the
   * <meta> it would otherwise switch on in mid-parse. */
  /* UTF-8 is parsed as it is, with no converter: with one, libxml2 2.9's
   * xmlByteConsumed() drifts once the input is past its first conversion
   * chunk (about 32 KB), which put text slots at wrong offsets in large
   * documents. */
  int is_utf8 = !encoding || !xmlStrcasecmp((const xmlChar *)encoding, (const xmlChar *)"UTF-8") ||
                !xmlStrcasecmp((const xmlChar *)encoding, (const xmlChar *)"UTF8");
  xmlCharEncodingHandlerPtr handler = is_utf8 ? NULL : xmlFindCharEncodingHandler(encoding);
  if (is_utf8) {
    xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
  } else if (!handler) {
    ctxt->sax = (xmlSAXHandlerPtr)old; /* htmlFreeParserCtxt frees the handler it owns */
    ctxt->userData = NULL;
    htmlFreeParserCtxt(ctxt);
    r.status = -3;
    return r;
  }
  if (handler) xmlSwitchToEncoding(ctxt, handler);
  if (ctxt->input->encoding) xmlFree((xmlChar *)ctxt->input->encoding);
  ctxt->input->encoding = xmlStrdup((const xmlChar *)(encoding ? encoding : "UTF-8"));
  htmlParseDocument(ctxt);
  ctxt->sax = (xmlSAXHandlerPtr)old;
  ctxt->userData = NULL;
  htmlFreeParserCtxt(ctxt);
  if (b.e.failed) { free(b.e.p); r.status = -1; return r; }
  r.events = b.e.p;
  r.length = b.e.n;
  return r;
}

void tmhtml_free(tmhtml_result *result) {
  if (!result) return;
  free(result->events);
  result->events = 0;
  result->length = 0;
}

const char *tmhtml_version(void) { return LIBXML_VERSION_STRING; }
