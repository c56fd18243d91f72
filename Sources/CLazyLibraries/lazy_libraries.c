// libpq, libcurl and libqrencode loaded on first use: see include/lazy_libraries.h for why.
//
// Each function below has the name and the prototype of the library's own (the headers are
// included, so a mismatch is a compile error) and calls the library's function through a
// pointer found with dlsym when the library is first needed. They are hidden: the
// executable is linked with --export-dynamic, and exported, they would also take the
// libraries' calls to their own functions (libpq's PQexec calls PQclear through its PLT).
//
// Adding a libpq, libcurl or libqrencode call to the Swift code or a shim: add the function to the list
// of its library here, or the link fails with an undefined symbol.

#include "lazy_libraries.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if __has_include(<postgresql/libpq-fe.h>)
#include <postgresql/libpq-fe.h>
#else
#include <libpq-fe.h>
#endif
#include <curl/curl.h>
#include <qrencode.h>

#define LAZY_HIDDEN __attribute__((visibility("hidden")))

/// One library: where it is, its functions, and how loading it went.
struct lazy_library {
    const char *soname;
    const char *package;
    const char *const *names;
    void **functions;
    size_t count;
    pthread_once_t once;
    void (*load_once)(void);
    /// 0 before the load, 1 loaded, -1 failed (`error` says why). Set once, by `load_once`.
    atomic_int state;
    char error[512];
};

/// Opens `soname` and fills `functions` with the addresses of `names`. Returns the handle,
/// or NULL with the reason in `error`.
static void *lazy_open(const char *soname, const char *const *names, void **functions, size_t count,
                       char *error, size_t capacity) {
    void *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(error, capacity, "%s", reason != NULL ? reason : soname);
        return NULL;
    }
    for (size_t index = 0; index < count; index++) {
        dlerror();
        functions[index] = dlsym(handle, names[index]);
        if (functions[index] == NULL) {
            const char *reason = dlerror();
            snprintf(error, capacity, "%s", reason != NULL ? reason : names[index]);
            dlclose(handle);
            return NULL;
        }
    }
    return handle;
}

/// The body of each library's `load_once`. The handle is never closed.
static void lazy_load(struct lazy_library *library) {
    void *handle = lazy_open(library->soname, library->names, library->functions, library->count,
                             library->error, sizeof library->error);
    atomic_store_explicit(&library->state, handle != NULL ? 1 : -1, memory_order_release);
}

/// NULL when `library` is loaded (loading it first if nobody has tried), else why not.
static const char *lazy_error(struct lazy_library *library) {
    if (atomic_load_explicit(&library->state, memory_order_acquire) == 0) {
        pthread_once(&library->once, library->load_once);
    }
    return atomic_load_explicit(&library->state, memory_order_acquire) == 1 ? NULL : library->error;
}

/// A forwarded call while the library can't be loaded: a configuration check was missed.
/// Says so on standard error and aborts.
__attribute__((noreturn, cold, noinline)) static void lazy_fail(struct lazy_library *library) {
    char message[1024];
    int length = snprintf(message, sizeof message,
                          "auth-fcgi: %s is needed but can't be loaded (Debian package %s): %s\n",
                          library->soname, library->package, library->error);
    if (length > 0) {
        ssize_t written = write(STDERR_FILENO, message, (size_t)length < sizeof message ? (size_t)length
                                                                                          : sizeof message - 1);
        (void)written;
    }
    abort();
}

/// The library's function table, loaded; aborts when it can't be.
static inline void *const *lazy_functions(struct lazy_library *library) {
    if (__builtin_expect(atomic_load_explicit(&library->state, memory_order_acquire) != 1, 0)) {
        if (lazy_error(library) != NULL) lazy_fail(library);
    }
    return library->functions;
}

// Every forwarded function: X(return type, name, (parameters), (arguments)); XV for those
// returning void.
#define LAZY_LIBPQ_FUNCTIONS(X, XV)                                                                        \
    X(PGconn *, PQconnectdb, (const char *conninfo), (conninfo))                                          \
    XV(PQfinish, (PGconn * conn), (conn))                                                                  \
    X(ConnStatusType, PQstatus, (const PGconn *conn), (conn))                                             \
    X(PGTransactionStatusType, PQtransactionStatus, (const PGconn *conn), (conn))                          \
    X(char *, PQerrorMessage, (const PGconn *conn), (conn))                                               \
    X(int, PQsocket, (const PGconn *conn), (conn))                                                        \
    X(int, PQconsumeInput, (PGconn * conn), (conn))                                                       \
    X(int, PQisBusy, (PGconn * conn), (conn))                                                             \
    X(PQnoticeReceiver, PQsetNoticeReceiver, (PGconn * conn, PQnoticeReceiver proc, void *arg),            \
      (conn, proc, arg))                                                                                   \
    X(PGresult *, PQexec, (PGconn * conn, const char *query), (conn, query))                              \
    X(PGresult *, PQprepare,                                                                               \
      (PGconn * conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes),        \
      (conn, stmtName, query, nParams, paramTypes))                                                        \
    X(PGresult *, PQexecPrepared,                                                                          \
      (PGconn * conn, const char *stmtName, int nParams, const char *const *paramValues,                   \
       const int *paramLengths, const int *paramFormats, int resultFormat),                                \
      (conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat))                    \
    X(ExecStatusType, PQresultStatus, (const PGresult *res), (res))                                       \
    X(char *, PQresultErrorMessage, (const PGresult *res), (res))                                         \
    X(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode))                 \
    X(int, PQntuples, (const PGresult *res), (res))                                                       \
    X(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))   \
    X(int, PQgetlength, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))     \
    X(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))     \
    X(char *, PQcmdStatus, (PGresult * res), (res))                                                       \
    X(char *, PQcmdTuples, (PGresult * res), (res))                                                       \
    XV(PQclear, (PGresult * res), (res))                                                                   \
    XV(PQfreemem, (void *ptr), (ptr))                                                                      \
    X(PQconninfoOption *, PQconninfoParse, (const char *conninfo, char **errmsg), (conninfo, errmsg))     \
    XV(PQconninfoFree, (PQconninfoOption * connOptions), (connOptions))

