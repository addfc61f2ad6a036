#!/bin/sh
# lubdub-run: runs a job and reports it to Lubdub (start, exit status, output tail).
# Plain POSIX sh: runs unchanged under dash, BusyBox ash and bash; needs curl or wget.
#
#   lubdub-run <ping-url> [--metric name=value]... [--no-count] [--artifact <path>] -- <command> [args...]
#   LUBDUB_URL=<ping-url> lubdub-run -- <command> [args...]
#   lubdub-run --flush                      deliver pings spooled while Lubdub was unreachable
#   lubdub-run --discover [--apply] [--grace <s>] <ping-key-url>
#
# Served by Lubdub at GET /wrap.sh on its ping port. See the README, "Wrapping a job".

LUBDUB_RUN_VERSION=1

_me=lubdub-run
# Per request; a job is never held up by more than 3 tries of this plus 3 s of backoff.
_to=${LUBDUB_TIMEOUT:-10}
case $_to in '' | *[!0-9]* | 0) _to=10 ;; esac
_limit_default=100000
# The spool stays small on a NAS: the oldest entries go first beyond either bound.
_spool_max_entries=1000
_spool_max_bytes=10485760

_warn() { printf '%s: %s\n' "$_me" "$*" >&2; }

_usage() {
  cat <<'EOF'
usage: lubdub-run <ping-url> [--metric name=value]... [--no-count] [--artifact <path>] -- <command> [args...]
       LUBDUB_URL=<ping-url> lubdub-run -- <command> [args...]
       lubdub-run --flush
       lubdub-run --discover [--apply] [--grace <seconds>] <ping-key-url>

Runs the command, passes its output through, sends /start and /<exit status> with the
last bytes of its output to Lubdub, and exits with the command's own status. The end
ping carries metrics: output_bytes, lines, warnings and errors (lines containing warn /
error) of the output (--no-count: none, for jobs that stream data through stdout), each
--metric, and each "name=value" line the job writes to the file named by $LUBDUB_METRICS.
--artifact adds artifact_bytes, artifact_age_seconds and artifact_changed (0/1 against
the previous run) of the file the job writes.
Pings that cannot be delivered are spooled and sent later with their original time.
--discover sends this machine's crontabs and systemd timers to Lubdub at <ping-key-url>
(http://<lubdub-host>:8420/ping/<ping-key>) and prints a suggested check per job; with
--apply Lubdub creates the checks and answers the wrapped crontab lines.
EOF
}

# ---- temp dir and cleanup ------------------------------------------------------------

_tmp=
_lock_held=
_cleanup() {
  [ -n "$_lock_held" ] && rm -rf "$_lock_held"
  [ -n "$_tmp" ] && rm -rf "$_tmp"
}
trap _cleanup EXIT

_mktemp() {
  _tmp=$(umask 077 && mktemp -d "${TMPDIR:-/tmp}/lubdub-run.XXXXXX" 2>/dev/null) && [ -d "$_tmp" ] && return 0
  _tmp=${TMPDIR:-/tmp}/lubdub-run.$$.$(date +%s)
  (umask 077 && mkdir "$_tmp") 2>/dev/null && return 0
  _tmp=
  return 1
}

# ---- small helpers -------------------------------------------------------------------

# Current unix time, with milliseconds where date knows %N (BusyBox date does not).
_now() {
  _t=$(date +%s.%N 2>/dev/null)
  case $_t in
    [0-9]*.[0-9][0-9][0-9]*) _t=${_t%"${_t#*.???}"} ;;
    *) _t=$(date +%s) ;;
  esac
  printf '%s' "$_t"
}

# A random UUID without uuidgen: the kernel's, else 16 bytes of /dev/urandom.
_uuid() {
  if [ -r /proc/sys/kernel/random/uuid ]; then
    cat /proc/sys/kernel/random/uuid && return 0
  fi
  if command -v uuidgen >/dev/null 2>&1; then
    uuidgen | tr 'A-F' 'a-f' && return 0
  fi
  _h=$(od -An -N16 -tx1 /dev/urandom 2>/dev/null | tr -d ' \n')
  [ ${#_h} -eq 32 ] || _h=$(printf '%08x%08x%016d' "$$" "$(date +%s)" 0)
  printf '%s\n' "$_h" | sed 's/^\(.\{8\}\)\(.\{4\}\).\(.\{3\}\).\(.\{3\}\)\(.\{12\}\)$/\1-\2-4\3-a\4-\5/'
}

# Percent-encodes $1 for a query string (bytes, whatever the locale).
_urlenc() {
  printf '%s' "$1" | od -An -v -tx1 | tr -s ' ' '\n' | while read -r _b; do
    case $_b in
      '') ;;
      3[0-9] | 4[1-9a-f] | 5[0-9a] | 6[1-9a-f] | 7[0-9a] | 2d | 2e | 5f | 7e)
        # shellcheck disable=SC2059
        printf "\\$(printf '%o' "0x$_b")" ;;
      *) printf '%%%s' "$_b" ;;
    esac
  done
}

