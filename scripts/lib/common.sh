# shellcheck shell=bash
# Shared helpers for scripts/serve-local and scripts/check-nginx-configs.
# Sourced, not executed. Bash only.

# The repository root (this file lives in scripts/lib/).
AUTH_FCGI_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
AUTH_FCGI_CONF_DIR=$AUTH_FCGI_REPO/conf/nginx

# Prefix for messages; scripts set it to their own name.
: "${SCRIPT_NAME:=$(basename "$0")}"

log() { printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() {
    log "$*"
    exit "${DIE_STATUS:-2}"
}

# dotenv_get FILE KEY: prints KEY's value from a .env file and returns 0, or returns 1
# when the file or the key is absent. Lines are KEY=VALUE with optional `export `,
# `#` comment lines, values optionally in single or double quotes (taken literally:
# no escapes, no ${...} expansion); an unquoted value ends at " #". The last
# definition wins. The file is never sourced.
dotenv_get() {
    local file=$1 key=$2 line value found=1
    local re_line='^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*=[[:space:]]*(.*)$'
    local re_dq='^"(.*)"[[:space:]]*(#.*)?$'
    local re_sq="^'(.*)'[[:space:]]*(#.*)?\$"
    [[ -f $file && -r $file ]] || return 1
    while IFS= read -r line || [[ -n $line ]]; do
        line=${line%$'\r'}
        [[ $line =~ $re_line ]] || continue
        [[ ${BASH_REMATCH[2]} == "$key" ]] || continue
        value=${BASH_REMATCH[3]}
        if [[ $value =~ $re_dq ]] || [[ $value =~ $re_sq ]]; then
            value=${BASH_REMATCH[1]}
        else
            value=${value%%[[:space:]]#*}
            value=${value%"${value##*[![:space:]]}"}
        fi
        found=0
    done <"$file"
    ((found == 0)) || return 1
    printf '%s' "$value"
}

# find_nginx: prints the nginx binary (PATH, then /usr/sbin: a non-root PATH often
# lacks /usr/sbin).
find_nginx() {
    local candidate
    for candidate in "$(command -v nginx 2>/dev/null || true)" /usr/sbin/nginx /usr/local/sbin/nginx \
        /usr/local/nginx/sbin/nginx; do
        if [[ -n $candidate && -x $candidate ]]; then
            printf '%s' "$candidate"
            return 0
        fi
    done
    return 1
}

# check_port VALUE: a TCP port 1..65535; prints it in plain decimal.
check_port() {
    local value=$1
    if [[ ! $value =~ ^[0-9]{1,5}$ ]] || ((10#$value < 1 || 10#$value > 65535)); then
        die "HTTP_PORT must be a port number from 1 to 65535, got '$value'"
    fi
    printf '%d' "$((10#$value))"
}

# The rate-limited routes, one row each: the zone (auth_fcgi_<zone> in rate-limits.conf
# and api-locations.conf), the setting, its default rate, and the location's URI. A new
# rate-limited route is one row here plus its zone and location in the shipped files; a
# zone that brakes two routes has a row for each.
# shellcheck disable=SC2034 # used by scripts/serve-local
AUTH_FCGI_RATE_LIMITS=(
    "login RATE_LIMIT_LOGIN 10r/s /api/auth/login"
    "login RATE_LIMIT_LOGIN 10r/s /api/auth/login/mfa"
    "forgot RATE_LIMIT_FORGOT 5r/m /api/auth/password/forgot"
    "register RATE_LIMIT_REGISTER 5r/m /api/auth/register"
    "resend RATE_LIMIT_RESEND 5r/m /api/auth/email/resend"
)

# check_rate NAME VALUE: nginx limit_req_zone rate syntax, Nr/s or Nr/m with N >= 1,
# optionally followed by ` burst=N` with N >= 1 (else the burst api-locations.conf ships),
# or off (no limit).
check_rate() {
    local name=$1 value=$2
    local re_rate='0*[1-9][0-9]{0,8}r/[sm]'
    if [[ $value =~ ^${re_rate}[[:space:]]+burst=(.*)$ ]]; then
        [[ ${BASH_REMATCH[1]} =~ ^0*[1-9][0-9]{0,8}$ ]] ||
            die "$name: burst must be a positive whole number, like '10r/s burst=20', got '$value'"
    elif [[ ! $value =~ ^(off|${re_rate})$ ]]; then
        die "$name must be an nginx rate like 10r/s or 5r/m, optionally followed by ' burst=N', or off, got '$value'"
    fi
}

# retry_after RATE: seconds between two requests at RATE, rounded up (Retry-After).
retry_after() {
    local n=${1%%r/*} unit=${1##*/}
    n=$((10#$n))
    if [[ $unit == s ]]; then
        printf '1'
    else
        printf '%d' "$(((60 + n - 1) / n))"
    fi
}

# check_path NAME PATH: a path nginx can hold in a quoted string.
check_path() {
    local name=$1 path=$2
    if [[ $path == *[\"\\\$]* || $path == *[[:cntrl:]]* ]]; then
        die "$name contains a character nginx's config can't hold (\" \\ \$ or a control character): $path"
    fi
}

# render_cors_origins ORIGINS: prints the map lines for a comma-separated origin list.
# Only http(s)://host[:port] origins (contract §5 Security (v2)): `null` is the origin of
# every sandboxed iframe and file:// page, so listing it would let any site in.
render_cors_origins() {
    local list=$1 origin port
    local re_origin='^https?://([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(:([0-9]{1,5}))?$'
    local -a origins
    IFS=',' read -r -a origins <<<"$list"
    printf '# Rendered by scripts/serve-local from CORS_ORIGINS; do not edit.\n'
    for origin in "${origins[@]}"; do
        origin=${origin#"${origin%%[![:space:]]*}"}
        origin=${origin%"${origin##*[![:space:]]}"}
        origin=${origin%/}
        [[ -n $origin ]] || continue
        if [[ $origin == *'*'* ]]; then
            die "CORS_ORIGINS: wildcards are not supported, list each origin: '$origin'"
        fi
        if [[ $origin =~ $re_origin ]]; then
            port=${BASH_REMATCH[4]:-443}
        else
            port=0
        fi
        if ((10#$port < 1 || 10#$port > 65535)); then
            die "CORS_ORIGINS: '$origin' is not an origin like https://app.example.com (http(s)://host[:port])"
        fi
        printf '"%s" 1;\n' "$origin"
    done
}

# swagger_ui_dir: prints the directory of Swagger UI's dist files for the docs page:
# SWAGGER_UI_DIR when set, else the installed PyPI package swagger-ui-bundle-v2 (module
# swagger_ui_bundle) of python3, else the production path /usr/share/auth-fcgi/swagger-ui.
# Returns 1 when none holds swagger-ui-bundle.js.
swagger_ui_dir() {
    local dir
    for dir in "${SWAGGER_UI_DIR:-}" \
        "$(python3 -c 'import swagger_ui_bundle; print(swagger_ui_bundle.swagger_ui_path)' 2>/dev/null || true)" \
        /usr/share/auth-fcgi/swagger-ui; do
        if [[ -n $dir && -f $dir/swagger-ui-bundle.js ]]; then
            printf '%s' "${dir%/}"
            return 0
        fi
    done
    return 1
}

# render_checked SOURCE TARGET WHAT N EDIT... EXPECT...: TARGET is SOURCE through
# `sed -E` with the N arguments EDIT..., after checking that each EXPECT (an extended
# regular expression) matches a line of the result: a shipped file whose line changed
# shape fails here instead of keeping its shipped value silently.
render_checked() {
    local source=$1 target=$2 what=$3 n=$4 expect
    shift 4
    # `-e ''`: with no EDIT, sed would take SOURCE for its script.
    sed -E -e '' "${@:1:n}" -- "$source" >"$target.new"
    for expect in "${@:n+1}"; do
        grep -Eq -- "$expect" "$target.new" ||
            die "can't render $what: $source has no line matching /$expect/"
    done
    mv -f "$target.new" "$target"
}

# check_nginx_settings: validates NGINX_FASTCGI_KEEP_CONN (on or off) and
# NGINX_ACCESS_LOG_BUFFER (an nginx size such as 64k, or off), setting the unset ones to
# their defaults (on, 64k).
check_nginx_settings() {
    NGINX_FASTCGI_KEEP_CONN=${NGINX_FASTCGI_KEEP_CONN:-on}
    NGINX_ACCESS_LOG_BUFFER=${NGINX_ACCESS_LOG_BUFFER:-64k}
    [[ $NGINX_FASTCGI_KEEP_CONN =~ ^(on|off)$ ]] ||
        die "NGINX_FASTCGI_KEEP_CONN must be on or off, got '$NGINX_FASTCGI_KEEP_CONN'"
    [[ $NGINX_ACCESS_LOG_BUFFER =~ ^(off|0*[1-9][0-9]{0,6}[kKmM]?)$ ]] ||
        die "NGINX_ACCESS_LOG_BUFFER must be a size like 64k or 1m, or off, got '$NGINX_ACCESS_LOG_BUFFER'"
}

# render_local_nginx: renders $RUN_DIR/nginx/ for the local nginx from
# conf/nginx/local/nginx.conf.template and the shipped snippets.
# Uses RUN_DIR HTTP_PORT CORS_ORIGINS AUTH_FCGI_SOCKET, the RATE_LIMIT_* settings of
# AUTH_FCGI_RATE_LIMITS, NGINX_FASTCGI_KEEP_CONN and NGINX_ACCESS_LOG_BUFFER (all
# validated by the caller: check_rate, check_nginx_settings; an unset RATE_LIMIT_* is its
# default), and SWAGGER_UI_DIR when set (see swagger_ui_dir).
render_local_nginx() {
    local nd=$RUN_DIR/nginx
    local shipped=$AUTH_FCGI_CONF_DIR/auth-fcgi
    local template=$AUTH_FCGI_CONF_DIR/local/nginx.conf.template
    local text user_directive=''
    local entry zone setting default rate burst uri key retry
    local -a edits=() expects=() burst_edits=() burst_expects=()
    # Connection reuse, as shipped (`fastcgi_keep_conn on;` in api-locations.conf and
    # protect-fastcgi.conf, `keepalive N;` in upstream.conf), or with
    # NGINX_FASTCGI_KEEP_CONN=off one connection per request: each line turned off and
    # the upstream's keepalive dropped.
    local re_keepalive='^[[:space:]]*keepalive[[:space:]]+[0-9]+;'
    local -a keep_conn_edits=() keep_conn_expects=('^[[:space:]]*fastcgi_keep_conn[[:space:]]+on;')
    if [[ $NGINX_FASTCGI_KEEP_CONN == off ]]; then
        keep_conn_edits=(-e 's#^([[:space:]]*fastcgi_keep_conn[[:space:]]+)on;#\1off;#')
        keep_conn_expects=('^[[:space:]]*fastcgi_keep_conn[[:space:]]+off;')
    fi

    check_path RUN_DIR "$RUN_DIR"
    check_path "the repository path" "$AUTH_FCGI_REPO"
    mkdir -p "$nd/auth-fcgi" "$nd/tmp" "$RUN_DIR/run" "$RUN_DIR/log"

    # Site-specific file 1: the CORS allowlist.
    render_cors_origins "$CORS_ORIGINS" >"$nd/auth-fcgi/cors-origins.conf.new"
    mv -f "$nd/auth-fcgi/cors-origins.conf.new" "$nd/auth-fcgi/cors-origins.conf"

    # Site-specific files 2 and 3: the shipped rate-limits.conf with the rates and the
    # matching Retry-After values replaced, and the shipped api-locations.conf with the
    # bursts a RATE_LIMIT_* names (the shipped burst otherwise). `off` keys the zone on an
    # empty string: nginx accounts no request with an empty key (a high rate would not do:
    # a burst of simultaneous requests still counts one by one against `burst`).
    for entry in "${AUTH_FCGI_RATE_LIMITS[@]}"; do
        read -r zone setting default uri <<<"$entry"
        read -r rate burst <<<"${!setting:-$default}"
        burst=${burst#burst=}
        # shellcheck disable=SC2016 # nginx's variable, not the shell's
        key='$binary_remote_addr'
        [[ $rate != off ]] || { key='""' && rate=1r/s; }
        retry=$(retry_after "$rate")
        edits+=(-e "s#^limit_req_zone [^ ]+ (zone=auth_fcgi_${zone}:[^ ]+ rate=)[^;]+;#limit_req_zone ${key} \\1${rate};#"
            -e "s#^([[:space:]]*${uri}[[:space:]]+)[0-9]+;#\\1${retry};#")
        expects+=("^limit_req_zone [^ ]+ zone=auth_fcgi_${zone}:[^ ]+ rate=${rate};"
            "^[[:space:]]*${uri}[[:space:]]+${retry};")
        if [[ -n $burst ]]; then
            burst=$((10#$burst))
            burst_edits+=(-e "s#^([[:space:]]*limit_req zone=auth_fcgi_${zone} burst=)[0-9]+ #\\1${burst} #")
        fi
        burst_expects+=("^[[:space:]]*limit_req zone=auth_fcgi_${zone} burst=${burst:-[0-9]+} nodelay;")
    done
    render_checked "$shipped/rate-limits.conf" "$nd/auth-fcgi/rate-limits.conf" rates \
        "${#edits[@]}" "${edits[@]}" "${expects[@]}"
    burst_edits+=("${keep_conn_edits[@]}")
    burst_expects+=("${keep_conn_expects[@]}")
    render_checked "$shipped/api-locations.conf" "$nd/auth-fcgi/api-locations.conf" bursts \
        "${#burst_edits[@]}" "${burst_edits[@]}" "${burst_expects[@]}"
    render_checked "$shipped/protect-fastcgi.conf" "$nd/auth-fcgi/protect-fastcgi.conf" \
        "the token check's connection reuse" "${#keep_conn_edits[@]}" "${keep_conn_edits[@]}" \
        "${keep_conn_expects[@]}"

    # Site-specific file 4: the shipped upstream.conf pointed at our socket (without its
    # keepalive when NGINX_FASTCGI_KEEP_CONN=off).
    text=$(<"$shipped/upstream.conf")
    [[ $text == *'server unix:/run/auth-fcgi/auth-fcgi.sock;'* ]] ||
        die "can't render the upstream: $shipped/upstream.conf lost its 'server unix:...;' line"
    grep -Eq -- "$re_keepalive" <<<"$text" ||
        die "can't render the upstream: $shipped/upstream.conf lost its 'keepalive N;' line"
    if [[ $NGINX_FASTCGI_KEEP_CONN == off ]]; then
        text=$(sed -E -e "/$re_keepalive/d" <<<"$text")
    fi
    printf '%s\n' "${text//'server unix:/run/auth-fcgi/auth-fcgi.sock;'/"server \"unix:$AUTH_FCGI_SOCKET\";"}" \
        >"$nd/auth-fcgi/upstream.conf"

    # Site-specific file 5: the shipped docs-locations.conf with its two install paths
    # replaced by the repository's conf/docs/ and the installed Swagger UI.
    local docs_dir=$AUTH_FCGI_REPO/conf/docs swagger_dir
    if ! swagger_dir=$(swagger_ui_dir); then
        log "Swagger UI not found (python3 module swagger_ui_bundle, SWAGGER_UI_DIR):" \
            "/api/docs/ will lack its assets; install them with 'scripts/install-deps run'"
        swagger_dir=/usr/share/auth-fcgi/swagger-ui
    fi
    check_path "the Swagger UI directory" "$swagger_dir"
    text=$(<"$shipped/docs-locations.conf")
    [[ $text == *'alias "/usr/share/auth-fcgi/docs/";'* && $text == *'"/usr/share/auth-fcgi/swagger-ui/'* ]] ||
        die "can't render the docs page: $shipped/docs-locations.conf lost its alias paths"
    text=${text//'"/usr/share/auth-fcgi/docs/'/"\"$docs_dir/"}
    text=${text//'"/usr/share/auth-fcgi/swagger-ui/'/"\"$swagger_dir/"}
    printf '%s\n' "$text" >"$nd/auth-fcgi/docs-locations.conf"

    # Site-specific file 6: the shipped web-locations.conf with its install path replaced
    # by the repository's web/ (the reset, verify and forgot pages, the admin console), and
    # the access log of the token pages by the run's access log.
    local web_dir=$AUTH_FCGI_REPO/web
    text=$(<"$shipped/web-locations.conf")
    [[ $text == *'"/usr/share/auth-fcgi/web"'* && $text == *'alias "/usr/share/auth-fcgi/web/";'* &&
        $text == *'access_log /var/log/nginx/auth-fcgi.access.log '* ]] ||
        die "can't render the web pages: $shipped/web-locations.conf lost its install paths or access_log"
    text=${text//'"/usr/share/auth-fcgi/web"'/"\"$web_dir\""}
    text=${text//'"/usr/share/auth-fcgi/web/"'/"\"$web_dir/\""}
    text=${text//'access_log /var/log/nginx/auth-fcgi.access.log '/"access_log \"$RUN_DIR/log/nginx-access.log\" "}
    printf '%s\n' "$text" >"$nd/auth-fcgi/web-locations.conf"

    # Extra server-block directives: a copy of the file SERVE_LOCAL_SERVER_CONF names, else
    # empty (the template always includes it).
    if [[ -n ${SERVE_LOCAL_SERVER_CONF:-} ]]; then
        cp -- "$SERVE_LOCAL_SERVER_CONF" "$nd/server-extra.conf.new" ||
            die "can't read SERVE_LOCAL_SERVER_CONF $SERVE_LOCAL_SERVER_CONF"
    else
        printf '# Rendered by scripts/serve-local: SERVE_LOCAL_SERVER_CONF is unset.\n' >"$nd/server-extra.conf.new"
    fi
    mv -f "$nd/server-extra.conf.new" "$nd/server-extra.conf"

    # Generic snippets included by relative path from the shipped ones.
    ln -sfn "$shipped/fastcgi-params.conf" "$nd/auth-fcgi/fastcgi-params.conf"
    ln -sfn "$shipped/cors-headers.conf" "$nd/auth-fcgi/cors-headers.conf"
    ln -sfn "$shipped/protect.conf" "$nd/auth-fcgi/protect.conf"
    ln -sfn "$shipped/protect-identity.conf" "$nd/auth-fcgi/protect-identity.conf"
    ln -sfn "$shipped/metrics-allow.conf" "$nd/auth-fcgi/metrics-allow.conf"

    # As root, nginx switches its workers to `nobody` unless told otherwise, and nobody
    # can't reach a socket in a private (0700) run directory.
    if [[ $(id -u) == 0 ]]; then
        user_directive='user root;'
    fi

    text=$(<"$template")
    text=${text//@USER_DIRECTIVE@/"$user_directive"}
    text=${text//@RUN_DIR@/"$RUN_DIR"}
    text=${text//@CONF_DIR@/"$AUTH_FCGI_CONF_DIR"}
    text=${text//@WEB_DIR@/"$web_dir"}
    text=${text//@HTTP_PORT@/"$HTTP_PORT"}
    if [[ $NGINX_ACCESS_LOG_BUFFER == off ]]; then
        text=${text//@ACCESS_LOG_BUFFER@/}
    else
        text=${text//@ACCESS_LOG_BUFFER@/" buffer=$NGINX_ACCESS_LOG_BUFFER flush=1s"}
    fi
    if [[ $text =~ @[A-Z_]+@ ]]; then
        die "unrendered placeholder ${BASH_REMATCH[0]} in $template"
    fi
    printf '%s\n' "$text" >"$nd/nginx.conf.new"
    mv -f "$nd/nginx.conf.new" "$nd/nginx.conf"
}