// curl_easy_setopt, variadic, is forwarded by hand at the end (its index and name are
// added to the tables by hand).
#define LAZY_LIBCURL_FUNCTIONS(X, XV)                                                                      \
    X(CURLcode, curl_global_init, (long flags), (flags))                                                  \
    X(CURL *, curl_easy_init, (void), ())                                                                 \
    XV(curl_easy_cleanup, (CURL * curl), (curl))                                                           \
    X(CURLcode, curl_easy_perform, (CURL * curl), (curl))                                                 \
    X(const char *, curl_easy_strerror, (CURLcode code), (code))                                          \
    X(struct curl_slist *, curl_slist_append, (struct curl_slist * list, const char *data), (list, data)) \
    XV(curl_slist_free_all, (struct curl_slist * list), (list))

#define LAZY_LIBQRENCODE_FUNCTIONS(X, XV)                                                                  \
    X(QRcode *, QRcode_encodeString8bit, (const char *string, int version, QRecLevel level),              \
      (string, version, level))                                                                            \
    XV(QRcode_free, (QRcode * qrcode), (qrcode))

#define LAZY_INDEX(prefix, name) prefix##_##name
#define LAZY_NAME(name) #name,

// The tables: an index per function, its name, its address once loaded.
#define LAZY_PQ_INDEX(type, name, parameters, arguments) LAZY_INDEX(lazy_pq, name),
#define LAZY_PQ_INDEX_VOID(name, parameters, arguments) LAZY_INDEX(lazy_pq, name),
enum { LAZY_LIBPQ_FUNCTIONS(LAZY_PQ_INDEX, LAZY_PQ_INDEX_VOID) lazy_pq_count };
#define LAZY_CURL_INDEX(type, name, parameters, arguments) LAZY_INDEX(lazy_curl, name),
#define LAZY_CURL_INDEX_VOID(name, parameters, arguments) LAZY_INDEX(lazy_curl, name),
enum {
    LAZY_LIBCURL_FUNCTIONS(LAZY_CURL_INDEX, LAZY_CURL_INDEX_VOID) lazy_curl_curl_easy_setopt,
    lazy_curl_count
};
#define LAZY_QR_INDEX(type, name, parameters, arguments) LAZY_INDEX(lazy_qr, name),
#define LAZY_QR_INDEX_VOID(name, parameters, arguments) LAZY_INDEX(lazy_qr, name),
enum { LAZY_LIBQRENCODE_FUNCTIONS(LAZY_QR_INDEX, LAZY_QR_INDEX_VOID) lazy_qr_count };

#define LAZY_STRING(type, name, parameters, arguments) LAZY_NAME(name)
#define LAZY_STRING_VOID(name, parameters, arguments) LAZY_NAME(name)
static const char *const lazy_pq_names[] = {LAZY_LIBPQ_FUNCTIONS(LAZY_STRING, LAZY_STRING_VOID)};
static const char *const lazy_curl_names[] = {
    LAZY_LIBCURL_FUNCTIONS(LAZY_STRING, LAZY_STRING_VOID) "curl_easy_setopt"};
static const char *const lazy_qr_names[] = {LAZY_LIBQRENCODE_FUNCTIONS(LAZY_STRING, LAZY_STRING_VOID)};
static void *lazy_pq_functions[lazy_pq_count];
static void *lazy_curl_functions[lazy_curl_count];
static void *lazy_qr_functions[lazy_qr_count];

static void lazy_pq_load(void);
static void lazy_curl_load(void);
static void lazy_qr_load(void);

static struct lazy_library lazy_libpq = {
    .soname = "libpq.so.5",
    .package = "libpq5",
    .names = lazy_pq_names,
    .functions = lazy_pq_functions,
    .count = lazy_pq_count,
    .once = PTHREAD_ONCE_INIT,
    .load_once = lazy_pq_load,
};

