#include <postgresql/libpq-fe.h>
#include <string.h>
#include "pqshim.h"

int tmpq_lib_version(void) { return PQlibVersion(); }

void *tmpq_connect(const char *conninfo) { return PQconnectdb(conninfo); }
int tmpq_connected(void *conn) { return conn && PQstatus((PGconn *)conn) == CONNECTION_OK; }
const char *tmpq_error(void *conn) { return conn ? PQerrorMessage((PGconn *)conn) : "out of memory"; }
void tmpq_finish(void *conn) { if (conn) PQfinish((PGconn *)conn); }

int tmpq_conninfo_has_password(const char *conninfo, char *err, int errcap) {
  char *e = NULL;
  PQconninfoOption *opts = PQconninfoParse(conninfo, &e);
  if (!opts) {
    if (err && errcap > 0) {
      strncpy(err, e ? e : "cannot parse the connection string", (size_t)errcap - 1);
      err[errcap - 1] = 0;
    }
    if (e) PQfreemem(e);
    return -1;
  }
  int has = 0;
  for (PQconninfoOption *o = opts; o->keyword; o++)
    if (strcmp(o->keyword, "password") == 0 && o->val && o->val[0]) has = 1;
  PQconninfoFree(opts);
  return has;
}

void *tmpq_exec(void *conn, const char *sql, int nparams, const char *const *values) {
  if (nparams == 0) return PQexec((PGconn *)conn, sql);
  return PQexecParams((PGconn *)conn, sql, nparams, NULL, values, NULL, NULL, 0);
}

void *tmpq_prepare(void *conn, const char *name, const char *sql, int nparams) {
  return PQprepare((PGconn *)conn, name, sql, nparams, NULL);
}

void *tmpq_exec_prepared(void *conn, const char *name, int nparams, const char *const *values) {
  return PQexecPrepared((PGconn *)conn, name, nparams, values, NULL, NULL, 0);
}

int tmpq_status(void *res) {
  switch (PQresultStatus((PGresult *)res)) {
  case PGRES_COMMAND_OK: return TMPQ_COMMAND_OK;
  case PGRES_TUPLES_OK: return TMPQ_TUPLES_OK;
  case PGRES_COPY_IN: return TMPQ_COPY_IN;
  case PGRES_COPY_OUT: return TMPQ_COPY_OUT;
  default: return TMPQ_ERROR;
  }
}
const char *tmpq_result_error(void *res) { return res ? PQresultErrorMessage((PGresult *)res) : "no result"; }
const char *tmpq_sqlstate(void *res) {
  const char *s = res ? PQresultErrorField((PGresult *)res, PG_DIAG_SQLSTATE) : NULL;
  return s ? s : "";
}
int tmpq_ntuples(void *res) { return PQntuples((PGresult *)res); }
int tmpq_nfields(void *res) { return PQnfields((PGresult *)res); }
const char *tmpq_value(void *res, int row, int col) { return PQgetvalue((PGresult *)res, row, col); }
int tmpq_length(void *res, int row, int col) { return PQgetlength((PGresult *)res, row, col); }
int tmpq_isnull(void *res, int row, int col) { return PQgetisnull((PGresult *)res, row, col); }
const char *tmpq_cmd_tuples(void *res) { return PQcmdTuples((PGresult *)res); }
void tmpq_clear(void *res) { if (res) PQclear((PGresult *)res); }

int tmpq_put_copy(void *conn, const char *buf, int n) { return PQputCopyData((PGconn *)conn, buf, n); }
int tmpq_put_copy_end(void *conn, const char *errmsg) { return PQputCopyEnd((PGconn *)conn, errmsg); }
void *tmpq_get_result(void *conn) { return PQgetResult((PGconn *)conn); }
