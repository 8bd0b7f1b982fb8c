#!/usr/bin/env bash
# A throwaway one-node Ceph (RADOS Gateway = S3) on 127.0.0.1 for the `s3` tests.
#
#   scripts/s3-server.sh start   install (apt) if missing, start mon + memstore OSD + radosgw,
#                                create the test user and bucket, print the env exports
#   scripts/s3-server.sh env     print the env exports (eval "$(scripts/s3-server.sh env)")
#   scripts/s3-server.sh stop    kill the daemons by their pid files, delete the data dir
#   scripts/s3-server.sh gateway-stop|gateway-start
#                                stop or restart radosgw only: the endpoint goes away, the
#                                cluster and its objects stay (the fault tests use this);
#                                the STS gateway is not touched
#
# Everything lives in $RUNLAKE_S3_DIR (default /tmp/runlake-ceph-$UID); nothing listens
# outside loopback. One monitor, one OSD (memstore: data in RAM, gone on stop), no
# manager, no auth between daemons. Ports: mon 6789, rgw $RUNLAKE_S3_PORT (7480), the
# STS-enabled rgw $RUNLAKE_S3_STS_PORT (7481), the tests' OpenID provider
# $RUNLAKE_S3_OIDC_PORT (7482, served by the test that needs it).
set -euo pipefail

DIR="${RUNLAKE_S3_DIR:-/tmp/runlake-ceph-${UID:-$(id -u)}}"
PORT="${RUNLAKE_S3_PORT:-7480}"
MON_PORT="${RUNLAKE_S3_MON_PORT:-6789}"
BUCKET="${RUNLAKE_S3_BUCKET:-runlake-test}"
# Fixed test credentials: this server is loopback-only and deleted on stop.
ACCESS_KEY="RUNLAKETESTKEY000001"
SECRET_KEY="runlake-test-secret-0000000000000000000000"
# STS: a second gateway of the same cluster on STS_PORT answers STS and takes temporary
# credentials. It is separate because RGW with `rgw s3 auth use sts` answers AccessDenied
# where it otherwise says SignatureDoesNotMatch or InvalidAccessKeyId (what AWS says, and
# what the fault tests check on PORT). It encrypts its session tokens with STS_KEY
# (exactly 16 characters); the test user may assume ROLE_NAME (s3:* on every bucket).
STS_PORT="${RUNLAKE_S3_STS_PORT:-$((PORT + 1))}"
STS_KEY="runlakeststest16"
ROLE_NAME="runlake-test-role"
ROLE_ARN="arn:aws:iam:::role/$ROLE_NAME"
# Web identity: an OpenID provider registered for http://127.0.0.1:$OIDC_PORT with the
# certificate in $DIR/oidc (cert.pem, and key.pem to sign tokens with). Nothing listens
# there until a test serves the discovery document and JWKS (RGW fetches both at every
# AssumeRoleWithWebIdentity); WEB_ROLE_NAME trusts that provider's tokens for client
# `runlake`.
OIDC_PORT="${RUNLAKE_S3_OIDC_PORT:-$((PORT + 2))}"
WEB_ROLE_NAME="runlake-test-web-role"
CONF="$DIR/ceph.conf"

log() { echo "s3-server: $*" >&2; }

print_env() {
  cat <<EOF
export RUNLAKE_TEST_S3_ENDPOINT=http://127.0.0.1:$PORT
export RUNLAKE_TEST_S3_BUCKET=$BUCKET
export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
export AWS_REGION=us-east-1
export RUNLAKE_TEST_S3_STS_ENDPOINT=http://127.0.0.1:$STS_PORT
export RUNLAKE_TEST_S3_ROLE_ARN=$ROLE_ARN
export RUNLAKE_TEST_S3_WEB_ROLE_ARN=arn:aws:iam:::role/$WEB_ROLE_NAME
export RUNLAKE_TEST_S3_OIDC_ISSUER=http://127.0.0.1:$OIDC_PORT
export RUNLAKE_TEST_S3_OIDC_DIR=$DIR/oidc
EOF
}