# Adds "suffix" to the path of URL $1 and "query" to its query: _url URL SUFFIX QUERY.
_url() {
  _u=${1%%\?*}
  _q=${1#"$_u"}
  _q=${_q#\?}
  _u=${_u%/}$2
  if [ -n "$_q" ] && [ -n "$3" ]; then printf '%s?%s&%s' "$_u" "$_q" "$3"
  elif [ -n "$_q$3" ]; then printf '%s?%s' "$_u" "$_q$3"
  else printf '%s' "$_u"; fi
}

# ---- HTTP: curl if present, else wget (BusyBox or GNU) -------------------------------

_client=
_pick_client() {
  [ -n "$_client" ] && return 0
  if command -v curl >/dev/null 2>&1; then _client=curl
  elif command -v wget >/dev/null 2>&1; then
    if wget --help 2>&1 | grep -qi busybox; then _client=bbwget; else _client=wget; fi
  else _client=none; fi
}

# Kills pid $1 after $2 seconds unless cancelled: BusyBox wget often has no -T (Debian's
# build even crashes on it), and GNU wget's -T is per read, not for the whole request.
# A separate sh, not a subshell (bash would run this script's EXIT trap in one), and
# cancelled with KILL, which no half-started shell can catch and lose.
_watchdog() {
  sh -c 'sleep "$1"; kill -TERM "$2" 2>/dev/null' _ "$2" "$1" >/dev/null 2>&1 </dev/null &
  _wd=$!
}

# One POST of file $2 (or nothing) to URL $1. Sets _code (HTTP status, 000 when no
# reply) and leaves the reply headers in $_tmp/h.
_http() {
  _pick_client
  : >"$_tmp/h"
  : >"$_tmp/r"
  _code=000
  _body=${2:-/dev/null}
  case $_client in
    curl)
      _code=$(curl -sS -m "$_to" -o "$_tmp/r" -D "$_tmp/h" -w '%{http_code}' \
        -A "lubdub-run/$LUBDUB_RUN_VERSION (curl)" -H 'Content-Type: text/plain' \
        --data-binary "@$_body" "$1" 2>"$_tmp/e") || true
      ;;
    bbwget | wget)
      _u=$1
      set -- --post-file "$_body"
      [ "$_client" = wget ] && set -- "$@" -t 1 -T "$_to"
      wget -q -S -O "$_tmp/r" -U "lubdub-run/$LUBDUB_RUN_VERSION ($_client)" \
        --header 'Content-Type: text/plain' "$@" "$_u" 2>"$_tmp/h" </dev/null &
      _wp=$!
      _watchdog "$_wp" "$_to"
      wait "$_wp" 2>/dev/null
      kill -KILL "$_wd" 2>/dev/null
      wait "$_wd" 2>/dev/null
      _code=$(sed -n 's/^ *HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' "$_tmp/h" | tail -n 1)
      cp "$_tmp/h" "$_tmp/e" 2>/dev/null
      ;;
    *) printf 'neither curl nor wget found\n' >"$_tmp/e" ;;
  esac
  case $_code in [0-9][0-9][0-9]) ;; *) _code=000 ;; esac
}

# Delivers one ping with 3 tries and 1 s, 2 s backoff.
# Returns 0 on 2xx, 2 when refused for good (4xx: retrying cannot help), 1 otherwise.
_deliver() {
  _try=1
  while :; do
    _http "$1" "$2"
    case $_code in
      2??) return 0 ;;
      408 | 429) ;;
      4??) return 2 ;;
    esac
    [ "$_try" -ge 3 ] && return 1
    sleep "$_try"
    _try=$((_try + 1))
  done
}