static struct lazy_library lazy_libcurl = {
    .soname = "libcurl.so.4",
    .package = "libcurl4",
    .names = lazy_curl_names,
    .functions = lazy_curl_functions,
    .count = lazy_curl_count,
    .once = PTHREAD_ONCE_INIT,
    .load_once = lazy_curl_load,
};

static struct lazy_library lazy_libqrencode = {
    .soname = "libqrencode.so.4",
    .package = "libqrencode4",
    .names = lazy_qr_names,
    .functions = lazy_qr_functions,
    .count = lazy_qr_count,
    .once = PTHREAD_ONCE_INIT,
    .load_once = lazy_qr_load,
};

static void lazy_pq_load(void) { lazy_load(&lazy_libpq); }
static void lazy_curl_load(void) { lazy_load(&lazy_libcurl); }
static void lazy_qr_load(void) { lazy_load(&lazy_libqrencode); }

const char *lazy_libpq_error(void) { return lazy_error(&lazy_libpq); }
const char *lazy_libcurl_error(void) { return lazy_error(&lazy_libcurl); }
const char *lazy_libqrencode_error(void) { return lazy_error(&lazy_libqrencode); }

char *lazy_library_probe(const char *soname, const char *symbol) {
    char error[512];
    void *function = NULL;
    const char *names[] = {symbol};
    void *handle = lazy_open(soname, names, &function, 1, error, sizeof error);
    if (handle == NULL) return strdup(error);
    dlclose(handle);
    return NULL;
}

// The forwarding functions. `__typeof__(&name)` is the pointer type of the header's
// prototype.
#define LAZY_FORWARD(library, prefix, type, name, parameters, arguments)                                    \
    LAZY_HIDDEN type name parameters {                                                                      \
        return ((__typeof__(&name))lazy_functions(&library)[LAZY_INDEX(prefix, name)])arguments;            \
    }
#define LAZY_FORWARD_VOID(library, prefix, name, parameters, arguments)                                     \
    LAZY_HIDDEN void name parameters {                                                                      \
        ((__typeof__(&name))lazy_functions(&library)[LAZY_INDEX(prefix, name)])arguments;                   \
    }

#define LAZY_PQ_FORWARD(type, name, parameters, arguments)                                                 \
    LAZY_FORWARD(lazy_libpq, lazy_pq, type, name, parameters, arguments)
#define LAZY_PQ_FORWARD_VOID(name, parameters, arguments)                                                  \
    LAZY_FORWARD_VOID(lazy_libpq, lazy_pq, name, parameters, arguments)
LAZY_LIBPQ_FUNCTIONS(LAZY_PQ_FORWARD, LAZY_PQ_FORWARD_VOID)

#define LAZY_CURL_FORWARD(type, name, parameters, arguments)                                               \
    LAZY_FORWARD(lazy_libcurl, lazy_curl, type, name, parameters, arguments)
#define LAZY_CURL_FORWARD_VOID(name, parameters, arguments)                                                 \
    LAZY_FORWARD_VOID(lazy_libcurl, lazy_curl, name, parameters, arguments)
LAZY_LIBCURL_FUNCTIONS(LAZY_CURL_FORWARD, LAZY_CURL_FORWARD_VOID)

#define LAZY_QR_FORWARD(type, name, parameters, arguments)                                                 \
    LAZY_FORWARD(lazy_libqrencode, lazy_qr, type, name, parameters, arguments)
#define LAZY_QR_FORWARD_VOID(name, parameters, arguments)                                                  \
    LAZY_FORWARD_VOID(lazy_libqrencode, lazy_qr, name, parameters, arguments)
LAZY_LIBQRENCODE_FUNCTIONS(LAZY_QR_FORWARD, LAZY_QR_FORWARD_VOID)

// curl_easy_setopt's third argument is a long, a pointer (data, string, list, blob), a
// function pointer or a curl_off_t, as the option's CURLOPTTYPE_ range says; libcurl reads
// it the same way. In parentheses: curl.h defines a function-like macro of the same name.
LAZY_HIDDEN CURLcode(curl_easy_setopt)(CURL *curl, CURLoption option, ...) {
    CURLcode (*setopt)(CURL *, CURLoption, ...) =
        (CURLcode(*)(CURL *, CURLoption, ...))lazy_functions(&lazy_libcurl)[lazy_curl_curl_easy_setopt];
    va_list arguments;
    va_start(arguments, option);
    CURLcode result;
    if (option < CURLOPTTYPE_OBJECTPOINT) {
        result = setopt(curl, option, va_arg(arguments, long));
    } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
        result = setopt(curl, option, va_arg(arguments, void *));
    } else if (option < CURLOPTTYPE_OFF_T) {
        result = setopt(curl, option, va_arg(arguments, void (*)(void)));
    } else if (option < CURLOPTTYPE_BLOB) {
        result = setopt(curl, option, va_arg(arguments, curl_off_t));
    } else {
        result = setopt(curl, option, va_arg(arguments, void *));
    }
    va_end(arguments);
    return result;
}