install_if_missing() {
  # awscli and jq: the tests run the runbook's own `aws s3 …` command lines too, and the
  # credential tests use the CLI as an oracle; openssl makes the OpenID provider's key.
  if command -v radosgw >/dev/null && command -v ceph-mon >/dev/null &&
     command -v ceph-osd >/dev/null && [ -x /usr/bin/aws ] && command -v jq >/dev/null &&
     command -v openssl >/dev/null; then
    return
  fi
  log "installing radosgw ceph-mon ceph-osd awscli jq openssl (apt, --no-install-recommends)"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    radosgw ceph-mon ceph-osd awscli jq openssl >/dev/null
}

write_conf() {
  local fsid="$1"
  cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
osd objectstore = memstore
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon data avail warn = 2
mon data avail crit = 1
paxos propose interval = 0.1
paxos min wait = 0.01
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
keyring = /dev/null

[mon.a]
mon data = $DIR/mon

[osd.0]
osd data = $DIR/osd
memstore device bytes = 2147483648

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $DIR/rgw
rgw dns name = 127.0.0.1

[client.rgw-sts]
rgw frontends = beast endpoint=127.0.0.1:$STS_PORT
rgw data = $DIR/rgw-sts
rgw dns name = 127.0.0.1
rgw sts key = $STS_KEY
rgw s3 auth use sts = true
EOF
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local secs="$1" what="$2"; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$end" ]; then
      log "timed out waiting for $what (logs in $DIR/log)"
      return 1
    fi
    sleep 0.1
  done
}