_why() {
  if [ "$_code" = 000 ]; then
    _w=$(grep -v '^ ' "$_tmp/e" 2>/dev/null | head -n 1)
    printf '%s' "${_w:-no reply within $_to s}"
  else
    _w=$(head -n 1 "$_tmp/r" 2>/dev/null | cut -c1-80)
    printf 'HTTP %s%s' "$_code" "${_w:+ $_w}"
  fi
}

# ---- spool -----------------------------------------------------------------------------

# A directory the spool may live in: a real directory (not a symlink), owned by us and
# not writable by group or others. Why: /tmp is shared, and another local user could plant
# a symlink or a directory there to make us delete, write or replay files of their choice.
_safe_dir() {
  [ -d "$1" ] && [ ! -h "$1" ] && [ -O "$1" ] || return 1
  _m=$(ls -ld "$1" 2>/dev/null) || return 1
  case $_m in ?????w* | ????????w*) return 1 ;; esac
  return 0
}

# The spool directory in _spool: $XDG_STATE_HOME/lubdub/spool (or ~/.local/state/...),
# else /tmp/lubdub-spool-$USER. Created (mode 700, never through an existing name) only
# when $1 = create; an existing one is used only when _safe_dir says so.
_spool=
_spool_dir() {
  [ -n "$_spool" ] && return 0
  _base=${XDG_STATE_HOME:-${HOME:+$HOME/.local/state}}
  if [ -n "$_base" ]; then
    [ "$1" = create ] && (umask 077 && mkdir -p "$_base/lubdub" && mkdir -m 700 "$_base/lubdub/spool") 2>/dev/null
    if _safe_dir "$_base/lubdub/spool" && [ -w "$_base/lubdub/spool" ]; then
      _spool=$_base/lubdub/spool
      return 0
    fi
  fi
  _d=/tmp/lubdub-spool-${USER:-$(id -u)}
  [ "$1" = create ] && mkdir -m 700 "$_d" 2>/dev/null
  if _safe_dir "$_d" && [ -w "$_d" ]; then
    _spool=$_d
    return 0
  fi
  if [ -e "$_d" ] || [ -h "$_d" ]; then
    _warn "$_d is a symlink, not ours, or writable by others: not used as the spool"
  fi
  return 1
}

# The spool's entries, oldest first: only names this script writes (see _spool_add), so
# nothing else that is in the directory is ever sent, counted or deleted.
_spool_list() { ls "$_spool" 2>/dev/null | grep '^[0-9]\{12\}-[0-9]\{10\}-[0-9]\{4\}$'; }
_spool_count() { _spool_list | wc -l | tr -d ' '; }
_spool_bytes() {
  _l=$(_spool_list)
  if [ -z "$_l" ]; then echo 0; return; fi
  # the names hold only digits and dashes: safe to split
  # shellcheck disable=SC2086
  (cd "$_spool" && cat -- $_l 2>/dev/null | wc -c | tr -d ' ')
}

