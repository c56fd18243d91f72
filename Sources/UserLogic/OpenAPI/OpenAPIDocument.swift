/// The OpenAPI 3.1 document of the whole HTTP contract (`shared/spec/api.md`), served at
/// `GET /api/openapi.json` and rendered by the docs page at `/api/docs/`.
///
/// The single source of truth: edit the JSON here. Unit tests parse it and check that its
/// operations are exactly the router's; the integration tests validate it with
/// openapi-spec-validator and check real responses against its schemas.
enum OpenAPIDocument {
    static let json: String = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "auth-fcgi user management API",
            "version": "1.0.0",
            "summary": "Accounts, JWT sessions and user administration behind nginx.",
            "description": "User management and authentication: registration, login with lockout, JWT access and refresh tokens with rotation and reuse detection, sessions, password change and reset, and user administration. A Swift FastCGI backend (`auth-fcgi`) behind nginx; the HTTP contract is `shared/spec/api.md`.\n\n## Conventions\n- Request and response bodies are JSON (UTF-8). A request body needs `Content-Type: application/json` (any letter case; parameters such as `; charset=utf-8` allowed), else 415 `unsupported_media_type`; an empty body without a Content-Type on an endpoint that needs one is 400 `malformed_json`. A body sent to an endpoint that takes none is ignored.\n- Malformed JSON or a body that is not a JSON object: 400 `malformed_json`. The parser is strict: duplicate member names, nesting deeper than 64 levels, invalid UTF-8 and lone surrogates are refused too.\n- Bodies up to exactly 65536 bytes are accepted; 65537 bytes or more: 413 `payload_too_large`, from nginx (as problem+json with `X-Request-ID`) or from the backend, which enforces the same limit.\n- Unknown path: 404 `not_found`. Known path, wrong method: 405 `method_not_allowed` with an `Allow` header (see `components.responses.MethodNotAllowed`). Every `GET` route also answers `HEAD` with the GET's headers (its `Content-Length` included) and no body; HEAD is not listed separately.\n- Every response carries `X-Request-ID`; every response of the backend carries `Cache-Control: no-store`.\n- Timestamps are RFC 3339 UTC with `Z`, e.g. `2026-11-26T10:07:46Z`.\n- Every 4xx/5xx is `application/problem+json` (RFC 9457, schema `Problem`) with a stable `code`; each response below lists the codes it can carry. `errors[]` appears only with `validation_failed`.\n- nginx adds: rate limits on login and forgot-password (429 `rate_limited` with `Retry-After`), 503 `backend_unavailable` when the backend can't be reached, and CORS for the origins in `CORS_ORIGINS` (preflight `OPTIONS` is answered by nginx with 204; it is not an operation of this document).\n\n## Authentication\n`Authorization: Bearer <token>`. Access tokens for every authenticated endpoint (`accessToken`); the refresh token only for `POST /api/auth/refresh` (`refreshToken`). Decisions use the user's current row, not the token's `role` claim: a demoted, disabled or deleted user loses access on the next request. Every 401 carries `WWW-Authenticate: Bearer` (with `error=\"invalid_token\"` when a token was presented).\n\n## Order of checks\nWhen several apply: 404/405 (routing); 413; 401 token checks, then 403 `account_disabled`; 403 endpoint permission (a non-admin on an admin-only endpoint or another user's id) and `registration_closed`; 415, 400, 422; 404 unknown id (admin) and `session_not_found`; 403 rules depending on body or target (`role`/`active` from a non-admin, another ADMIN as target, `admin_key_invalid`, `current_password_incorrect`) and 400 `reset_token_invalid`; 409 conflicts.\n\nThe interactive page for this document is served by nginx at `/api/docs/`."
          },
          "servers": [
            {
              "url": "/",
              "description": "This server (every path is under /api)."
            }
          ],
          "tags": [
            {
              "name": "Auth",
              "description": "Registration, login, tokens and passwords."
            },
            {
              "name": "Sessions",
              "description": "The caller's login sessions."
            },
            {
              "name": "Users",
              "description": "User accounts: self-service and administration."
            },
            {
              "name": "Service",
              "description": "Health and this document."
            }
          ],
          "paths": {
            "/api/auth/register": {
              "post": {
                "operationId": "register",
                "tags": [
                  "Auth"
                ],
                "summary": "Create an account",
                "description": "Anyone, unless registration is closed (`REGISTRATION_OPEN=false`: 403 `registration_closed`, checked before the body, also with an `admin_key`). The account gets role USER, or ADMIN with a matching `admin_key`.\n\n`Content-Type: application/json` (parameters such as `; charset=utf-8` allowed). At most 65536 bytes. Duplicate member names are refused (400 `malformed_json`); every field is checked at once and each offending field gets one `errors[]` entry.",
                "security": [],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/RegisterRequest"
                      },
                      "examples": {
                        "user": {
                          "summary": "A user account",
                          "value": {
                            "username": "alice",
                            "email": "alice@example.com",
                            "password": "correct horse battery",
                            "first_name": "Alice",
                            "last_name": null
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "The new account (without `locked_until`); `Location: /api/users/{id}`.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      },
                      "Location": {
                        "$ref": "#/components/headers/Location"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/RegisteredUser"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/MalformedJSON"
                  },
                  "403": {
                    "$ref": "#/components/responses/RegistrationForbidden"
                  },
                  "409": {
                    "$ref": "#/components/responses/AccountConflict"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/auth/login": {
              "post": {
                "operationId": "login",
                "tags": [
                  "Auth"
                ],
                "summary": "Log in: open a session",
                "description": "Opens a session and returns its first token pair; sets `last_login_at`. Unknown user and wrong password give the same 401 `invalid_credentials` in about the same time. The right password of a disabled account gives 403 `account_disabled` (a wrong one 401).\n\nLockout: `LOCKOUT_THRESHOLD` (default 5) consecutive failures lock the account for `LOCKOUT_SECONDS` (default 900); the failure that reaches the threshold still answers 401. While locked every login, right password or not, answers 423 `account_locked` with `Retry-After` (1..`LOCKOUT_SECONDS`). A success resets the count; so does an expired lock, an admin's unlock and a password reset.\n\nnginx rate-limits this endpoint per client address (429 `rate_limited`).\n\n`Content-Type: application/json` (parameters such as `; charset=utf-8` allowed). At most 65536 bytes. Duplicate member names are refused (400 `malformed_json`); every field is checked at once and each offending field gets one `errors[]` entry.",
                "security": [],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/LoginRequest"
                      },
                      "examples": {
                        "username": {
                          "summary": "By username",
                          "value": {
                            "username": "alice",
                            "password": "correct horse battery"
                          }
                        },
                        "email": {
                          "summary": "By email",
                          "value": {
                            "email": "alice@example.com",
                            "password": "correct horse battery"
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "The session's first token pair.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TokenPair"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/MalformedJSON"
                  },
                  "401": {
                    "$ref": "#/components/responses/InvalidCredentials"
                  },
                  "403": {
                    "$ref": "#/components/responses/AccountDisabled"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "423": {
                    "$ref": "#/components/responses/AccountLocked"
                  },
                  "429": {
                    "$ref": "#/components/responses/RateLimited"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/auth/refresh": {
              "post": {
                "operationId": "refreshTokens",
                "tags": [
                  "Auth"
                ],
                "summary": "Exchange a refresh token for a new pair",
                "description": "Send the **refresh** token as the bearer token. Each refresh token can be used once: a success revokes it and returns a new pair in the same session (the previous access token stays valid until its `exp`). Presenting an already-used refresh token is reuse: 401 `token_revoked`, and the whole session (all its refresh and access tokens) is revoked. A disabled user gets 403 `account_disabled`.\n\nA body sent to this endpoint is ignored (but still counts against the 64 KiB limit).",
                "security": [
                  {
                    "refreshToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "A new pair in the same session.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TokenPair"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/AccountDisabled"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/auth/logout": {
              "post": {
                "operationId": "logout",
                "tags": [
                  "Auth"
                ],
                "summary": "Log out this session",
                "description": "Revokes the presented access token and its session (so its refresh token too).\n\nA body sent to this endpoint is ignored (but still counts against the 64 KiB limit).",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "responses": {
                  "204": {
                    "description": "Logged out.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/AccountDisabled"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/auth/logout-all": {
              "post": {
                "operationId": "logoutAll",
                "tags": [
                  "Auth"
                ],
                "summary": "Log out every session",
                "description": "Revokes every session and access token of the caller.\n\nA body sent to this endpoint is ignored (but still counts against the 64 KiB limit).",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "responses": {
                  "204": {
                    "description": "Every session revoked.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/AccountDisabled"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/auth/whoami": {
              "get": {
                "operationId": "whoami",
                "tags": [
                  "Auth"
                ],
                "summary": "The caller's account",
                "description": "The caller's current user row (same as `GET /api/users/me`).",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The caller.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/UserEnvelope"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/AccountDisabled"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/auth/password/change": {
              "post": {
                "operationId": "changePassword",
                "tags": [
                  "Auth"
                ],
                "summary": "Change the password",
                "description": "Needs the current password (wrong: 403 `current_password_incorrect`). On success every other session is revoked and a fresh pair of the presenting session is returned; that session's previous refresh token is rotated out (presenting it is reuse), its previous access token stays valid until `exp`.\n\n`Content-Type: application/json` (parameters such as `; charset=utf-8` allowed). At most 65536 bytes. Duplicate member names are refused (400 `malformed_json`); every field is checked at once and each offending field gets one `errors[]` entry.",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/PasswordChangeRequest"
                      },
                      "examples": {
                        "change": {
                          "summary": "A new password",
                          "value": {
                            "current_password": "correct horse battery",
                            "new_password": "staple battery horse"
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "A fresh pair of the presenting session.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TokenPair"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/MalformedJSON"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/PasswordChangeForbidden"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/auth/password/forgot": {
              "post": {
                "operationId": "forgotPassword",
                "tags": [
                  "Auth"
                ],
                "summary": "Request a password-reset mail",
                "description": "Always 202 with the same body whether or not the address is known (422 only for a syntactically invalid email). For an existing active account a mail goes out whose text contains the line `Reset token: <token>` and the link `${PUBLIC_BASE_URL}/reset-password?token=<token>`. The token has 256 random bits (43 base64url characters), is stored only as its SHA-256, lives `RESET_TOKEN_TTL` seconds (default 1800), is single-use, and a newer request voids older ones. A disabled account gets no mail.\n\nnginx rate-limits this endpoint per client address (429 `rate_limited`).\n\n`Content-Type: application/json` (parameters such as `; charset=utf-8` allowed). At most 65536 bytes. Duplicate member names are refused (400 `malformed_json`); every field is checked at once and each offending field gets one `errors[]` entry.",
                "security": [],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/ForgotPasswordRequest"
                      },
                      "examples": {
                        "email": {
                          "summary": "An address",
                          "value": {
                            "email": "alice@example.com"
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "202": {
                    "description": "Accepted; the same answer for every syntactically valid address.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Message"
                        },
                        "example": {
                          "message": "If an active account uses this email address, a link to reset its password is on its way."
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/MalformedJSON"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/RateLimited"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/auth/password/reset": {
              "post": {
                "operationId": "resetPassword",
                "tags": [
                  "Auth"
                ],
                "summary": "Set a new password with a reset token",
                "description": "Validation comes first (422 whatever the token; a bad password leaves the token usable), then the token (400 `reset_token_invalid`), then `too_similar` against the token's user. Success revokes all sessions of the user and clears a lockout.\n\n`Content-Type: application/json` (parameters such as `; charset=utf-8` allowed). At most 65536 bytes. Duplicate member names are refused (400 `malformed_json`); every field is checked at once and each offending field gets one `errors[]` entry.",
                "security": [],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/ResetPasswordRequest"
                      },
                      "examples": {
                        "reset": {
                          "summary": "A token from the mail",
                          "value": {
                            "token": "q3J0dGVzdC10b2tlbi0wMTIzNDU2Nzg5YWJjZGVmZ2hp",
                            "new_password": "staple battery horse"
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "The password is reset.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Message"
                        },
                        "example": {
                          "message": "Your password has been reset. Sign in with the new password."
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/ResetTokenBadRequest"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/auth/sessions": {
              "get": {
                "operationId": "listSessions",
                "tags": [
                  "Sessions"
                ],
                "summary": "The caller's live sessions",
                "description": "The caller's live sessions, newest first; `current` marks the one of the presenting token.",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The sessions.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/SessionList"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/AccountDisabled"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/auth/sessions/{id}": {
              "delete": {
                "operationId": "deleteSession",
                "tags": [
                  "Sessions"
                ],
                "summary": "Revoke one of the caller's sessions",
                "description": "Revokes the session's refresh token and its access tokens. Another user's, an unknown, an already revoked or an expired session: 404 `session_not_found`.",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/SessionID"
                  },
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "responses": {
                  "204": {
                    "description": "The session is revoked.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/AccountDisabled"
                  },
                  "404": {
                    "$ref": "#/components/responses/SessionNotFound"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/users": {
              "get": {
                "operationId": "listUsers",
                "tags": [
                  "Users"
                ],
                "summary": "List users (admin)",
                "description": "Admin only (403 `forbidden` otherwise, before the query is validated). Filters combine with AND. Sorting by username/email is case-insensitive; ties are broken by `id` ascending (also in a descending sort); a null `last_login_at` sorts last ascending and first descending. Invalid query values give 422 `validation_failed` with `errors[].field` = the parameter's name and code `invalid_value`, all at once. Unknown query parameters are ignored; when a parameter is repeated the first occurrence wins.",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/Page"
                  },
                  {
                    "$ref": "#/components/parameters/PerPage"
                  },
                  {
                    "$ref": "#/components/parameters/Search"
                  },
                  {
                    "$ref": "#/components/parameters/RoleFilter"
                  },
                  {
                    "$ref": "#/components/parameters/ActiveFilter"
                  },
                  {
                    "$ref": "#/components/parameters/Sort"
                  },
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "One page of users.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/UserPage"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              },
              "post": {
                "operationId": "createUser",
                "tags": [
                  "Users"
                ],
                "summary": "Create a user (admin)",
                "description": "Admin only. Like registration, plus `role` (default USER) and `active` (default true).\n\n`Content-Type: application/json` (parameters such as `; charset=utf-8` allowed). At most 65536 bytes. Duplicate member names are refused (400 `malformed_json`); every field is checked at once and each offending field gets one `errors[]` entry.",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/CreateUserRequest"
                      },
                      "examples": {
                        "user": {
                          "summary": "A user account",
                          "value": {
                            "username": "bob",
                            "email": "bob@example.com",
                            "password": "correct horse battery",
                            "role": "USER",
                            "active": true
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "The new user (with `locked_until`); `Location: /api/users/{id}`.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      },
                      "Location": {
                        "$ref": "#/components/headers/Location"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/CreatedUser"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/MalformedJSON"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "409": {
                    "$ref": "#/components/responses/AccountConflict"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/users/me": {
              "get": {
                "operationId": "getMe",
                "tags": [
                  "Users"
                ],
                "summary": "The caller's account",
                "description": "Same as `GET /api/auth/whoami`. A literal path: it takes precedence over `/api/users/{id}`.",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The caller.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/UserEnvelope"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/AccountDisabled"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/users/{id}": {
              "get": {
                "operationId": "getUser",
                "tags": [
                  "Users"
                ],
                "summary": "Get a user (self or admin)",
                "description": "A non-admin may read only its own id; any other id, existing or not, is 403 `forbidden` (no existence oracle). An unknown id for an admin: 404 `user_not_found`.",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/UserID"
                  },
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The user.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/UserEnvelope"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UserNotFound"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              },
              "patch": {
                "operationId": "updateUser",
                "tags": [
                  "Users"
                ],
                "summary": "Update a user (self or admin)",
                "description": "Self or admin. A partial update of any of `username`, `email`, `first_name`, `last_name`; admins also `role` and `active`. An admin may change USER accounts and itself and may promote a USER to ADMIN; it may not change another ADMIN (403 `forbidden`). The last active admin can't be demoted or disabled (409 `last_admin`). Disabling a user takes effect on its tokens at once.\n\nOrder of checks: 401 token, 403 `account_disabled`, 403 `forbidden` (another user's id as a non-admin), 415, 400, 422, 404 `user_not_found` (admin), 403 `forbidden` (body/target rules), 409.\n\n`Content-Type: application/json` (parameters such as `; charset=utf-8` allowed). At most 65536 bytes. Duplicate member names are refused (400 `malformed_json`); every field is checked at once and each offending field gets one `errors[]` entry.",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/UserID"
                  },
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/UpdateUserRequest"
                      },
                      "examples": {
                        "names": {
                          "summary": "Change the names",
                          "value": {
                            "first_name": "Alice",
                            "last_name": null
                          }
                        },
                        "disable": {
                          "summary": "Disable a user (admin)",
                          "value": {
                            "active": false
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "The updated user.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/UserEnvelope"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/MalformedJSON"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UserNotFound"
                  },
                  "409": {
                    "$ref": "#/components/responses/UpdateConflict"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              },
              "put": {
                "operationId": "replaceUser",
                "tags": [
                  "Users"
                ],
                "summary": "Update a user (same as PATCH)",
                "description": "The same partial update as `PATCH /api/users/{id}`: members left out are unchanged, not cleared (the contract makes PUT an alias of PATCH).\n\nSelf or admin. A partial update of any of `username`, `email`, `first_name`, `last_name`; admins also `role` and `active`. An admin may change USER accounts and itself and may promote a USER to ADMIN; it may not change another ADMIN (403 `forbidden`). The last active admin can't be demoted or disabled (409 `last_admin`). Disabling a user takes effect on its tokens at once.\n\nOrder of checks: 401 token, 403 `account_disabled`, 403 `forbidden` (another user's id as a non-admin), 415, 400, 422, 404 `user_not_found` (admin), 403 `forbidden` (body/target rules), 409.\n\n`Content-Type: application/json` (parameters such as `; charset=utf-8` allowed). At most 65536 bytes. Duplicate member names are refused (400 `malformed_json`); every field is checked at once and each offending field gets one `errors[]` entry.",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/UserID"
                  },
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/UpdateUserRequest"
                      },
                      "examples": {
                        "names": {
                          "summary": "Change the names",
                          "value": {
                            "first_name": "Alice",
                            "last_name": null
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "The updated user.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/UserEnvelope"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/MalformedJSON"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UserNotFound"
                  },
                  "409": {
                    "$ref": "#/components/responses/UpdateConflict"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              },
              "delete": {
                "operationId": "deleteUser",
                "tags": [
                  "Users"
                ],
                "summary": "Delete a user (self or admin)",
                "description": "Self or admin; an admin may delete USER accounts and itself, not another ADMIN (403 `forbidden`). The last active admin can't be deleted (409 `last_admin`). The user's sessions and tokens stop working at once.",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/UserID"
                  },
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "responses": {
                  "204": {
                    "description": "Deleted.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UserNotFound"
                  },
                  "409": {
                    "$ref": "#/components/responses/LastAdmin"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/users/{id}/unlock": {
              "post": {
                "operationId": "unlockUser",
                "tags": [
                  "Users"
                ],
                "summary": "Clear a login lockout (admin)",
                "description": "Admin only; any user, another admin included. Clears the lock and the failure count; a user who isn't locked also gets 204.\n\nA body sent to this endpoint is ignored (but still counts against the 64 KiB limit).",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/UserID"
                  },
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "responses": {
                  "204": {
                    "description": "Unlocked.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UserNotFound"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/users/{id}/sessions": {
              "delete": {
                "operationId": "revokeUserSessions",
                "tags": [
                  "Users"
                ],
                "summary": "Revoke every session of a user (self or admin)",
                "description": "Revokes every session and access token of the user. Self, or an admin for itself and USER accounts; another ADMIN's: 403 `forbidden`.",
                "security": [
                  {
                    "accessToken": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/UserID"
                  },
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "responses": {
                  "204": {
                    "description": "Every session revoked.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UserNotFound"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/health": {
              "get": {
                "operationId": "health",
                "tags": [
                  "Service"
                ],
                "summary": "Health check",
                "description": "200 while the database answers; 503 `database_unavailable` when it can't be reached.",
                "security": [],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "Healthy.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Health"
                        },
                        "example": {
                          "status": "ok",
                          "database": "ok"
                        }
                      }
                    }
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  }
                }
              }
            },
            "/api/openapi.json": {
              "get": {
                "operationId": "openapi",
                "tags": [
                  "Service"
                ],
                "summary": "This OpenAPI document",
                "description": "The OpenAPI 3.1 document of this API, the one the docs page at `/api/docs/` renders.",
                "security": [],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/RequestID"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The document.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "description": "An OpenAPI 3.1 document."
                        }
                      }
                    }
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "503": {
                    "$ref": "#/components/responses/BackendUnavailable"
                  }
                }
              }
            }
          },
          "components": {
            "schemas": {
              "User": {
                "type": "object",
                "description": "The user object. Never includes the password hash, reset tokens or failure counters.",
                "properties": {
                  "id": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 1,
                    "examples": [
                      7
                    ]
                  },
                  "username": {
                    "type": "string",
                    "examples": [
                      "alice"
                    ]
                  },
                  "email": {
                    "type": "string",
                    "description": "Lower-cased.",
                    "examples": [
                      "alice@example.com"
                    ]
                  },
                  "first_name": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "examples": [
                      "Alice"
                    ]
                  },
                  "last_name": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "examples": [
                      null
                    ]
                  },
                  "role": {
                    "type": "string",
                    "enum": [
                      "USER",
                      "ADMIN"
                    ]
                  },
                  "active": {
                    "type": "boolean",
                    "description": "false: the account is disabled and can't log in."
                  },
                  "created_at": {
                    "type": "string",
                    "format": "date-time",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                    "description": "RFC 3339 UTC timestamp with `Z`, whole seconds.",
                    "examples": [
                      "2026-11-26T10:07:46Z"
                    ]
                  },
                  "updated_at": {
                    "type": "string",
                    "format": "date-time",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                    "description": "RFC 3339 UTC timestamp with `Z`, whole seconds.",
                    "examples": [
                      "2026-11-26T10:07:46Z"
                    ]
                  },
                  "last_login_at": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                    "description": "Set by each successful login; null before the first."
                  }
                },
                "required": [
                  "id",
                  "username",
                  "email",
                  "first_name",
                  "last_name",
                  "role",
                  "active",
                  "created_at",
                  "updated_at",
                  "last_login_at"
                ],
                "additionalProperties": false
              },
              "UserWithLockedUntil": {
                "type": "object",
                "description": "The user object as an admin sees it: every User member plus `locked_until`. An admin sees it on every user object it receives, its own included.",
                "properties": {
                  "id": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 1,
                    "examples": [
                      7
                    ]
                  },
                  "username": {
                    "type": "string",
                    "examples": [
                      "alice"
                    ]
                  },
                  "email": {
                    "type": "string",
                    "description": "Lower-cased.",
                    "examples": [
                      "alice@example.com"
                    ]
                  },
                  "first_name": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "examples": [
                      "Alice"
                    ]
                  },
                  "last_name": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "examples": [
                      null
                    ]
                  },
                  "role": {
                    "type": "string",
                    "enum": [
                      "USER",
                      "ADMIN"
                    ]
                  },
                  "active": {
                    "type": "boolean",
                    "description": "false: the account is disabled and can't log in."
                  },
                  "created_at": {
                    "type": "string",
                    "format": "date-time",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                    "description": "RFC 3339 UTC timestamp with `Z`, whole seconds.",
                    "examples": [
                      "2026-11-26T10:07:46Z"
                    ]
                  },
                  "updated_at": {
                    "type": "string",
                    "format": "date-time",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                    "description": "RFC 3339 UTC timestamp with `Z`, whole seconds.",
                    "examples": [
                      "2026-11-26T10:07:46Z"
                    ]
                  },
                  "last_login_at": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                    "description": "Set by each successful login; null before the first."
                  },
                  "locked_until": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                    "description": "End of the current or last login lockout; null when the account was never locked or an admin unlocked it. A time in the past means not locked."
                  }
                },
                "required": [
                  "id",
                  "username",
                  "email",
                  "first_name",
                  "last_name",
                  "role",
                  "active",
                  "created_at",
                  "updated_at",
                  "last_login_at",
                  "locked_until"
                ],
                "additionalProperties": false
              },
              "UserEnvelope": {
                "type": "object",
                "description": "`{\"user\": ...}`; the user object carries `locked_until` when the caller is an admin.",
                "properties": {
                  "user": {
                    "oneOf": [
                      {
                        "$ref": "#/components/schemas/User"
                      },
                      {
                        "$ref": "#/components/schemas/UserWithLockedUntil"
                      }
                    ],
                    "description": "`UserWithLockedUntil` when the caller is an admin, else `User`."
                  }
                },
                "required": [
                  "user"
                ],
                "additionalProperties": false
              },
              "RegisteredUser": {
                "type": "object",
                "description": "The new account; the anonymous caller never sees `locked_until`.",
                "properties": {
                  "user": {
                    "$ref": "#/components/schemas/User"
                  }
                },
                "required": [
                  "user"
                ],
                "additionalProperties": false
              },
              "CreatedUser": {
                "type": "object",
                "description": "The new account as the creating admin sees it.",
                "properties": {
                  "user": {
                    "$ref": "#/components/schemas/UserWithLockedUntil"
                  }
                },
                "required": [
                  "user"
                ],
                "additionalProperties": false
              },
              "TokenPair": {
                "type": "object",
                "description": "A new access and refresh token of one session. Tokens are JWS compact JWTs (HS256 by default) with the claims `iss`, `aud`, `sub` (user id as a string), `iat`, `nbf`, `exp`, `jti`, `typ` (`access` or `refresh`), `sid` (the session id) and `role`. `user` carries `locked_until` when the user is an admin.",
                "properties": {
                  "access_token": {
                    "type": "string",
                    "pattern": "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"
                  },
                  "refresh_token": {
                    "type": "string",
                    "pattern": "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"
                  },
                  "token_type": {
                    "type": "string",
                    "const": "Bearer"
                  },
                  "expires_in": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "Lifetime of the access token in seconds (`ACCESS_TOKEN_TTL`, default 900).",
                    "examples": [
                      900
                    ]
                  },
                  "user": {
                    "oneOf": [
                      {
                        "$ref": "#/components/schemas/User"
                      },
                      {
                        "$ref": "#/components/schemas/UserWithLockedUntil"
                      }
                    ],
                    "description": "`UserWithLockedUntil` when the caller is an admin, else `User`."
                  }
                },
                "required": [
                  "access_token",
                  "refresh_token",
                  "token_type",
                  "expires_in",
                  "user"
                ],
                "additionalProperties": false
              },
              "Session": {
                "type": "object",
                "description": "A login session: one refresh-token chain and the access tokens issued in it. `user_agent` and `ip` come from the login request that opened it.",
                "properties": {
                  "id": {
                    "type": "string",
                    "description": "The `sid` claim of the session's tokens (22 characters of base64url, 128 random bits)."
                  },
                  "created_at": {
                    "type": "string",
                    "format": "date-time",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                    "description": "RFC 3339 UTC timestamp with `Z`, whole seconds.",
                    "examples": [
                      "2026-11-26T10:07:46Z"
                    ]
                  },
                  "last_used_at": {
                    "type": "string",
                    "format": "date-time",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                    "description": "Equals `created_at` until the first refresh; changes on each refresh (not on access-token use).",
                    "examples": [
                      "2026-11-26T10:07:46Z"
                    ]
                  },
                  "expires_at": {
                    "type": "string",
                    "format": "date-time",
                    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                    "description": "When the session's refresh token expires.",
                    "examples": [
                      "2026-11-26T10:07:46Z"
                    ]
                  },
                  "user_agent": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "ip": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "current": {
                    "type": "boolean",
                    "description": "true for the session of the presenting token."
                  }
                },
                "required": [
                  "id",
                  "created_at",
                  "last_used_at",
                  "expires_at",
                  "user_agent",
                  "ip",
                  "current"
                ],
                "additionalProperties": false
              },
              "SessionList": {
                "type": "object",
                "description": "The caller's live (not revoked, not expired) sessions, newest first.",
                "properties": {
                  "items": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Session"
                    }
                  }
                },
                "required": [
                  "items"
                ],
                "additionalProperties": false
              },
              "UserPage": {
                "type": "object",
                "description": "One page of users. A page past the end has `items: []`; `pages` is 0 when `total` is 0.",
                "properties": {
                  "items": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/UserWithLockedUntil"
                    },
                    "maxItems": 100
                  },
                  "page": {
                    "type": "integer",
                    "minimum": 1
                  },
                  "per_page": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 100
                  },
                  "total": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Users matching the filters."
                  },
                  "pages": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "ceil(total / per_page)."
                  }
                },
                "required": [
                  "items",
                  "page",
                  "per_page",
                  "total",
                  "pages"
                ],
                "additionalProperties": false
              },
              "Message": {
                "type": "object",
                "description": "A sentence for people.",
                "properties": {
                  "message": {
                    "type": "string"
                  }
                },
                "required": [
                  "message"
                ],
                "additionalProperties": false
              },
              "Health": {
                "type": "object",
                "properties": {
                  "status": {
                    "type": "string",
                    "const": "ok"
                  },
                  "database": {
                    "type": "string",
                    "const": "ok"
                  }
                },
                "required": [
                  "status",
                  "database"
                ],
                "additionalProperties": false
              },
              "FieldError": {
                "type": "object",
                "description": "One offending field (for a query parameter: its name).",
                "properties": {
                  "field": {
                    "type": "string",
                    "examples": [
                      "email"
                    ]
                  },
                  "code": {
                    "type": "string",
                    "enum": [
                      "required",
                      "invalid_type",
                      "unknown_field",
                      "invalid_format",
                      "too_short",
                      "too_long",
                      "too_similar",
                      "invalid_value"
                    ],
                    "description": "`required`: a required member is missing; `invalid_type`: the wrong JSON type (also null for a field that isn't nullable); `unknown_field`: a member the endpoint doesn't define; `invalid_format`, `too_short`, `too_long`, `too_similar`: the field rules; `invalid_value`: a value outside an enum or range (`role`, query values, both `username` and `email` at login)."
                  },
                  "message": {
                    "type": "string",
                    "description": "A sentence for people."
                  }
                },
                "required": [
                  "field",
                  "code",
                  "message"
                ],
                "additionalProperties": false
              },
              "Problem": {
                "type": "object",
                "description": "RFC 9457 problem details, `Content-Type: application/problem+json`, for every 4xx/5xx of the backend and of nginx in front of it. `code` is the stable machine-readable string; `errors` appears only with `validation_failed` (one entry per offending field, all fields checked at once). A 5xx never exposes internals.",
                "properties": {
                  "type": {
                    "type": "string",
                    "const": "about:blank"
                  },
                  "title": {
                    "type": "string",
                    "description": "The status's reason phrase.",
                    "examples": [
                      "Unprocessable Content"
                    ]
                  },
                  "status": {
                    "type": "integer",
                    "minimum": 400,
                    "maximum": 599,
                    "description": "The HTTP status."
                  },
                  "code": {
                    "type": "string",
                    "examples": [
                      "validation_failed"
                    ]
                  },
                  "detail": {
                    "type": "string",
                    "description": "A sentence for people."
                  },
                  "errors": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/FieldError"
                    },
                    "minItems": 1
                  }
                },
                "required": [
                  "type",
                  "title",
                  "status",
                  "code",
                  "detail"
                ],
                "additionalProperties": false,
                "if": {
                  "properties": {
                    "code": {
                      "const": "validation_failed"
                    }
                  },
                  "required": [
                    "code"
                  ]
                },
                "then": {
                  "required": [
                    "errors"
                  ]
                },
                "else": {
                  "not": {
                    "required": [
                      "errors"
                    ]
                  }
                }
              },
              "RegisterRequest": {
                "type": "object",
                "properties": {
                  "username": {
                    "type": "string",
                    "minLength": 3,
                    "maxLength": 32,
                    "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                    "description": "3-32 characters of `A-Z a-z 0-9 _ . -`, starting with a letter or digit; unique case-insensitively. Errors: `too_short`, `too_long`, `invalid_format` (an empty string is `too_short`); a duplicate is 409 `username_taken`.",
                    "examples": [
                      "alice"
                    ]
                  },
                  "email": {
                    "type": "string",
                    "maxLength": 254,
                    "pattern": "^[^@\\s\\u0000-\\u001F\\u007F-\\u009F]+@[^@\\s\\u0000-\\u001F\\u007F-\\u009F.][^@\\s\\u0000-\\u001F\\u007F-\\u009F]*\\.[^@\\s\\u0000-\\u001F\\u007F-\\u009F]*[^@\\s\\u0000-\\u001F\\u007F-\\u009F.]$",
                    "description": "Exactly one `@`, a non-empty local part, a domain containing a dot (not at its start or end), at most 254 characters, no spaces or control characters. Stored lower-cased; unique case-insensitively. Error: `invalid_format` (also for an empty string); a duplicate is 409 `email_taken`. (No `format: email`: the rule is this one, not RFC 5321's.)",
                    "examples": [
                      "alice@example.com"
                    ]
                  },
                  "password": {
                    "type": "string",
                    "minLength": 8,
                    "maxLength": 128,
                    "format": "password",
                    "description": "8-128 characters, counted in Unicode scalars (code points, as JSON Schema counts). Errors: `too_short`, `too_long`, `too_similar` (equal to the username or email, ignoring case).",
                    "examples": [
                      "correct horse battery"
                    ]
                  },
                  "first_name": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "maxLength": 64,
                    "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$",
                    "description": "Optional; null or at most 64 characters (Unicode scalars) without control characters (category Cc: TAB, LF, DEL, C1 such as U+0085). Errors: `too_long`, `invalid_format`."
                  },
                  "last_name": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "maxLength": 64,
                    "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$",
                    "description": "Optional; null or at most 64 characters (Unicode scalars) without control characters (category Cc: TAB, LF, DEL, C1 such as U+0085). Errors: `too_long`, `invalid_format`."
                  },
                  "admin_key": {
                    "type": "string",
                    "description": "Creates the account with role ADMIN when it equals the server's `ADMIN_REGISTRATION_KEY` (compared in constant time). A key sent when none is configured, or a wrong key: 403 `admin_key_invalid`. Not nullable (null is `invalid_type`)."
                  }
                },
                "required": [
                  "username",
                  "email",
                  "password"
                ],
                "additionalProperties": false
              },
              "LoginRequest": {
                "type": "object",
                "description": "`password` and exactly one of `username` / `email` (matched case-insensitively). Neither: 422 with `errors[].field` `username`, code `required`; both: `username`, code `invalid_value`. Empty strings: `too_short` (username, password) / `invalid_format` (email). The field rules of registration are not applied: a wrong name is just wrong credentials.",
                "properties": {
                  "username": {
                    "type": "string",
                    "minLength": 1
                  },
                  "email": {
                    "type": "string",
                    "minLength": 1
                  },
                  "password": {
                    "type": "string",
                    "minLength": 1,
                    "format": "password"
                  }
                },
                "required": [
                  "password"
                ],
                "oneOf": [
                  {
                    "required": [
                      "username"
                    ]
                  },
                  {
                    "required": [
                      "email"
                    ]
                  }
                ],
                "additionalProperties": false
              },
              "PasswordChangeRequest": {
                "type": "object",
                "properties": {
                  "current_password": {
                    "type": "string",
                    "minLength": 1,
                    "format": "password",
                    "description": "Empty: `too_short`. Wrong: 403 `current_password_incorrect`."
                  },
                  "new_password": {
                    "type": "string",
                    "minLength": 8,
                    "maxLength": 128,
                    "format": "password",
                    "description": "8-128 characters, counted in Unicode scalars (code points, as JSON Schema counts). Errors: `too_short`, `too_long`, `too_similar` (equal to the username or email, ignoring case).",
                    "examples": [
                      "correct horse battery"
                    ]
                  }
                },
                "required": [
                  "current_password",
                  "new_password"
                ],
                "additionalProperties": false
              },
              "ForgotPasswordRequest": {
                "type": "object",
                "properties": {
                  "email": {
                    "type": "string",
                    "maxLength": 254,
                    "pattern": "^[^@\\s\\u0000-\\u001F\\u007F-\\u009F]+@[^@\\s\\u0000-\\u001F\\u007F-\\u009F.][^@\\s\\u0000-\\u001F\\u007F-\\u009F]*\\.[^@\\s\\u0000-\\u001F\\u007F-\\u009F]*[^@\\s\\u0000-\\u001F\\u007F-\\u009F.]$",
                    "description": "Exactly one `@`, a non-empty local part, a domain containing a dot (not at its start or end), at most 254 characters, no spaces or control characters. Stored lower-cased; unique case-insensitively. Error: `invalid_format` (also for an empty string); a duplicate is 409 `email_taken`. (No `format: email`: the rule is this one, not RFC 5321's.)",
                    "examples": [
                      "alice@example.com"
                    ]
                  }
                },
                "required": [
                  "email"
                ],
                "additionalProperties": false
              },
              "ResetPasswordRequest": {
                "type": "object",
                "properties": {
                  "token": {
                    "type": "string",
                    "description": "The token from the reset mail (the line `Reset token: <token>`, or the `token` query parameter of its link). Tokens the service issues are 43 characters of base64url (32 random bytes); any other string is simply unknown: 400 `reset_token_invalid`.",
                    "examples": [
                      "q3J0dGVzdC10b2tlbi0wMTIzNDU2Nzg5YWJjZGVmZ2hp"
                    ]
                  },
                  "new_password": {
                    "type": "string",
                    "minLength": 8,
                    "maxLength": 128,
                    "format": "password",
                    "description": "8-128 characters (Unicode scalars): `too_short`, `too_long`, checked before the token (a bad password leaves the token usable). `too_similar` (equal to the token's user's username or email) is checked once the token is found.",
                    "examples": [
                      "correct horse battery"
                    ]
                  }
                },
                "required": [
                  "token",
                  "new_password"
                ],
                "additionalProperties": false
              },
              "CreateUserRequest": {
                "type": "object",
                "properties": {
                  "username": {
                    "type": "string",
                    "minLength": 3,
                    "maxLength": 32,
                    "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                    "description": "3-32 characters of `A-Z a-z 0-9 _ . -`, starting with a letter or digit; unique case-insensitively. Errors: `too_short`, `too_long`, `invalid_format` (an empty string is `too_short`); a duplicate is 409 `username_taken`.",
                    "examples": [
                      "alice"
                    ]
                  },
                  "email": {
                    "type": "string",
                    "maxLength": 254,
                    "pattern": "^[^@\\s\\u0000-\\u001F\\u007F-\\u009F]+@[^@\\s\\u0000-\\u001F\\u007F-\\u009F.][^@\\s\\u0000-\\u001F\\u007F-\\u009F]*\\.[^@\\s\\u0000-\\u001F\\u007F-\\u009F]*[^@\\s\\u0000-\\u001F\\u007F-\\u009F.]$",
                    "description": "Exactly one `@`, a non-empty local part, a domain containing a dot (not at its start or end), at most 254 characters, no spaces or control characters. Stored lower-cased; unique case-insensitively. Error: `invalid_format` (also for an empty string); a duplicate is 409 `email_taken`. (No `format: email`: the rule is this one, not RFC 5321's.)",
                    "examples": [
                      "alice@example.com"
                    ]
                  },
                  "password": {
                    "type": "string",
                    "minLength": 8,
                    "maxLength": 128,
                    "format": "password",
                    "description": "8-128 characters, counted in Unicode scalars (code points, as JSON Schema counts). Errors: `too_short`, `too_long`, `too_similar` (equal to the username or email, ignoring case).",
                    "examples": [
                      "correct horse battery"
                    ]
                  },
                  "first_name": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "maxLength": 64,
                    "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$",
                    "description": "Optional; null or at most 64 characters (Unicode scalars) without control characters (category Cc: TAB, LF, DEL, C1 such as U+0085). Errors: `too_long`, `invalid_format`."
                  },
                  "last_name": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "maxLength": 64,
                    "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$",
                    "description": "Optional; null or at most 64 characters (Unicode scalars) without control characters (category Cc: TAB, LF, DEL, C1 such as U+0085). Errors: `too_long`, `invalid_format`."
                  },
                  "role": {
                    "type": "string",
                    "enum": [
                      "USER",
                      "ADMIN"
                    ],
                    "description": "Another string is `invalid_value`.",
                    "default": "USER"
                  },
                  "active": {
                    "type": "boolean",
                    "default": true
                  }
                },
                "required": [
                  "username",
                  "email",
                  "password"
                ],
                "additionalProperties": false
              },
              "UpdateUserRequest": {
                "type": "object",
                "description": "A partial update: members left out are unchanged; `first_name` / `last_name` set to null are cleared. `role` and `active` only from an admin (a non-admin sending either, whatever the value: 403 `forbidden`). A new username/email is not checked against the password (`too_similar` needs the plaintext).",
                "properties": {
                  "username": {
                    "type": "string",
                    "minLength": 3,
                    "maxLength": 32,
                    "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                    "description": "3-32 characters of `A-Z a-z 0-9 _ . -`, starting with a letter or digit; unique case-insensitively. Errors: `too_short`, `too_long`, `invalid_format` (an empty string is `too_short`); a duplicate is 409 `username_taken`.",
                    "examples": [
                      "alice"
                    ]
                  },
                  "email": {
                    "type": "string",
                    "maxLength": 254,
                    "pattern": "^[^@\\s\\u0000-\\u001F\\u007F-\\u009F]+@[^@\\s\\u0000-\\u001F\\u007F-\\u009F.][^@\\s\\u0000-\\u001F\\u007F-\\u009F]*\\.[^@\\s\\u0000-\\u001F\\u007F-\\u009F]*[^@\\s\\u0000-\\u001F\\u007F-\\u009F.]$",
                    "description": "Exactly one `@`, a non-empty local part, a domain containing a dot (not at its start or end), at most 254 characters, no spaces or control characters. Stored lower-cased; unique case-insensitively. Error: `invalid_format` (also for an empty string); a duplicate is 409 `email_taken`. (No `format: email`: the rule is this one, not RFC 5321's.)",
                    "examples": [
                      "alice@example.com"
                    ]
                  },
                  "first_name": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "maxLength": 64,
                    "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$",
                    "description": "Optional; null or at most 64 characters (Unicode scalars) without control characters (category Cc: TAB, LF, DEL, C1 such as U+0085). Errors: `too_long`, `invalid_format`."
                  },
                  "last_name": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "maxLength": 64,
                    "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$",
                    "description": "Optional; null or at most 64 characters (Unicode scalars) without control characters (category Cc: TAB, LF, DEL, C1 such as U+0085). Errors: `too_long`, `invalid_format`."
                  },
                  "role": {
                    "type": "string",
                    "enum": [
                      "USER",
                      "ADMIN"
                    ],
                    "description": "Another string is `invalid_value`."
                  },
                  "active": {
                    "type": "boolean"
                  }
                },
                "additionalProperties": false
              }
            },
            "parameters": {
              "RequestID": {
                "name": "X-Request-ID",
                "in": "header",
                "required": false,
                "description": "Optional request id. 1-128 characters of `[A-Za-z0-9._-]` are kept and echoed in the `X-Request-ID` response header and the log; anything else is replaced by a generated id.",
                "schema": {
                  "type": "string",
                  "pattern": "^[A-Za-z0-9._-]{1,128}$"
                }
              },
              "UserID": {
                "name": "id",
                "in": "path",
                "required": true,
                "description": "The user's id, decimal digits only. A non-numeric id (or one beyond int64) matches no route: 404 `not_found`.",
                "schema": {
                  "type": "integer",
                  "format": "int64",
                  "minimum": 0,
                  "maximum": 9223372036854775807
                }
              },
              "SessionID": {
                "name": "id",
                "in": "path",
                "required": true,
                "description": "A session's `id` (the `sid` claim of its tokens).",
                "schema": {
                  "type": "string",
                  "minLength": 1
                }
              },
              "Page": {
                "name": "page",
                "in": "query",
                "required": false,
                "description": "Page number, from 1 to 2^53 − 1 (exact in every JSON client). A page past the end is 200 with `items: []`.",
                "schema": {
                  "type": "integer",
                  "format": "int64",
                  "minimum": 1,
                  "maximum": 9007199254740991,
                  "default": 1
                }
              },
              "PerPage": {
                "name": "per_page",
                "in": "query",
                "required": false,
                "description": "Users per page, 1-100.",
                "schema": {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 100,
                  "default": 20
                }
              },
              "Search": {
                "name": "q",
                "in": "query",
                "required": false,
                "description": "Case-insensitive substring of username, email, first or last name. Empty: no filter.",
                "schema": {
                  "type": "string"
                }
              },
              "RoleFilter": {
                "name": "role",
                "in": "query",
                "required": false,
                "description": "Only users of this role (exact, upper case).",
                "schema": {
                  "type": "string",
                  "enum": [
                    "USER",
                    "ADMIN"
                  ]
                }
              },
              "ActiveFilter": {
                "name": "active",
                "in": "query",
                "required": false,
                "description": "Only active (`true`) or disabled (`false`) users; exactly these two spellings.",
                "schema": {
                  "type": "boolean"
                }
              },
              "Sort": {
                "name": "sort",
                "in": "query",
                "required": false,
                "description": "Sort field; a `-` prefix sorts descending.",
                "schema": {
                  "type": "string",
                  "enum": [
                    "id",
                    "-id",
                    "username",
                    "-username",
                    "email",
                    "-email",
                    "created_at",
                    "-created_at",
                    "last_login_at",
                    "-last_login_at"
                  ],
                  "default": "id"
                }
              }
            },
            "headers": {
              "X-Request-ID": {
                "description": "On every response: the client's valid `X-Request-ID`, or an id nginx (or the backend) generated. The same id is in the log lines of the request.",
                "schema": {
                  "type": "string",
                  "pattern": "^[A-Za-z0-9._-]{1,128}$"
                }
              },
              "Cache-Control": {
                "description": "`no-store` on every response of the backend.",
                "schema": {
                  "type": "string",
                  "const": "no-store"
                }
              },
              "Location": {
                "description": "The new user's path, `/api/users/{id}`.",
                "schema": {
                  "type": "string",
                  "pattern": "^/api/users/[0-9]+$"
                }
              },
              "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {
                  "type": "integer",
                  "minimum": 1
                }
              },
              "WWW-Authenticate": {
                "description": "`Bearer` on every 401; `Bearer error=\"invalid_token\"` when a token was presented.",
                "schema": {
                  "type": "string",
                  "enum": [
                    "Bearer",
                    "Bearer error=\"invalid_token\""
                  ]
                }
              },
              "Allow": {
                "description": "The methods the path accepts, e.g. `GET, HEAD, PATCH, PUT, DELETE`.",
                "schema": {
                  "type": "string"
                }
              }
            },
            "responses": {
              "MalformedJSON": {
                "description": "Bad Request, problem+json. `code`:\n\n- `malformed_json`: the body is not valid JSON or not a JSON object: also duplicate member names, nesting deeper than 64, invalid UTF-8 or lone surrogates, and an empty body without a Content-Type",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "malformed_json"
                              ]
                            },
                            "status": {
                              "const": 400
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Bad Request",
                      "status": 400,
                      "code": "malformed_json",
                      "detail": "The body is not valid JSON or not a JSON object: also duplicate member names, nesting deeper than 64, invalid UTF-8 or lone surrogates, and an empty body without a Content-Type."
                    }
                  }
                }
              },
              "ResetTokenBadRequest": {
                "description": "Bad Request, problem+json. `code`:\n\n- `malformed_json`: the body is not valid JSON or not a JSON object: also duplicate member names, nesting deeper than 64, invalid UTF-8 or lone surrogates, and an empty body without a Content-Type\n- `reset_token_invalid`: the reset token is unknown, used, replaced by a newer one, or expired",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "malformed_json",
                                "reset_token_invalid"
                              ]
                            },
                            "status": {
                              "const": 400
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Bad Request",
                      "status": 400,
                      "code": "malformed_json",
                      "detail": "The body is not valid JSON or not a JSON object: also duplicate member names, nesting deeper than 64, invalid UTF-8 or lone surrogates, and an empty body without a Content-Type."
                    }
                  }
                }
              },
              "InvalidCredentials": {
                "description": "Unauthorized, problem+json. `code`:\n\n- `invalid_credentials`: unknown user or wrong password (the same body, about the same time)",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  },
                  "WWW-Authenticate": {
                    "$ref": "#/components/headers/WWW-Authenticate"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "invalid_credentials"
                              ]
                            },
                            "status": {
                              "const": 401
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Unauthorized",
                      "status": 401,
                      "code": "invalid_credentials",
                      "detail": "Unknown user or wrong password (the same body, about the same time)."
                    }
                  }
                }
              },
              "Unauthorized": {
                "description": "Unauthorized, problem+json. `code`:\n\n- `token_missing`: no `Authorization` header, another scheme, a bare token, or a bare `Bearer`\n- `token_invalid`: malformed, bad signature, another `alg` than configured, wrong `iss`/`aud`, `nbf` in the future, no `exp`, missing or unknown `typ`, or the user no longer exists\n- `token_expired`: `exp` passed (beyond the `JWT_LEEWAY`)\n- `token_revoked`: revoked by logout, logout-all, session deletion, password change/reset or refresh rotation\n- `token_wrong_type`: a refresh token where an access token is needed, or the reverse",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  },
                  "WWW-Authenticate": {
                    "$ref": "#/components/headers/WWW-Authenticate"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "token_missing",
                                "token_invalid",
                                "token_expired",
                                "token_revoked",
                                "token_wrong_type"
                              ]
                            },
                            "status": {
                              "const": 401
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Unauthorized",
                      "status": 401,
                      "code": "token_missing",
                      "detail": "No Authorization header, another scheme, a bare token, or a bare Bearer."
                    }
                  }
                }
              },
              "AccountDisabled": {
                "description": "Forbidden, problem+json. `code`:\n\n- `account_disabled`: the account is disabled (`active: false`)",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "account_disabled"
                              ]
                            },
                            "status": {
                              "const": 403
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Forbidden",
                      "status": 403,
                      "code": "account_disabled",
                      "detail": "The account is disabled (active: false)."
                    }
                  }
                }
              },
              "Forbidden": {
                "description": "Forbidden, problem+json. `code`:\n\n- `account_disabled`: the account is disabled (`active: false`)\n- `forbidden`: authenticated but not allowed",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "account_disabled",
                                "forbidden"
                              ]
                            },
                            "status": {
                              "const": 403
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Forbidden",
                      "status": 403,
                      "code": "account_disabled",
                      "detail": "The account is disabled (active: false)."
                    }
                  }
                }
              },
              "PasswordChangeForbidden": {
                "description": "Forbidden, problem+json. `code`:\n\n- `account_disabled`: the account is disabled (`active: false`)\n- `current_password_incorrect`: `current_password` is wrong",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "account_disabled",
                                "current_password_incorrect"
                              ]
                            },
                            "status": {
                              "const": 403
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Forbidden",
                      "status": 403,
                      "code": "account_disabled",
                      "detail": "The account is disabled (active: false)."
                    }
                  }
                }
              },
              "RegistrationForbidden": {
                "description": "Forbidden, problem+json. `code`:\n\n- `registration_closed`: the server runs with `REGISTRATION_OPEN=false`\n- `admin_key_invalid`: `admin_key` sent when none is configured, or a wrong key",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "registration_closed",
                                "admin_key_invalid"
                              ]
                            },
                            "status": {
                              "const": 403
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Forbidden",
                      "status": 403,
                      "code": "registration_closed",
                      "detail": "The server runs with REGISTRATION_OPEN=false."
                    }
                  }
                }
              },
              "NotFound": {
                "description": "Not Found, problem+json. `code`:\n\n- `not_found`: no such path (a non-numeric or out-of-range id is an unknown path)",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "not_found"
                              ]
                            },
                            "status": {
                              "const": 404
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Not Found",
                      "status": 404,
                      "code": "not_found",
                      "detail": "No such path (a non-numeric or out-of-range id is an unknown path)."
                    }
                  }
                }
              },
              "SessionNotFound": {
                "description": "Not Found, problem+json. `code`:\n\n- `session_not_found`: no live session of the caller has this id (another user's, unknown, revoked or expired)",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "session_not_found"
                              ]
                            },
                            "status": {
                              "const": 404
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Not Found",
                      "status": 404,
                      "code": "session_not_found",
                      "detail": "No live session of the caller has this id (another user's, unknown, revoked or expired)."
                    }
                  }
                }
              },
              "UserNotFound": {
                "description": "Not Found, problem+json. `code`:\n\n- `user_not_found`: no user has this id (answered to admins only)\n- `not_found`: no such path (a non-numeric or out-of-range id is an unknown path)",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "user_not_found",
                                "not_found"
                              ]
                            },
                            "status": {
                              "const": 404
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Not Found",
                      "status": 404,
                      "code": "user_not_found",
                      "detail": "No user has this id (answered to admins only)."
                    }
                  }
                }
              },
              "MethodNotAllowed": {
                "description": "Method Not Allowed, problem+json. `code`:\n\n- `method_not_allowed`: the path exists but not with this method; `Allow` lists the ones it has",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  },
                  "Allow": {
                    "$ref": "#/components/headers/Allow"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "method_not_allowed"
                              ]
                            },
                            "status": {
                              "const": 405
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Method Not Allowed",
                      "status": 405,
                      "code": "method_not_allowed",
                      "detail": "The path exists but not with this method; Allow lists the ones it has."
                    }
                  }
                }
              },
              "AccountConflict": {
                "description": "Conflict, problem+json. `code`:\n\n- `username_taken`: the username is taken (case-insensitively)\n- `email_taken`: the email address is registered (case-insensitively)",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "username_taken",
                                "email_taken"
                              ]
                            },
                            "status": {
                              "const": 409
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Conflict",
                      "status": 409,
                      "code": "username_taken",
                      "detail": "The username is taken (case-insensitively)."
                    }
                  }
                }
              },
              "LastAdmin": {
                "description": "Conflict, problem+json. `code`:\n\n- `last_admin`: the last active admin can't be demoted, disabled or deleted",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "last_admin"
                              ]
                            },
                            "status": {
                              "const": 409
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Conflict",
                      "status": 409,
                      "code": "last_admin",
                      "detail": "The last active admin can't be demoted, disabled or deleted."
                    }
                  }
                }
              },
              "UpdateConflict": {
                "description": "Conflict, problem+json. `code`:\n\n- `username_taken`: the username is taken (case-insensitively)\n- `email_taken`: the email address is registered (case-insensitively)\n- `last_admin`: the last active admin can't be demoted, disabled or deleted",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "username_taken",
                                "email_taken",
                                "last_admin"
                              ]
                            },
                            "status": {
                              "const": 409
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Conflict",
                      "status": 409,
                      "code": "username_taken",
                      "detail": "The username is taken (case-insensitively)."
                    }
                  }
                }
              },
              "PayloadTooLarge": {
                "description": "Content Too Large, problem+json. `code`:\n\n- `payload_too_large`: the body is larger than 65536 bytes (exactly 65536 is accepted, 65537 is refused); nginx answers it itself (also problem+json with `X-Request-ID`) and the backend enforces the same limit\n\nAny request body over the limit is refused, also on endpoints that take none.",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "payload_too_large"
                              ]
                            },
                            "status": {
                              "const": 413
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Content Too Large",
                      "status": 413,
                      "code": "payload_too_large",
                      "detail": "The body is larger than 65536 bytes (exactly 65536 is accepted, 65537 is refused); nginx answers it itself (also problem+json with X-Request-ID) and the backend enforces the same limit."
                    }
                  }
                }
              },
              "UnsupportedMediaType": {
                "description": "Unsupported Media Type, problem+json. `code`:\n\n- `unsupported_media_type`: a body without `Content-Type: application/json` (any letter case, parameters such as `; charset=utf-8` allowed)",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "unsupported_media_type"
                              ]
                            },
                            "status": {
                              "const": 415
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Unsupported Media Type",
                      "status": 415,
                      "code": "unsupported_media_type",
                      "detail": "A body without Content-Type: application/json (any letter case, parameters such as ; charset=utf-8 allowed)."
                    }
                  }
                }
              },
              "ValidationFailed": {
                "description": "Unprocessable Content, problem+json. `code`:\n\n- `validation_failed`: field or query validation: see `errors[]`",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "validation_failed"
                              ]
                            },
                            "status": {
                              "const": 422
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Unprocessable Content",
                      "status": 422,
                      "code": "validation_failed",
                      "detail": "Field or query validation: see errors[].",
                      "errors": [
                        {
                          "field": "email",
                          "code": "invalid_format",
                          "message": "Enter an email address like name@example.com."
                        }
                      ]
                    }
                  }
                }
              },
              "AccountLocked": {
                "description": "Locked, problem+json. `code`:\n\n- `account_locked`: too many failed logins; retry after `Retry-After` seconds",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  },
                  "Retry-After": {
                    "$ref": "#/components/headers/Retry-After"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "account_locked"
                              ]
                            },
                            "status": {
                              "const": 423
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Locked",
                      "status": 423,
                      "code": "account_locked",
                      "detail": "Too many failed logins; retry after Retry-After seconds."
                    }
                  }
                }
              },
              "RateLimited": {
                "description": "Too Many Requests, problem+json. `code`:\n\n- `rate_limited`: nginx's rate limit for this endpoint; retry after `Retry-After` seconds",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  },
                  "Retry-After": {
                    "$ref": "#/components/headers/Retry-After"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "rate_limited"
                              ]
                            },
                            "status": {
                              "const": 429
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Too Many Requests",
                      "status": 429,
                      "code": "rate_limited",
                      "detail": "Nginx's rate limit for this endpoint; retry after Retry-After seconds."
                    }
                  }
                }
              },
              "InternalError": {
                "description": "Internal Server Error, problem+json. `code`:\n\n- `internal_error`: an unexpected failure; details go to the log with the request id, never into the body",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "internal_error"
                              ]
                            },
                            "status": {
                              "const": 500
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Internal Server Error",
                      "status": 500,
                      "code": "internal_error",
                      "detail": "An unexpected failure; details go to the log with the request id, never into the body."
                    }
                  }
                }
              },
              "BackendUnavailable": {
                "description": "Service Unavailable, problem+json. `code`:\n\n- `backend_unavailable`: nginx can't reach the backend (down, refusing, or not answering in time)",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "backend_unavailable"
                              ]
                            },
                            "status": {
                              "const": 503
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Service Unavailable",
                      "status": 503,
                      "code": "backend_unavailable",
                      "detail": "Nginx can't reach the backend (down, refusing, or not answering in time)."
                    }
                  }
                }
              },
              "ServiceUnavailable": {
                "description": "Service Unavailable, problem+json. `code`:\n\n- `database_unavailable`: the database can't be reached\n- `backend_unavailable`: nginx can't reach the backend (down, refusing, or not answering in time)",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Cache-Control": {
                    "$ref": "#/components/headers/Cache-Control"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "code": {
                              "type": "string",
                              "enum": [
                                "database_unavailable",
                                "backend_unavailable"
                              ]
                            },
                            "status": {
                              "const": 503
                            }
                          }
                        }
                      ]
                    },
                    "example": {
                      "type": "about:blank",
                      "title": "Service Unavailable",
                      "status": 503,
                      "code": "database_unavailable",
                      "detail": "The database can't be reached."
                    }
                  }
                }
              }
            },
            "securitySchemes": {
              "accessToken": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "The `access_token` of a token pair (`typ` `access`)."
              },
              "refreshToken": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "The `refresh_token` of a token pair (`typ` `refresh`); only for `POST /api/auth/refresh`."
              }
            }
          }
        }
        """#
}
