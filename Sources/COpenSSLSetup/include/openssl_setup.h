#ifndef COPENSSLSETUP_OPENSSL_SETUP_H
#define COPENSSLSETUP_OPENSSL_SETUP_H
// libcrypto set up before main (openssl_setup.c): nothing to call.
//
// OpenSSL 3 frees its default library context in an atexit handler. A process that exits
// while another thread still uses libcrypto (a test run's last parallel tests, a mail or
// follow-up thread) then crashes in that thread, on a lock already freed. Every program that
// links UserCore initialises libcrypto once at load with OPENSSL_INIT_NO_ATEXIT, so the
// handler is never registered: the kernel reclaims the memory at exit anyway.

/// Whether the load-time initialisation succeeded (for a test).
int copenssl_setup_succeeded(void);

#endif