# Appends a ping (URL $1 with ?ts= of its original time $3, body file $2) to the spool.
_seq=0
_spool_add() {
  if ! _spool_dir create; then
    _warn "no writable spool directory: ping to $1 lost"
    return 1
  fi
  _size=$(wc -c <"${2:-/dev/null}" | tr -d ' ')
  _size=$((_size + ${#1} + 40))
  # Bounded: each turn removes one entry, and there are never more than the bound.
  _i=0
  while [ "$_i" -le "$_spool_max_entries" ]; do
    _i=$((_i + 1))
    _n=$(_spool_count)
    [ "$_n" -eq 0 ] && break
    if [ "$_n" -lt "$_spool_max_entries" ] && [ $(($(_spool_bytes) + _size)) -le "$_spool_max_bytes" ]; then break; fi
    _old=$(_spool_list | head -n 1)
    _warn "spool full ($_spool_max_entries entries / $_spool_max_bytes bytes): dropped the oldest ping, $(head -n 1 "$_spool/$_old")"
    rm -f "$_spool/$_old" || break
  done
  _seq=$((_seq + 1))
  # Names sort in time order: whole seconds, then pid and sequence within one run.
  _name=$(printf '%012d-%010d-%04d' "${3%%.*}" "$$" "$_seq")
  _u=$(_url "$1" '' "ts=$3")
  if { printf '%s\n' "$_u" && cat "${2:-/dev/null}"; } >"$_spool/.new-$_name" 2>/dev/null &&
    mv -f "$_spool/.new-$_name" "$_spool/$_name"; then
    return 0
  fi
  rm -f "$_spool/.new-$_name"
  _warn "could not write to $_spool: ping to $1 lost"
  return 1
}

# Only one flusher at a time, so no entry is sent twice by overlapping runs.
_lock() {
  if mkdir "$_spool/.lock" 2>/dev/null; then
    echo $$ >"$_spool/.lock/pid"
    _lock_held=$_spool/.lock
    return 0
  fi
  _p=$(cat "$_spool/.lock/pid" 2>/dev/null)
  if [ -n "$_p" ] && ! kill -0 "$_p" 2>/dev/null; then
    rm -rf "$_spool/.lock"
    mkdir "$_spool/.lock" 2>/dev/null || return 1
    echo $$ >"$_spool/.lock/pid"
    _lock_held=$_spool/.lock
    return 0
  fi
  return 1
}

_unlock() {
  [ -n "$_lock_held" ] && rm -rf "$_lock_held"
  _lock_held=
}

# Replays the spool oldest first; an entry is deleted only after a 2xx (or a 4xx, which
# no retry would change). Stops at the first unreachable delivery and sets _offline.
_sent=0
_flush() {
  _spool_dir || return 0
  [ "$(_spool_count)" -eq 0 ] && return 0
  _lock || return 0
  for _f in $(_spool_list); do
    [ -f "$_spool/$_f" ] && [ ! -h "$_spool/$_f" ] || continue
    _u=$(head -n 1 "$_spool/$_f")
    tail -n +2 "$_spool/$_f" >"$_tmp/sb"
    _deliver "$_u" "$_tmp/sb"
    case $? in
      0) rm -f "$_spool/$_f"; _sent=$((_sent + 1)) ;;
      2) _warn "spooled ping refused ($(_why)), dropped: $_u"; rm -f "$_spool/$_f" ;;
      *) _offline=1; _warn "Lubdub unreachable ($(_why)); $(_spool_count) pings stay spooled in $_spool"; break ;;
    esac
  done
  _unlock
}

# Sends a ping now, or spools it with its time $3 (now when empty) when Lubdub cannot
# be reached.
_offline=
_ping() {
  if [ -z "$_offline" ]; then
    _deliver "$1" "$2"
    case $? in
      0) return 0 ;;
      2) _warn "ping refused ($(_why)): $1"; return 1 ;;
    esac
    _offline=1
    _warn "Lubdub unreachable ($(_why)); spooling pings"
  fi
  _spool_add "$1" "$2" "${3:-$(_now)}"
  return 1
}

# ---- run mode ------------------------------------------------------------------------

# Counts one output stream ($1 = 1 stdout, 2 stderr) read from the fifo $_tmp/k$1, each
# count by its own reader of a tee: bytes and newlines (wc), the last byte (tail), lines
# containing warn and error, any case (grep -c: GNU grep skips through a big output ~10x
# faster than sed would). The output itself is never stored. The tee ignores PIPE and is
# silenced: a counter that fails costs its metric, never the job's output.
_counter() {
  (trap '' HUP INT TERM && exec wc -c -l) <"$_tmp/w$1" >"$_tmp/wc$1" 2>/dev/null &
  _cps="$_cps $!"
  (trap '' HUP INT TERM && exec tail -c 1) <"$_tmp/l$1" >"$_tmp/last$1" 2>/dev/null &
  _cps="$_cps $!"
  (trap '' HUP INT TERM && LC_ALL=C && export LC_ALL && exec grep -c -i warn) <"$_tmp/g$1" >"$_tmp/warn$1" 2>/dev/null &
  _cps="$_cps $!"
  (
    trap '' HUP INT TERM PIPE
    LC_ALL=C
    export LC_ALL
    tee "$_tmp/w$1" "$_tmp/l$1" "$_tmp/g$1" <"$_tmp/k$1" 2>/dev/null | grep -c -i error
  ) >"$_tmp/err$1" 2>/dev/null &
  _cps="$_cps $!"
}

# Catches the signals a job gets from its process group: caught, not ignored, so the job
# itself (a subshell, where caught signals go back to their default) can be ended by them.
_sig=
_catch_signals() {
  trap '_sig=HUP' HUP
  trap '_sig=INT' INT
  trap '_sig=TERM' TERM
}

