#include "openssl_setup.h"

#include <openssl/crypto.h>

static int setup_succeeded = 0;

// Runs when the program is loaded, before main and before any Swift code can touch libcrypto:
// the first initialisation decides whether OpenSSL registers its atexit cleanup.
__attribute__((constructor)) static void copenssl_setup(void) {
    setup_succeeded = OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
}

int copenssl_setup_succeeded(void) { return setup_succeeded; }
