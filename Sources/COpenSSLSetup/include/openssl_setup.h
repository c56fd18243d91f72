#ifndef COPENSSLSETUP_OPENSSL_SETUP_H
#define COPENSSLSETUP_OPENSSL_SETUP_H
// libcrypto set up before main (openssl_setup.c): nothing to call.
//
// OpenSSL 3 frees its default library context in an atexit handler. A process that exits
// while another thread still uses libcrypto then crashes in that thread, on a lock already
// freed: the unit tests' process, whose fixtures leave mail and follow-up threads running
// when the run ends (a passing `swift test` once died so at exit). The test target links
// this module: libcrypto is initialised once at load with OPENSSL_INIT_NO_ATEXIT, so the
// handler is never registered (the kernel reclaims the memory at exit anyway).
//
// Not in the service: its processes join their threads before they exit, and initialising
// libcrypto at load costs every process ~1.3 ms (its cipher tables), a fifth of a CGI
// request that needs no crypto at all.

/// Whether the load-time initialisation succeeded (for a test).
int copenssl_setup_succeeded(void);

#endif