# Runs "$@" with stdout and stderr passed through unchanged while the last $_limit bytes
# of both, interleaved, go to $_tmp/tail, and each stream is counted (_counter). Sets _rc
# (128+n when killed by signal n).
_run_captured() {
  if ! mkfifo "$_tmp/o" "$_tmp/e2" "$_tmp/c" 2>/dev/null; then
    _catch_signals
    (exec "$@")
    _rc=$?
    return
  fi
  # The helpers ignore HUP, INT and TERM: a signal to the process group ends the job,
  # and they still pass on and keep what it wrote.
  _cps=
  if [ -z "$_no_count" ] && mkfifo "$_tmp/k1" "$_tmp/w1" "$_tmp/l1" "$_tmp/g1" "$_tmp/k2" "$_tmp/w2" "$_tmp/l2" "$_tmp/g2" 2>/dev/null; then
    _counter 1
    _counter 2
    _k1=$_tmp/k1
    _k2=$_tmp/k2
  else
    _k1=
    _k2=
  fi
  (trap '' HUP INT TERM && exec tail -c "$_limit") <"$_tmp/c" >"$_tmp/tail" &
  _tp=$!
  # Held open until both tees are done, so tail and the counters cannot see end-of-file
  # early, and always see it once the tees are gone (even a tee that never started).
  exec 9>"$_tmp/c"
  if [ -n "$_k1" ]; then exec 7>"$_k1" 8>"$_k2"; fi
  (trap '' HUP INT TERM && exec tee "$_tmp/c" ${_k1:+"$_k1"}) <"$_tmp/o" 7>&- 8>&- 9>&- &
  _t1=$!
  (trap '' HUP INT TERM && exec tee "$_tmp/c" ${_k2:+"$_k2"}) <"$_tmp/e2" >&2 7>&- 8>&- 9>&- &
  _t2=$!
  _catch_signals
  # exec: the command is always a program, never one of this script's functions or builtins.
  (exec "$@") >"$_tmp/o" 2>"$_tmp/e2" 7>&- 8>&- 9>&-
  _rc=$?
  _waitfor "$_t1"
  _waitfor "$_t2"
  exec 7>&- 8>&- 9>&-
  _waitfor "$_tp"
  for _p in $_cps; do _waitfor "$_p"; done
}

# The built-in metrics of the run, as query parameters, over stdout and stderr together:
# output_bytes, lines (a last line without a newline counts), warnings and errors (lines
# containing warn / error, any case). Empty when the output could not be counted.
_auto_metrics() {
  _nb=0
  _nl=0
  _nw=0
  _ne=0
  for _i in 1 2; do
    [ -s "$_tmp/wc$_i" ] || return 0
    read -r _l1 _b1 _x <"$_tmp/wc$_i"
    case $_l1$_b1 in '' | *[!0-9]*) return 0 ;; esac
    # a stream that does not end with a newline has one more line than newlines
    if [ "$_b1" -gt 0 ] && [ "$(wc -l <"$_tmp/last$_i" | tr -d ' ')" = 0 ]; then _l1=$((_l1 + 1)); fi
    _nl=$((_nl + _l1))
    _nb=$((_nb + _b1))
    # grep -c prints 0 (and exits 1) when nothing matches, in BusyBox as in GNU grep
    read -r _c <"$_tmp/warn$_i"
    case $_c in '' | *[!0-9]*) return 0 ;; esac
    _nw=$((_nw + _c))
    read -r _c <"$_tmp/err$_i"
    case $_c in '' | *[!0-9]*) return 0 ;; esac
    _ne=$((_ne + _c))
  done
  printf '&metric=output_bytes:%s&metric=lines:%s&metric=warnings:%s&metric=errors:%s' "$_nb" "$_nl" "$_nw" "$_ne"
}

# The job's own metrics: lines "name=value" it wrote to the file named by $LUBDUB_METRICS.
# Names and values the receiver would refuse are skipped with a warning, so a typo in a
# job never costs the run's report.
_job_metrics() {
  [ -s "$_tmp/jm" ] || return 0
  _k=0
  while IFS= read -r _l || [ -n "$_l" ]; do
    _l=${_l%"$_cr"}
    case $_l in '' | '#'*) continue ;; esac
    _mn=${_l%%=*}
    _mv=${_l#*=}
    case $_l in
      *=*) ;;
      *) _warn "LUBDUB_METRICS: not name=value, skipped: $_l"; continue ;;
    esac
    case $_mn in
      '' | [0-9]* | *[!A-Za-z0-9_]*) _warn "LUBDUB_METRICS: bad metric name, skipped: $_mn"; continue ;;
    esac
    case $_mv in
      '' | *[!0-9A-Za-z.+-]*) _warn "LUBDUB_METRICS: $_mn: not a number, skipped: $_mv"; continue ;;
    esac
    _k=$((_k + 1))
    # The receiver takes 32 metrics a ping: 4 built in, --metric ones, and these.
    if [ "$_k" -gt 20 ]; then _warn "LUBDUB_METRICS: more than 20 metrics, the rest skipped"; break; fi
    printf '&metric=%s:%s' "$_mn" "$(_urlenc "$_mv")"
  done <"$_tmp/jm"
}

