#ifndef TM_HTMLSHIM_H
#define TM_HTMLSHIM_H
/* Opaque wrapper around libxml2's HTML parser (HTMLparser.h).
 * Only <stdint.h> types appear here: libxml2's own types stay in htmlshim.c,
 * so no Swift module ever sees them (the same rule as CICUShim).
 *
 * tmhtml_parse runs libxml2's SAX HTML parser over the bytes and returns
 * the events as one flat buffer the caller walks and then frees:
 *   event := kind:u8 pos:i64 [name] [attrs | text]
 *   kind  'S' start tag (name, u32 count, count x (name, value))
 *         'E' end tag (name)   'T' text (decoded UTF-8)   'O' other (comment, PI)
 *   str   := len:u32 bytes (UTF-8)
 * pos is the byte offset in the input just after libxml2 consumed the
 * event (xmlByteConsumed); implied tags (a <p> closed by the next <p>) have
 * the position of whatever made the parser imply them. All integers are
 * little-endian as on the host. */
#include <stdint.h>

typedef struct tmhtml_result {
  uint8_t *events;
  int64_t length;
  int32_t status; /* 0 ok, -1 out of memory, -2 no parser, -3 unknown encoding */
} tmhtml_result;

/* bytes in `encoding` (an iconv/libxml2 name such as "UTF-8" or
 * "windows-1251"; NULL = UTF-8). Text and attribute values in the events
 * are UTF-8; positions are offsets in `bytes`. */
tmhtml_result tmhtml_parse(const uint8_t *bytes, int64_t length, const char *encoding);
void tmhtml_free(tmhtml_result *result);
/* libxml2's version string, e.g. "20914". */
const char *tmhtml_version(void);

/* libxml2's XML parser (SAX2, no DTD, no entities but the five predefined
 * and character references, nothing read from outside the bytes) over UTF-8
 * bytes, for the TMX reader. Events in one flat buffer:
 *   event := kind:u8 line:i32 ...
 *   kind  'S' start tag (qname, u32 count, count x (qname, value))
 *         'E' end tag (qname)   'T' text   'C' CDATA (both decoded UTF-8)
 *   str   := len:u32 bytes; qname is prefix:local as written.
 * The parse stops at the first error: error_code is libxml2's code (0 none),
 * error_line its line, error_message its text. */
typedef struct tmxml_result {
  uint8_t *events;
  int64_t length;
  int32_t status; /* 0 ok, -1 out of memory, -2 no parser */
  int32_t error_code;
  int32_t error_line;
  char error_message[200];
} tmxml_result;

tmxml_result tmxml_parse(const uint8_t *bytes, int64_t length);
void tmxml_free(tmxml_result *result);

#endif
