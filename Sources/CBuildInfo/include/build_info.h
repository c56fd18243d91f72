#ifndef AUTH_FCGI_BUILD_INFO_H
#define AUTH_FCGI_BUILD_INFO_H

/// The git commit the binary was built from ("" outside a checkout), set by Package.swift.
const char *auth_fcgi_build_commit(void);

#endif