# A 32-bit hash (djb2) of string $1, in decimal: a file name for it, without cksum.
_hash() {
  _hv=5381
  for _b in $(printf '%s' "$1" | od -An -v -tu1); do _hv=$(((_hv * 33 + _b) % 4294967296)); done
  printf '%s' "$_hv"
}

# The fingerprint of file $1: its content checksum (POSIX cksum, else md5sum), else only
# its size and modification time where neither tool exists (a BusyBox without them).
_fingerprint() {
  if command -v cksum >/dev/null 2>&1; then
    cksum <"$1" 2>/dev/null | tr -s ' \t' '  '
  elif command -v md5sum >/dev/null 2>&1; then
    md5sum <"$1" 2>/dev/null | cut -d' ' -f1
  else
    printf 'meta %s %s' "$(wc -c <"$1" | tr -d ' ')" "$2"
  fi
}

# Metrics of the file the job writes ($_artifact), after the job: artifact_bytes,
# artifact_age_seconds (since its last change; left out where neither `date -r` nor
# `stat -c` exists) and artifact_changed (1 when its fingerprint differs from the previous
# run's, and on the first run; 0 when it is missing). The previous fingerprint is kept in
# the spool directory: ours, mode 700 and never reached through a symlink (_safe_dir), so no
# other user can swap the file we read and rewrite; its name is digits only. $1: ping URL.
_artifact_metrics() {
  _af=$_artifact
  _ch=0
  if [ -f "$_af" ] && [ -r "$_af" ]; then
    _ab=$(wc -c <"$_af" | tr -d ' ')
    _mt=$(date -r "$_af" +%s 2>/dev/null) || _mt=$(stat -c %Y "$_af" 2>/dev/null) || _mt=
    case $_mt in '' | *[!0-9]*) _mt= ;; esac
    _fp=$(_fingerprint "$_af" "$_mt")
    _ch=1
  else
    _warn "artifact $_af is not a readable file"
    _ab=0
    _mt=
    _fp=missing
  fi
  _key=$(_hash "$1
$_af")
  if _spool_dir create; then
    _st=$_spool/.artifact-$_key
    if [ "$_ch" = 1 ] && [ -f "$_st" ] && [ ! -h "$_st" ] && [ "$(cat "$_st" 2>/dev/null)" = "$_fp" ]; then _ch=0; fi
    if ! { (umask 077 && printf '%s\n' "$_fp" >"$_st.new") 2>/dev/null && mv -f "$_st.new" "$_st"; }; then
      rm -f "$_st.new"
      _warn "could not remember the artifact's fingerprint in $_spool"
    fi
  else
    _warn "no state directory: artifact_changed compares with nothing"
  fi
  printf '&metric=artifact_bytes:%s&metric=artifact_changed:%s' "$_ab" "$_ch"
  if [ -n "$_mt" ]; then
    _age=$(($(date +%s) - _mt))
    [ "$_age" -lt 0 ] && _age=0
    printf '&metric=artifact_age_seconds:%s' "$_age"
  fi
}

# Waits until background pid $1 is gone: a trapped signal makes `wait` return early.
_waitfor() {
  wait "$1" 2>/dev/null
  while kill -0 "$1" 2>/dev/null; do wait "$1" 2>/dev/null; done
}

