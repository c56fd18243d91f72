#ifndef CCRYPT_SHIM_H
#define CCRYPT_SHIM_H
// libxcrypt (libcrypt-dev): crypt_r, crypt_gensalt_rn, crypt_checksalt.
#include <crypt.h>
#endif
