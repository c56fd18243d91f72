#ifndef CLAZYLIBRARIES_LAZY_LIBRARIES_H
#define CLAZYLIBRARIES_LAZY_LIBRARIES_H
// libpq, libcurl and libqrencode, loaded when first used instead of linked.
//
// Linked, libpq, libcurl and the ~28 shared objects they pull in (libldap, gnutls,
// krb5, sasl, ssh2, ...) cost every process about 3 ms before main: run as CGI, one
// process per request, that was half of a request to /api/health. Most deployments use
// neither (SQLite, and file:// or no SMTP mail), and only a TOTP enrolment draws a QR code
// with libqrencode. So lazy_libraries.c defines every libpq, libcurl and libqrencode
// function this package calls, under its own name and signature, and forwards it to the
// library opened with dlopen on the first call. Swift code and the CPostgres, CCurl and
// CQREncode shims call PQexec, curl_easy_perform, QRcode_encodeString8bit ... as before.
//
// Configuration checks the library it needs with the functions below, so a missing
// package is a start-up error naming it. A forwarded call while the library can't be
// loaded (a check was missed) prints why and aborts.

/// NULL once libpq (libpq.so.5, Debian package libpq5) is loaded, loading it on the
/// first call; otherwise why it can't be: dlopen's or dlsym's message. Thread-safe.
const char *lazy_libpq_error(void);

/// The same for libcurl (libcurl.so.4, Debian package libcurl4).
const char *lazy_libcurl_error(void);

/// The same for libqrencode (libqrencode.so.4, Debian package libqrencode4).
const char *lazy_libqrencode_error(void);

/// For tests of the loader: opens `soname` and looks up `symbol` the way the libraries
/// above are loaded, then closes it. NULL when both succeed, else the message, which the
/// caller frees with free().
char *lazy_library_probe(const char *soname, const char *symbol);

#endif