_run() {
  _url_base=$1
  shift
  _mktemp || {
    _warn "no temp directory; running the job unmonitored"
    exec "$@"
  }
  _flush
  _rid=$(_uuid)
  _limit=$_limit_default
  # A spooled start carries the time the job really began, after any failed tries.
  if _ping "$(_url "$_url_base" /start "rid=$_rid")" '' ''; then
    _l=$(sed -n 's/^ *[Pp][Ii][Nn][Gg]-[Bb][Oo][Dd][Yy]-[Ll][Ii][Mm][Ii][Tt]: *\([0-9][0-9]*\).*/\1/p' "$_tmp/h" | head -n 1)
    [ -n "$_l" ] && _limit=$_l
  fi

  # A signal to the process group reaches the job; this script and its helpers outlive it
  # to report. Ignored while the helpers start, so they are born ignoring it (a helper's
  # own `trap ''` runs only after it opened its fifo: too late for an early signal).
  trap '' HUP INT TERM
  # The job may add its own counters: one "name=value" line each, to this file.
  : >"$_tmp/jm"
  LUBDUB_METRICS=$_tmp/jm
  export LUBDUB_METRICS
  _run_captured "$@"
  _t1=$(_now)
  [ -f "$_tmp/tail" ] || : >"$_tmp/tail"
  _art=
  [ -n "$_artifact" ] && _art=$(_artifact_metrics "$_url_base")
  # Later wins on the receiver: built in < artifact < --metric < written by the job.
  _all="$(_auto_metrics)$_art$_metrics$(_job_metrics)"
  if ! _ping "$(_url "$_url_base" "/$_rc" "rid=$_rid$_all")" "$_tmp/tail" "$_t1" && [ -z "$_offline" ] && [ "$_code" = 400 ] && [ -n "$_all" ]; then
    # A metric the receiver refused must not cost the run's report: send it without.
    _warn "sending the result without metrics"
    _ping "$(_url "$_url_base" "/$_rc" "rid=$_rid")" "$_tmp/tail" "$_t1"
  fi
  exit "$_rc"
}

# ---- discovery -----------------------------------------------------------------------

# The zone cron runs in when a crontab names none: the system's.
_system_tz() {
  if [ -n "$LUBDUB_SYSTEM_TZ" ]; then printf '%s' "$LUBDUB_SYSTEM_TZ"; return; fi
  if [ -r /etc/timezone ]; then
    _z=$(head -n 1 /etc/timezone | tr -d ' ')
    [ -n "$_z" ] && { printf '%s' "$_z"; return; }
  fi
  _z=$(readlink /etc/localtime 2>/dev/null)
  case $_z in */zoneinfo/*) printf '%s' "${_z#*/zoneinfo/}"; return ;; esac
  printf 'UTC'
}

_self_path() {
  case $0 in
    /*) printf '%s' "$0" ;;
    */*) printf '%s/%s' "$(cd "${0%/*}" && pwd)" "${0##*/}" ;;
    *) _p=$(command -v "$0" 2>/dev/null); printf '%s' "${_p:-/usr/local/bin/lubdub-run}" ;;
  esac
}

# Discovery: the raw crontabs (the user's `crontab -l`, /etc/crontab and /etc/cron.d/*), and
# where systemctl exists `systemctl list-timers --all` with `systemctl cat` of each timer and
# the unit it starts, go to Lubdub (POST /discover/<ping-key>), which reads them and answers
# with the text printed here; with --apply it also creates the checks and adds the wrapped
# lines. The listing's format is read by discovery.ts in the service.
_discover_listing() {
  printf '#lubdub-discover tz=%s wrapper=%s url=%s%s%s\n' "$(_system_tz)" "$(_self_path)" "$_url_arg" \
    "${_apply:+ apply=1}" "${_grace_opt:+ grace=$_grace_opt}"
  if command -v crontab >/dev/null 2>&1 && crontab -l >"$_tmp/user.cron" 2>/dev/null; then
    printf '#section crontab user crontab -l\n'
    # a newline in case the crontab's last line has none
    cat "$_tmp/user.cron"
    echo
  fi
  for _cf in ${LUBDUB_CRONTAB_FILES-/etc/crontab /etc/cron.d/*}; do
    [ -f "$_cf" ] && [ -r "$_cf" ] || continue
    # cron itself ignores backups and package leftovers in /etc/cron.d
    case ${_cf##*/} in .* | *~ | *.dpkg-* | *.rpmsave | *.rpmnew | *.swp) continue ;; esac
    case $_cf in *"$_nl"*) continue ;; esac
    printf '#section crontab system %s\n' "$_cf"
    cat "$_cf"
    echo
  done
  command -v systemctl >/dev/null 2>&1 || return 0
  systemctl list-timers --all --no-pager >"$_tmp/lt" 2>/dev/null || return 0
  printf '#section list-timers\n'
  cat "$_tmp/lt"
  # only the names to ask systemctl about: letters, digits and @._:- (Lubdub reads the rest)
  _units=$(sed -n 's/^.*[ 	]\([A-Za-z0-9@._:-]*\.timer\)[ 	][ 	]*\([A-Za-z0-9@._:-]*\.[a-z]*\)[ 	]*$/\1 \2/p' "$_tmp/lt")
  for _u in $_units; do
    printf '#section unit %s\n' "$_u"
    systemctl cat --no-pager "$_u" 2>/dev/null
  done
}

