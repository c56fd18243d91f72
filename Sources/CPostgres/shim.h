#ifndef CPOSTGRES_SHIM_H
#define CPOSTGRES_SHIM_H
// libpq (libpq-dev): the declarations only, the library isn't linked. CLazyLibraries
// defines the functions used and loads libpq on the first call. Debian keeps the header in
// /usr/include/postgresql/; other systems put it straight in the include path.
#if __has_include(<postgresql/libpq-fe.h>)
#include <postgresql/libpq-fe.h>
#else
#include <libpq-fe.h>
#endif
#include <string.h>

/// The error fields are character-literal macros Swift can't import.
static inline const char *cpq_sqlstate(const PGresult *result) {
    return PQresultErrorField(result, PG_DIAG_SQLSTATE);
}

static inline const char *cpq_constraint_name(const PGresult *result) {
    return PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME);
}

static inline const char *cpq_primary_message(const PGresult *result) {
    return PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
}

static void cpq_note_fatal(void *flag, const PGresult *result) {
    const char *severity = PQresultErrorField(result, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    // FATAL ends the session; 57P01-57P05 (shutdown, crash, idle timeouts) come as a WARNING
    // from an immediate shutdown.
    if ((severity != NULL && (strcmp(severity, "FATAL") == 0 || strcmp(severity, "PANIC") == 0))
        || (state != NULL && strncmp(state, "57P", 3) == 0)) {
        *(int *)flag = 1;
    }
}

/// Receives the server's notices instead of libpq's default, which prints them to standard
/// error ("relation already exists, skipping", ...): they are dropped, except that one
/// ending the session sets `*fatal`. libpq hands the server's goodbye on an idle connection (a restart's
/// "terminating connection due to administrator command") to this receiver. A C function,
/// so no Swift closure crosses the boundary as a function pointer.
static inline void cpq_receive_notices(PGconn *connection, int *fatal) {
    PQsetNoticeReceiver(connection, cpq_note_fatal, fatal);
}
#endif
