/*
 * icushim.h — the project's own opaque wrapper around the system ICU (72).
 *
 * This header must stay free of ICU headers and types: only <stdint.h> and
 * the declarations below. Swift modules that import Foundation also load
 * Foundation's private ICU 76 headers, and a clean build fails when ICU 72's
 * C types are visible beside them. ICU is included only in icushim.c.
 *
 * Conventions: text is UTF-16 (uint16_t) unless a name says utf8; every
 * function that can fail takes `int32_t *status` (ICU's UErrorCode value:
 * 0 = ok, < 0 = warning, > 0 = error; see tmicu_error_name) and follows
 * ICU's preflighting contract: it returns the full length needed, and
 * status 15 (U_BUFFER_OVERFLOW_ERROR) when `cap` was too small.
 */
#ifndef TM_ICUSHIM_H
#define TM_ICUSHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TMICU_BUFFER_OVERFLOW 15

/* ---- general ---------------------------------------------------------- */
const char *tmicu_version(void);
const char *tmicu_error_name(int32_t status);

/* ---- normalisation ---------------------------------------------------- */
/* form: 0 NFC, 1 NFD, 2 NFKC, 3 NFKD, 4 NFKC_Casefold */
int32_t tmicu_normalize(int32_t form, const uint16_t *src, int32_t len,
                        uint16_t *dest, int32_t cap, int32_t *status);
/* 1 when src is already in the given form (quick check said yes). */
int32_t tmicu_is_normalized(int32_t form, const uint16_t *src, int32_t len,
                            int32_t *status);

/* ---- case ------------------------------------------------------------- */
/* Full case folding; turkic != 0 folds I->ı and İ->i (az, tr). */
int32_t tmicu_fold_case(const uint16_t *src, int32_t len, int32_t turkic,
                        uint16_t *dest, int32_t cap, int32_t *status);
/* kind: 0 lower, 1 upper, 2 title. locale: "az", "ru", "en", ... */
int32_t tmicu_change_case(int32_t kind, const char *locale,
                          const uint16_t *src, int32_t len,
                          uint16_t *dest, int32_t cap, int32_t *status);

/* ---- transliteration -------------------------------------------------- */
typedef struct tmicu_trans tmicu_trans;
/* Opens a transform by ID (rules == NULL) or from rule text (id names it).
 * reverse != 0 opens the inverse. On a parse error, *line and *offset
 * (0-based offset within the line) locate it, when ICU knows. */
tmicu_trans *tmicu_trans_open(const uint16_t *id, int32_t id_len,
                              const uint16_t *rules, int32_t rules_len,
                              int32_t reverse, int32_t *line, int32_t *offset,
                              int32_t *status);
void tmicu_trans_close(tmicu_trans *t);
/* Transforms buf[0..*len) in place; cap is the buffer's capacity.
 * On overflow returns TMICU_BUFFER_OVERFLOW in *status and leaves buf
 * unspecified; call again with the original text and a larger buffer. */
void tmicu_trans_apply(const tmicu_trans *t, uint16_t *buf, int32_t *len,
                       int32_t cap, int32_t *status);
/* 1 when the transliterator can change some ASCII character (its source set,
 * filter included, contains one), 0 when ASCII text passes through as is. */
int32_t tmicu_trans_touches_ascii(const tmicu_trans *t);
/* The ID of an open transliterator (UTF-16, not NUL-terminated). */
int32_t tmicu_trans_id(const tmicu_trans *t, uint16_t *dest, int32_t cap);
/* UTF-8 <-> UTF-16 conversion (u_strFromUTF8 / u_strToUTF8), preflighted
 * like the rest. For the streaming path of
 * transliteration, which converts each line into a reused buffer. Invalid
 * UTF-8 (or unpaired surrogates) is an error: U_INVALID_CHAR_FOUND. */
int32_t tmicu_utf8_to_utf16(const char *src, int32_t len, uint16_t *dest, int32_t cap,
                            int32_t *status);
int32_t tmicu_utf16_to_utf8(const uint16_t *src, int32_t len, char *dest, int32_t cap,
                            int32_t *status);
/* All system transliterator IDs, separated by '\n', preflighted. */
int32_t tmicu_trans_ids(uint16_t *dest, int32_t cap, int32_t *status);

/* ---- break iteration -------------------------------------------------- */
typedef struct tmicu_break tmicu_break;
/* kind: 0 character, 1 word, 2 line, 3 sentence. locale e.g. "en@ss=standard". */
tmicu_break *tmicu_break_open(int32_t kind, const char *locale, int32_t *status);
void tmicu_break_close(tmicu_break *b);
/* Text stays owned by the caller and must outlive iteration. */
void tmicu_break_set_utf16(tmicu_break *b, const uint16_t *text, int32_t len,
                           int32_t *status);
void tmicu_break_set_utf8(tmicu_break *b, const char *text, int64_t len,
                          int32_t *status);
/* Boundaries of the UTF-8 text [0, len) (which must be valid UTF-8 and
 * should end at a line feed or at the end of the document: sentence and line
 * rules never look across a line feed), computed on a UTF-16 copy (ICU
 * iterates UTF-16 about 3x faster than a UTF-8 UText) and returned as UTF-8
 * byte offsets in out[0..n), ascending, the last one `len`. Returns n, or -1
 * with *status set on failure. `out` must hold len + 1 entries. */
int32_t tmicu_break_utf8_offsets(tmicu_break *b, const char *text, int32_t len,
                                 int32_t *out, int32_t *status);
/* Next boundary (code-unit offset in the text's own encoding), or -1. */
int32_t tmicu_break_next(tmicu_break *b);
int32_t tmicu_break_first(tmicu_break *b);
/* Rule status of the last boundary: word: 0 none, 100+ number, 200+ letter,
 * 300+ kana, 400+ ideo; sentence: 0 term (. ? !), 100 sep (paragraph). */
int32_t tmicu_break_rule_status(const tmicu_break *b);

/* ---- converters ------------------------------------------------------- */
/* 1 when ICU knows the converter name (alias) "cp1251", "koi8-r", ... */
int32_t tmicu_converter_exists(const char *name);
/* Canonical name of a converter, or NULL. */
const char *tmicu_converter_canonical(const char *name);
/* Decodes bytes in `charset` to UTF-16, stopping at the first illegal or
 * unmappable sequence: then *status > 0 and *error_offset is its byte
 * offset in src. */
int32_t tmicu_decode(const char *charset, const char *src, int32_t len,
                     uint16_t *dest, int32_t cap, int64_t *error_offset,
                     int32_t *status);

#ifdef __cplusplus
}
#endif
#endif
