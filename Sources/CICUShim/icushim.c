/* icushim.c — the only file that includes ICU headers. See icushim.h. */
#define U_SHOW_CPLUSPLUS_API 0
#include "icushim.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/utypes.h>
#include <unicode/uversion.h>
#include <unicode/ustring.h>
#include <unicode/unorm2.h>
#include <unicode/uchar.h>
#include <unicode/utrans.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>
#include <unicode/ucnv.h>
#include <unicode/uenum.h>
#include <unicode/parseerr.h>
#include <unicode/uset.h>

const char *tmicu_version(void) { return U_ICU_VERSION; }

const char *tmicu_error_name(int32_t status) { return u_errorName((UErrorCode)status); }

/* ---- normalisation ---------------------------------------------------- */
static const UNormalizer2 *normalizer(int32_t form, UErrorCode *e) {
  switch (form) {
  case 0: return unorm2_getNFCInstance(e);
  case 1: return unorm2_getNFDInstance(e);
  case 2: return unorm2_getNFKCInstance(e);
  case 3: return unorm2_getNFKDInstance(e);
  case 4: return unorm2_getNFKCCasefoldInstance(e);
  default: *e = U_ILLEGAL_ARGUMENT_ERROR; return NULL;
  }
}

int32_t tmicu_normalize(int32_t form, const uint16_t *src, int32_t len,
                        uint16_t *dest, int32_t cap, int32_t *status) {
  UErrorCode e = U_ZERO_ERROR;
  const UNormalizer2 *n = normalizer(form, &e);
  int32_t out = 0;
  if (U_SUCCESS(e)) out = unorm2_normalize(n, (const UChar *)src, len, (UChar *)dest, cap, &e);
  *status = (int32_t)e;
  return out;
}

int32_t tmicu_is_normalized(int32_t form, const uint16_t *src, int32_t len, int32_t *status) {
  UErrorCode e = U_ZERO_ERROR;
  const UNormalizer2 *n = normalizer(form, &e);
  int32_t yes = 0;
  if (U_SUCCESS(e)) yes = unorm2_quickCheck(n, (const UChar *)src, len, &e) == UNORM_YES;
  *status = (int32_t)e;
  return yes;
}

/* ---- case ------------------------------------------------------------- */
int32_t tmicu_fold_case(const uint16_t *src, int32_t len, int32_t turkic,
                        uint16_t *dest, int32_t cap, int32_t *status) {
  UErrorCode e = U_ZERO_ERROR;
  int32_t out = u_strFoldCase((UChar *)dest, cap, (const UChar *)src, len,
                              turkic ? U_FOLD_CASE_EXCLUDE_SPECIAL_I : U_FOLD_CASE_DEFAULT, &e);
  *status = (int32_t)e;
  return out;
}

int32_t tmicu_change_case(int32_t kind, const char *locale, const uint16_t *src, int32_t len,
                          uint16_t *dest, int32_t cap, int32_t *status) {
  UErrorCode e = U_ZERO_ERROR;
  int32_t out = 0;
  switch (kind) {
  case 0: out = u_strToLower((UChar *)dest, cap, (const UChar *)src, len, locale, &e); break;
  case 1: out = u_strToUpper((UChar *)dest, cap, (const UChar *)src, len, locale, &e); break;
  case 2: out = u_strToTitle((UChar *)dest, cap, (const UChar *)src, len, NULL, locale, &e); break;
  default: e = U_ILLEGAL_ARGUMENT_ERROR;
  }
  *status = (int32_t)e;
  return out;
}

/* ---- transliteration -------------------------------------------------- */
tmicu_trans *tmicu_trans_open(const uint16_t *id, int32_t id_len, const uint16_t *rules,
                              int32_t rules_len, int32_t reverse, int32_t *line,
                              int32_t *offset, int32_t *status) {
  UErrorCode e = U_ZERO_ERROR;
  UParseError pe;
  memset(&pe, 0, sizeof pe);
  pe.line = -1;
  pe.offset = -1;
  UTransliterator *t = utrans_openU((const UChar *)id, id_len,
                                    reverse ? UTRANS_REVERSE : UTRANS_FORWARD,
                                    (const UChar *)rules, rules ? rules_len : 0, &pe, &e);
  if (line) *line = pe.line;
  if (offset) *offset = pe.offset;
  if (U_FAILURE(e) && t) {
    utrans_close(t);
    t = NULL;
  }
  *status = (int32_t)e;
  return (tmicu_trans *)t;
}

void tmicu_trans_close(tmicu_trans *t) {
  if (t) utrans_close((UTransliterator *)t);
}