_nl='
'
_discover() {
  case $_url_arg in
    http://*/ping/* | https://*/ping/*) ;;
    *)
      _warn "--discover needs Lubdub's ping key URL, which reads the jobs: $_me --discover http://<lubdub-host>:8420/ping/<ping-key> previews, with --apply creates the checks"
      exit 2
      ;;
  esac
  _url_arg=${_url_arg%/}
  _mktemp || { _warn "no temp directory"; exit 1; }
  _discover_listing >"$_tmp/d"
  _http "$(_url "${_url_arg%/ping/*}/discover/${_url_arg##*/}" '' '')" "$_tmp/d"
  case $_code in
    200) ;;
    000)
      printf 'FAILED: %s\n' "$(_why)"
      _warn "cannot reach Lubdub at $_url_arg: $(_why)"
      exit 1
      ;;
    *) printf 'FAILED: %s\n' "$(_why)"; exit 1 ;;
  esac
  cat "$_tmp/r"
  _failed=$(sed -n 's/^ *[Ll][Uu][Bb][Dd][Uu][Bb]-[Dd][Ii][Ss][Cc][Oo][Vv][Ee][Rr]-[Ff][Aa][Ii][Ll][Ee][Dd]: *\([0-9][0-9]*\).*/\1/p' "$_tmp/h" | head -n 1)
  [ "${_failed:-0}" -eq 0 ]
  exit $?
}

# ---- main ------------------------------------------------------------------------------

_mode=run
_url_arg=
_apply=
_grace_opt=
_metrics=
_no_count=
_artifact=
while [ $# -gt 0 ]; do
  case $1 in
    --) shift; break ;;
    -h | --help) _usage; exit 0 ;;
    --version) echo "lubdub-run $LUBDUB_RUN_VERSION"; exit 0 ;;
    --flush) _mode=flush ;;
    --no-count) _no_count=1 ;;
    --discover) _mode=discover ;;
    --apply) _apply=1 ;;
    --apply=*) _apply=1; _url_arg=${1#*=} ;;
    --grace) [ $# -ge 2 ] || { _usage >&2; exit 2; }; _grace_opt=$2; shift ;;
    --grace=*) _grace_opt=${1#*=} ;;
    --artifact) [ $# -ge 2 ] || { _usage >&2; exit 2; }; _artifact=$2; shift ;;
    --artifact=*) _artifact=${1#*=} ;;
    --metric | --metric=*)
      if [ "$1" = --metric ]; then [ $# -ge 2 ] || { _usage >&2; exit 2; }; _m=$2; shift; else _m=${1#*=}; fi
      case $_m in
        [A-Za-z0-9_]*=*) _metrics="$_metrics&metric=$(_urlenc "${_m%%=*}"):$(_urlenc "${_m#*=}")" ;;
        *) _warn "--metric wants name=value, got: $_m"; exit 2 ;;
      esac
      ;;
    -*) _warn "unknown option: $1"; _usage >&2; exit 2 ;;
    *)
      if [ -z "$_url_arg" ]; then
        case $1 in http://* | https://*) _url_arg=$1; shift; continue ;; esac
      fi
      break
      ;;
  esac
  shift
done
case $_grace_opt in '' ) ;; *[!0-9]*) _warn "--grace wants seconds"; exit 2 ;; esac

case $_mode in
  flush)
    _mktemp || { _warn "no temp directory"; exit 1; }
    if ! _spool_dir; then echo "Nothing spooled."; exit 0; fi
    _flush
    _left=$(_spool_count)
    echo "Delivered $_sent spooled pings; $_left left in $_spool."
    [ "$_left" -eq 0 ]
    exit $?
    ;;
  discover) _discover ;;
esac

if [ $# -eq 0 ]; then
  _usage >&2
  exit 2
fi
_url_arg=${_url_arg:-$LUBDUB_URL}
if [ -z "$_url_arg" ]; then
  # Never fail the job for want of monitoring: run it, say why it was not reported.
  _warn "no ping URL (give one before -- or set LUBDUB_URL); running the job unmonitored"
  exec "$@"
fi
_run "$_url_arg" "$@"