start() {
  if [ -f "$DIR/run/client.rgw.pid" ] && kill -0 "$(cat "$DIR/run/client.rgw.pid")" 2>/dev/null; then
    log "already running in $DIR"
    print_env
    return
  fi
  if ls "$DIR"/run/*.pid >/dev/null 2>&1; then
    log "a previous server in $DIR is half alive: stopping it first"
    stop
  fi
  install_if_missing
  local t0=$SECONDS
  kill_strays
  rm -rf "$DIR"
  mkdir -p "$DIR/run" "$DIR/log" "$DIR/mon" "$DIR/osd" "$DIR/rgw" "$DIR/rgw-sts"
  local fsid osd_uuid
  fsid="$(uuidgen)"
  osd_uuid="$(uuidgen)"
  write_conf "$fsid"

  monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$fsid" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap"
  ceph-mon -c "$CONF" -i a
  wait_for 30 "the monitor" ceph -c "$CONF" --connect-timeout 2 mon stat

  ceph -c "$CONF" osd new "$osd_uuid" 0 >/dev/null
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" 2>>"$DIR/log/osd.0.stderr"
  ceph-osd -c "$CONF" -i 0 2>>"$DIR/log/osd.0.stderr"
  wait_for 60 "the OSD" sh -c "ceph -c '$CONF' osd stat | grep -q '1 up'"

  radosgw -c "$CONF" -n client.rgw
  radosgw -c "$CONF" -n client.rgw-sts
  wait_for 60 "radosgw" curl -sf "http://127.0.0.1:$PORT/"
  wait_for 60 "radosgw (STS)" curl -sf "http://127.0.0.1:$STS_PORT/"

  radosgw-admin -c "$CONF" user create --uid=runlake-test --display-name="runlake tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
  create_role
  # Create the bucket with curl's own SigV4 (the same signer the backend uses).
  curl -sf -X PUT "http://127.0.0.1:$PORT/$BUCKET" \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" >/dev/null
  log "started in $((SECONDS - t0)) s (data dir $DIR)"
  print_env
}

# The role the test user assumes through STS AssumeRole (and, with a token from a test's
# OpenID provider, AssumeRoleWithWebIdentity): creating roles and OpenID providers through
# IAM needs the user's `roles` and `oidc-provider` caps.
create_role() {
  radosgw-admin -c "$CONF" caps add --uid=runlake-test --caps="roles=*;oidc-provider=*" >/dev/null
  local trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/runlake-test"]},"Action":["sts:AssumeRole"]}]}'
  local allow='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::*"]}]}'
  radosgw-admin -c "$CONF" role create --role-name="$ROLE_NAME" \
    --assume-role-policy-doc="$trust" >/dev/null
  radosgw-admin -c "$CONF" role-policy put --role-name="$ROLE_NAME" --policy-name=s3-all \
    --policy-doc="$allow" >/dev/null
  create_oidc_provider
  local federated="arn:aws:iam:::oidc-provider/127.0.0.1:$OIDC_PORT"
  trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":["'$federated'"]},"Action":["sts:AssumeRoleWithWebIdentity"]}]}'
  radosgw-admin -c "$CONF" role create --role-name="$WEB_ROLE_NAME" \
    --assume-role-policy-doc="$trust" >/dev/null
  radosgw-admin -c "$CONF" role-policy put --role-name="$WEB_ROLE_NAME" --policy-name=s3-all \
    --policy-doc="$allow" >/dev/null
}

# A throwaway signing key and self-signed certificate, registered with IAM
# CreateOpenIDConnectProvider by its SHA-1 thumbprint (RGW checks the JWKS's x5c against it).
create_oidc_provider() {
  mkdir -p "$DIR/oidc"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=runlake-test-oidc" \
    -keyout "$DIR/oidc/key.pem" -out "$DIR/oidc/cert.pem" 2>/dev/null
  local thumbprint
  thumbprint="$(openssl x509 -in "$DIR/oidc/cert.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')"
  curl -sf -X POST "http://127.0.0.1:$STS_PORT/" --aws-sigv4 "aws:amz:us-east-1:iam" \
    --user "$ACCESS_KEY:$SECRET_KEY" -H "Content-Type: application/x-www-form-urlencoded" \
    --data "Action=CreateOpenIDConnectProvider&Version=2010-05-08&Url=http://127.0.0.1:$OIDC_PORT&ClientIDList.member.1=runlake&ThumbprintList.member.1=$thumbprint" \
    >/dev/null
}

stop() {
  # All at once: radosgw and the monitor stop on SIGTERM; the memstore OSD can hang
  # flushing, so it gets SIGKILL (its data is thrown away anyway). Then wait for all.
  local name pid pids=()
  for name in client.rgw client.rgw-sts osd.0 mon.a; do
    [ -f "$DIR/run/$name.pid" ] || continue
    pid="$(cat "$DIR/run/$name.pid")"
    if [ "$name" = osd.0 ]; then kill -s KILL "$pid" 2>/dev/null || continue
    else kill -s TERM "$pid" 2>/dev/null || continue; fi
    pids+=("$pid")
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -s KILL "$pid" 2>/dev/null || true
  done
  kill_strays
  rm -rf "$DIR"
  log "stopped"
}

gateway_stop() {
  local pid
  pid="$(cat "$DIR/run/client.rgw.pid" 2>/dev/null)" || { log "no gateway running"; return 1; }
  kill -s TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -s KILL "$pid" 2>/dev/null || true
  rm -f "$DIR/run/client.rgw.pid"
  log "gateway stopped (cluster kept)"
}

gateway_start() {
  [ -f "$CONF" ] || { log "no cluster in $DIR: use start"; return 1; }
  radosgw -c "$CONF" -n client.rgw
  wait_for 60 "radosgw" curl -sf "http://127.0.0.1:$PORT/"
  log "gateway started"
}

# Daemons of an earlier start whose pid files are gone (an interrupted start, say) would
# keep the ports and a stale cluster id: kill whatever runs with our config file.
kill_strays() {
  pkill -KILL -f -- "-c $CONF" 2>/dev/null || true
  for _ in $(seq 50); do pgrep -f -- "-c $CONF" >/dev/null || break; sleep 0.1; done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  gateway-stop) gateway_stop ;;
  gateway-start) gateway_start ;;
  *) echo "usage: $0 start|stop|env|gateway-stop|gateway-start" >&2; exit 2 ;;
esac