void tmicu_trans_apply(const tmicu_trans *t, uint16_t *buf, int32_t *len, int32_t cap,
                       int32_t *status) {
  UErrorCode e = U_ZERO_ERROR;
  int32_t limit = *len;
  utrans_transUChars((const UTransliterator *)t, (UChar *)buf, len, cap, 0, &limit, &e);
  *status = (int32_t)e;
}

int32_t tmicu_trans_touches_ascii(const tmicu_trans *t) {
  UErrorCode e = U_ZERO_ERROR;
  USet *src = uset_openEmpty();
  USet *ascii = uset_open(0, 0x7F);
  utrans_getSourceSet((const UTransliterator *)t, 0, src, &e);
  int32_t touches = U_FAILURE(e) ? 1 : (uset_containsSome(src, ascii) ? 1 : 0);
  uset_close(src);
  uset_close(ascii);
  return touches;
}

int32_t tmicu_trans_id(const tmicu_trans *t, uint16_t *dest, int32_t cap) {
  int32_t n = 0;
  const UChar *id = utrans_getUnicodeID((const UTransliterator *)t, &n);
  int32_t k = n < cap ? n : cap;
  if (id && dest) memcpy(dest, id, (size_t)k * sizeof(UChar));
  return n;
}

int32_t tmicu_utf8_to_utf16(const char *src, int32_t len, uint16_t *dest, int32_t cap,
                            int32_t *status) {
  UErrorCode e = U_ZERO_ERROR;
  int32_t out = 0;
  u_strFromUTF8((UChar *)dest, cap, &out, src, len, &e);
  *status = (int32_t)e;
  return out;
}

int32_t tmicu_utf16_to_utf8(const uint16_t *src, int32_t len, char *dest, int32_t cap,
                            int32_t *status) {
  UErrorCode e = U_ZERO_ERROR;
  int32_t out = 0;
  u_strToUTF8WithSub(dest, cap, &out, (const UChar *)src, len, 0xFFFD, NULL, &e);
  *status = (int32_t)e;
  return out;
}

int32_t tmicu_trans_ids(uint16_t *dest, int32_t cap, int32_t *status) {
  UErrorCode e = U_ZERO_ERROR;
  UEnumeration *en = utrans_openIDs(&e);
  if (U_FAILURE(e)) {
    *status = (int32_t)e;
    return 0;
  }
  int32_t total = 0, n = 0;
  const UChar *s;
  while ((s = uenum_unext(en, &n, &e)) != NULL && U_SUCCESS(e)) {
    if (total > 0) {
      if (total < cap && dest) dest[total] = '\n';
      total++;
    }
    for (int32_t i = 0; i < n; i++, total++)
      if (total < cap && dest) dest[total] = s[i];
  }
  uenum_close(en);
  *status = total > cap ? TMICU_BUFFER_OVERFLOW : (int32_t)e;
  return total;
}

/* ---- break iteration -------------------------------------------------- */
struct tmicu_break {
  UBreakIterator *bi;
  UText *ut;
  UChar *u16;   /* reused UTF-16 buffer of tmicu_break_utf8_offsets */
  int32_t u16cap;
};

tmicu_break *tmicu_break_open(int32_t kind, const char *locale, int32_t *status) {
  UErrorCode e = U_ZERO_ERROR;
  UBreakIteratorType type;
  switch (kind) {
  case 0: type = UBRK_CHARACTER; break;
  case 1: type = UBRK_WORD; break;
  case 2: type = UBRK_LINE; break;
  case 3: type = UBRK_SENTENCE; break;
  default: *status = U_ILLEGAL_ARGUMENT_ERROR; return NULL;
  }
  UBreakIterator *bi = ubrk_open(type, locale, NULL, 0, &e);
  if (U_FAILURE(e)) {
    *status = (int32_t)e;
    return NULL;
  }
  tmicu_break *b = calloc(1, sizeof *b);
  if (!b) {
    ubrk_close(bi);
    *status = U_MEMORY_ALLOCATION_ERROR;
    return NULL;
  }
  b->bi = bi;
  *status = 0; /* U_USING_DEFAULT_WARNING for az/ru is not a problem */
  return b;
}

void tmicu_break_close(tmicu_break *b) {
  if (!b) return;
  ubrk_close(b->bi);
  if (b->ut) utext_close(b->ut);
  free(b->u16);
  free(b);
}

void tmicu_break_set_utf16(tmicu_break *b, const uint16_t *text, int32_t len, int32_t *status) {
  UErrorCode e = U_ZERO_ERROR;
  ubrk_setText(b->bi, (const UChar *)text, len, &e);
  *status = (int32_t)e;
}

