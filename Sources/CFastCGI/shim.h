#ifndef CFASTCGI_SHIM_H
#define CFASTCGI_SHIM_H
// fcgiapp.h only: fcgi_stdio.h redefines FILE, stdout and printf.
#include <fcgiapp.h>

// OS_Accept: libfcgi's accept, used for TCP listeners (TCP_NODELAY and the
// FCGI_WEB_SERVER_ADDRS allowlist, as FCGX_Accept_r applies them).
#include <fcgios.h>

// Serving a connection the server owns (kept open between requests, waited on with
// epoll) through libfcgi's request reader, which only knows "accept, then read".
//
// Checked against libfcgi 2.4.2 (Debian 2.4.2-2+deb12u1), fcgiapp.c:
// - FCGX_Accept_r first calls FCGX_Finish_r, which closes req->ipcFd unless
//   req->keepConnection is set; with no request in progress (req->in == NULL) it does
//   nothing else. Setting keepConnection before handing over the descriptor keeps that
//   first step from closing it.
// - Then, with req->ipcFd >= 0, it reads the next request from that descriptor instead of
//   accepting one. If the peer ended the connection (or broke the protocol) libfcgi closes
//   the descriptor and accepts on req->listen_sock: initialised to -1 (FCGX_InitRequest(req,
//   -1, 0)), that accept fails at once and FCGX_Accept_r returns a negative value.
// - FCGX_Finish_r leaves the descriptor open exactly when the request's
//   FCGI_BEGIN_REQUEST had FCGI_KEEP_CONN and no stream failed; otherwise it closes it
//   (with a lingering shutdown unless FCGX_Detach was called).
// Tests/FastCGIShimTests pins each of these; a libfcgi upgrade must pass them.

/// Reads the next request on `connection`, an open descriptor of the caller's. Returns 0
/// with the request ready, or a negative value when the connection ended or failed:
/// libfcgi has then closed it.
static inline int authfcgi_read_request(FCGX_Request *request, int connection) {
    request->keepConnection = 1;
    request->detached = 0;
    request->ipcFd = connection;
    return FCGX_Accept_r(request);
}

/// Ends the request read by authfcgi_read_request and returns its connection when the web
/// server asked to keep it and nothing failed, now the caller's again; otherwise libfcgi
/// closes it and this returns -1. `stdinReadToEnd`: the request's stdin was read to its end,
/// so the connection may be closed at once (no unread bytes can turn into a reset) or kept;
/// a connection with stdin left unread is closed the careful way, never kept (the rest of
/// that body would be read as the next request's).
static inline int authfcgi_end_request(FCGX_Request *request, int stdinReadToEnd) {
    if (!stdinReadToEnd) {
        request->keepConnection = 0;
    } else if (!request->keepConnection) {
        FCGX_Detach(request);
    }
    FCGX_Finish_r(request);
    int kept = request->ipcFd;
    request->ipcFd = -1;
    return kept;
}
#endif
