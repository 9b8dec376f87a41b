/*
 * pqshim.h — the project's own opaque wrapper around libpq (Debian libpq-dev).
 *
 * Like icushim.h this header shows no libpq type: connections and results are
 * `void *`, everything else is a C string or an int. libpq-fe.h is included
 * only in pqshim.c, so no Swift module that also sees Foundation ever sees
 * libpq's headers.
 *
 * Strings passed in are NUL-terminated UTF-8; strings returned belong to the
 * connection or result they came from and live until it is finished/cleared.
 */
#ifndef TM_PQSHIM_H
#define TM_PQSHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* result status, folded from ExecStatusType */
#define TMPQ_COMMAND_OK 0
#define TMPQ_TUPLES_OK 1
#define TMPQ_COPY_IN 2
#define TMPQ_COPY_OUT 3
#define TMPQ_ERROR -1

int tmpq_lib_version(void);

/* Connections. `conninfo` is a URL or key=value string; "" uses the PG*
   environment variables, and passwords come from PGPASSWORD or the password
   file (PGPASSFILE, ~/.pgpass) as libpq always does. Never NULL except when
   out of memory; check tmpq_connected. */
void *tmpq_connect(const char *conninfo);
int tmpq_connected(void *conn);
const char *tmpq_error(void *conn);
void tmpq_finish(void *conn);
/* Whether the conninfo string names a password (refused: use a file or the environment). */
int tmpq_conninfo_has_password(const char *conninfo, char *err, int errcap);

/* Statements with text parameters (NULL value = SQL NULL). */
void *tmpq_exec(void *conn, const char *sql, int nparams, const char *const *values);
/* Prepared statements (text parameters and results): tmpq_prepare once per
   connection and name, then tmpq_exec_prepared. Both return a result. */
void *tmpq_prepare(void *conn, const char *name, const char *sql, int nparams);
void *tmpq_exec_prepared(void *conn, const char *name, int nparams, const char *const *values);
int tmpq_status(void *res);
const char *tmpq_result_error(void *res);
const char *tmpq_sqlstate(void *res);
int tmpq_ntuples(void *res);
int tmpq_nfields(void *res);
const char *tmpq_value(void *res, int row, int col);
int tmpq_length(void *res, int row, int col);
int tmpq_isnull(void *res, int row, int col);
const char *tmpq_cmd_tuples(void *res);
void tmpq_clear(void *res);

/* COPY ... FROM STDIN: 1 ok, -1 error. `errmsg` non-NULL aborts the copy. */
int tmpq_put_copy(void *conn, const char *buf, int n);
int tmpq_put_copy_end(void *conn, const char *errmsg);
/* The next result of the command in progress, NULL when there is none. */
void *tmpq_get_result(void *conn);

#ifdef __cplusplus
}
#endif
#endif