void tmicu_break_set_utf8(tmicu_break *b, const char *text, int64_t len, int32_t *status) {
  UErrorCode e = U_ZERO_ERROR;
  b->ut = utext_openUTF8(b->ut, text, len, &e);
  if (U_SUCCESS(e)) ubrk_setUText(b->bi, b->ut, &e);
  *status = (int32_t)e;
}

int32_t tmicu_break_utf8_offsets(tmicu_break *b, const char *text, int32_t len, int32_t *out,
                                 int32_t *status) {
  UErrorCode e = U_ZERO_ERROR;
  if (len <= 0) {
    *status = 0;
    return 0;
  }
  if (b->u16cap < len + 1) {
    UChar *nb = realloc(b->u16, (size_t)(len + 1) * sizeof(UChar));
    if (!nb) {
      *status = U_MEMORY_ALLOCATION_ERROR;
      return -1;
    }
    b->u16 = nb;
    b->u16cap = len + 1;
  }
  int32_t n16 = 0;
  u_strFromUTF8(b->u16, b->u16cap, &n16, text, len, &e);
  if (U_FAILURE(e)) {
    *status = (int32_t)e;
    return -1;
  }
  ubrk_setText(b->bi, b->u16, n16, &e);
  if (U_FAILURE(e)) {
    *status = (int32_t)e;
    return -1;
  }
  /* Walk UTF-8 and UTF-16 together to turn each boundary into a byte offset. */
  const unsigned char *u8 = (const unsigned char *)text;
  int32_t i8 = 0, i16 = 0, count = 0;
  ubrk_first(b->bi);
  for (int32_t t = ubrk_next(b->bi); t != UBRK_DONE; t = ubrk_next(b->bi)) {
    while (i16 < t && i8 < len) {
      unsigned char c = u8[i8];
      if (c < 0x80) { i8 += 1; i16 += 1; }
      else if (c < 0xE0) { i8 += 2; i16 += 1; }
      else if (c < 0xF0) { i8 += 3; i16 += 1; }
      else { i8 += 4; i16 += 2; }
    }
    out[count++] = i8 > len ? len : i8;
  }
  *status = 0;
  return count;
}

int32_t tmicu_break_next(tmicu_break *b) { return ubrk_next(b->bi); }
int32_t tmicu_break_first(tmicu_break *b) { return ubrk_first(b->bi); }
int32_t tmicu_break_rule_status(const tmicu_break *b) { return ubrk_getRuleStatus(b->bi); }

/* ---- converters ------------------------------------------------------- */
int32_t tmicu_converter_exists(const char *name) {
  UErrorCode e = U_ZERO_ERROR;
  const char *c = ucnv_getCanonicalName(name, "", &e);
  if (U_SUCCESS(e) && c) return 1;
  e = U_ZERO_ERROR;
  UConverter *cv = ucnv_open(name, &e);
  if (cv) ucnv_close(cv);
  return U_SUCCESS(e) && e != U_AMBIGUOUS_ALIAS_WARNING ? 1 : (U_SUCCESS(e) ? 1 : 0);
}

const char *tmicu_converter_canonical(const char *name) {
  UErrorCode e = U_ZERO_ERROR;
  UConverter *cv = ucnv_open(name, &e);
  if (U_FAILURE(e) || !cv) return NULL;
  const char *n = ucnv_getName(cv, &e);
  ucnv_close(cv);
  return U_SUCCESS(e) ? n : NULL;
}

int32_t tmicu_decode(const char *charset, const char *src, int32_t len, uint16_t *dest,
                     int32_t cap, int64_t *error_offset, int32_t *status) {
  UErrorCode e = U_ZERO_ERROR;
  *error_offset = -1;
  UConverter *cv = ucnv_open(charset, &e);
  if (U_FAILURE(e)) {
    *status = (int32_t)e;
    return 0;
  }
  ucnv_setToUCallBack(cv, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &e);
  UChar *target = (UChar *)dest;
  const char *source = src;
  ucnv_toUnicode(cv, &target, (UChar *)dest + cap, &source, src + len, NULL, 1, &e);
  if (e == U_ILLEGAL_CHAR_FOUND || e == U_INVALID_CHAR_FOUND || e == U_TRUNCATED_CHAR_FOUND) {
    char bad[32];
    int8_t badLen = sizeof bad;
    UErrorCode e2 = U_ZERO_ERROR;
    ucnv_getInvalidChars(cv, bad, &badLen, &e2);
    *error_offset = (int64_t)(source - src) - (U_SUCCESS(e2) ? badLen : 0);
  }
  ucnv_close(cv);
  *status = (int32_t)e;
  return (int32_t)(target - (UChar *)dest);
}
