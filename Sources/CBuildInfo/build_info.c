#include "build_info.h"

// Package.swift defines AUTH_FCGI_COMMIT from the checkout it builds; only this file
// recompiles when the commit changes.
#ifndef AUTH_FCGI_COMMIT
#define AUTH_FCGI_COMMIT ""
#endif

const char *auth_fcgi_build_commit(void) { return AUTH_FCGI_COMMIT; }
