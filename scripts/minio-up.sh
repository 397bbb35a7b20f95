#!/bin/bash
# minio-up.sh - a throw-away MinIO (a real S3 server) on loopback for the S3 tests.
# Idempotent: builds MinIO from the Go module proxy if its binary is not cached
# (slow: ~9-15 minutes on 2 cores, once; the binary is kept under $MINIO_BASE/bin
# and reused), starts it (if not already running) with throw-away credentials and
# a data directory under $MINIO_BASE, waits until it answers, creates a bucket,
# and prints the environment the tests need on stdout:
#
#   eval "$(scripts/minio-up.sh)"
#   go test -count=1 -run S3 ./storage ./executor ./internal/cli
#
#   scripts/minio-up.sh stop      stops the server (the data directory stays)
#
# Settings (environment):
#   MINIO_BASE     /var/tmp/machinable-minio   binary, data, log, pid, credentials
#   MINIO_VERSION  the module version built (go install github.com/minio/minio@VERSION);
#                  MinIO tags no semantic versions, so the proxy serves pseudo-versions
#                  only; the default is what @latest resolved to on 2026-11-30.
#   MINIO_ADDRESS  127.0.0.1:9000
#   MINIO_BUCKET   machinable                  the bucket created for you (the tests
#                                              create and empty their own buckets)
#   WAIT_S         60                          how long to wait for the server
# Needs go (to build) and curl (health check, bucket creation with --aws-sigv4).
set -euo pipefail

MINIO_BASE=${MINIO_BASE:-/var/tmp/machinable-minio}
MINIO_VERSION=${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}
MINIO_ADDRESS=${MINIO_ADDRESS:-127.0.0.1:9000}
MINIO_BUCKET=${MINIO_BUCKET:-machinable}
WAIT_S=${WAIT_S:-60}
BIN=$MINIO_BASE/bin/minio
PIDFILE=$MINIO_BASE/minio.pid
LOG=$MINIO_BASE/minio.log
ENDPOINT=http://$MINIO_ADDRESS

log() { echo "[minio-up] $*" >&2; }

running() { [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

if [ "${1:-}" = stop ]; then
  if running; then
    pid=$(cat "$PIDFILE")
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    log "stopped MinIO (pid $pid)"
  else
    log "MinIO is not running"
  fi
  rm -f "$PIDFILE"
  exit 0
fi

mkdir -p "$MINIO_BASE/bin" "$MINIO_BASE/data"

# ---- 1. curl -----------------------------------------------------------------
if ! command -v curl >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing curl"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends curl ca-certificates >/dev/null
  else
    log "curl is needed (health check and bucket creation)"; exit 1
  fi
fi

# ---- 2. the binary: cached, or built from the Go module proxy ---------------
if [ ! -x "$BIN" ] || [ "$(cat "$BIN.version" 2>/dev/null)" != "$MINIO_VERSION" ]; then
  log "building github.com/minio/minio@$MINIO_VERSION into $MINIO_BASE/bin (slow: ~9-15 min on 2 cores)"
  t0=$(date +%s)
  # outside any module, so the project's go.mod plays no part
  (cd / && GOBIN="$MINIO_BASE/bin" GOFLAGS=-buildvcs=false go install "github.com/minio/minio@$MINIO_VERSION")
  echo "$MINIO_VERSION" >"$BIN.version"
  log "built in $(($(date +%s) - t0)) s"
fi

# ---- 3. throw-away credentials (made once, kept with the data) ---------------
CREDS=$MINIO_BASE/credentials
if [ ! -s "$CREDS" ]; then
  umask 077
  printf 'MINIO_ROOT_USER=machinable%s\nMINIO_ROOT_PASSWORD=%s\n' \
    "$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')" "$(od -An -N16 -tx4 /dev/urandom | tr -d ' \n')" >"$CREDS"
fi
# shellcheck disable=SC1090
. "$CREDS"

# ---- 4. start ------------------------------------------------------------------
healthy() { curl -fsS -o /dev/null --max-time 2 "$ENDPOINT/minio/health/live" 2>/dev/null; }
if running && healthy; then
  log "MinIO already running (pid $(cat "$PIDFILE")) at $ENDPOINT"
else
  if healthy; then
    log "something else already answers at $ENDPOINT; set MINIO_ADDRESS to a free address"; exit 1
  fi
  log "starting MinIO at $ENDPOINT, data in $MINIO_BASE/data, log $LOG"
  MINIO_ROOT_USER=$MINIO_ROOT_USER MINIO_ROOT_PASSWORD=$MINIO_ROOT_PASSWORD \
    MINIO_BROWSER=off MINIO_UPDATE=off MINIO_CI_CD=1 \
    nohup "$BIN" server "$MINIO_BASE/data" --address "$MINIO_ADDRESS" --quiet >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  t0=$(date +%s)
  until healthy; do
    if ! running; then log "MinIO exited:"; tail -20 "$LOG" >&2; exit 1; fi
    if [ $(($(date +%s) - t0)) -ge "$WAIT_S" ]; then log "MinIO did not answer within ${WAIT_S}s:"; tail -20 "$LOG" >&2; exit 1; fi
    sleep 0.2
  done
  log "MinIO answers after $(($(date +%s) - t0)) s"
fi

# ---- 5. a bucket -------------------------------------------------------------
body=$(curl -sS --max-time 10 -X PUT -w '\nHTTP %{http_code}' \
  --aws-sigv4 "aws:amz:us-east-1:s3" --user "$MINIO_ROOT_USER:$MINIO_ROOT_PASSWORD" "$ENDPOINT/$MINIO_BUCKET")
case "$body" in
  *"HTTP 200") log "created bucket $MINIO_BUCKET" ;;
  *BucketAlreadyOwnedByYou*) ;;
  *) log "creating bucket $MINIO_BUCKET: $body"; exit 1 ;;
esac

# ---- 6. the environment ------------------------------------------------------
cat <<EOF
export MACHINABLE_S3_ENDPOINT=$ENDPOINT
export MACHINABLE_S3_ACCESS_KEY=$MINIO_ROOT_USER
export MACHINABLE_S3_SECRET_KEY=$MINIO_ROOT_PASSWORD
export MACHINABLE_S3_REGION=us-east-1
export MACHINABLE_S3_BUCKET=$MINIO_BUCKET
EOF
log "ready: storage URL s3://$MINIO_BUCKET?endpoint=$ENDPOINT (with AWS_ACCESS_KEY_ID=\$MACHINABLE_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=\$MACHINABLE_S3_SECRET_KEY)"
