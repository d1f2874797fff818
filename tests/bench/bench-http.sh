#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# bench-http.sh - the HTTP API benchmark (issue 4): wrk (Debian) on
# loopback, 64 connections, TC_BENCH_SECONDS (default 10) each, in one run,
# TC_BENCH_ROUNDS rounds (default 3) with the requests interleaved; the
# ratios are per round (taken back to back) and their median is reported:
#
#   1. an authenticated, audited read of one resident: GET
#      /api/v1/residents/{id}, or GET /fhir/Patient/{id} when the workflow
#      endpoint is not in this build (the script says which it used);
#   2. a FHIR Patient search by the same family doctor (a searchset Bundle
#      of 10 of the team's residents, each checked and audited);
#   3. GET /healthz, the ceiling.
#
# It seeds TC_BENCH_RESIDENTS (default 100000) residents with
# bench-http-seed, makes the caller (a family doctor of the first team)
# with telecare-admin, starts telecare-server --dev with both rate limits
# off, and prints requests/s, p50 and p99 of each, and the ratio of the
# authenticated read to /healthz. It asserts nothing about time.
#
#   bench-http.sh SERVER ADMIN SEED     (meson passes the three binaries)
#
# TC_BENCH_SYNC (default normal) sets [database] synchronous (full: a
# disk flush per commit). TC_BENCH_TMPDIR (default /tmp) holds the data directory: /dev/shm (no
# fsync cost) separates the CPU's share from the disk's, since every
# audited request commits (synchronous = FULL).
#
# Use a release build: meson setup build-rel -Dbuildtype=release.
set -eu

server=$1 admin=$2 seed=$3
secs=${TC_BENCH_SECONDS:-10}
residents=${TC_BENCH_RESIDENTS:-100000}
conns=64
threads=${TC_BENCH_THREADS:-2}
password='bench password 123'

command -v wrk >/dev/null || { echo "wrk not installed: run scripts/install-deps"; exit 1; }
command -v curl >/dev/null || { echo "curl not installed: run scripts/install-deps"; exit 1; }

tmp=$(mktemp -d "${TC_BENCH_TMPDIR:-/tmp}/tc-bench-http.XXXXXX")
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

echo "# seeding $residents residents"
t0=$(date +%s)
"$seed" "$tmp/data" "$residents" >"$tmp/seed.txt"
echo "# seeded in $(($(date +%s) - t0)) s"
practitioner=$(awk '$1 == "practitioner" {print $2}' "$tmp/seed.txt")
resident=$(awk '$1 == "resident" {print $2}' "$tmp/seed.txt")
printf '%s\n' "$password" | "$admin" --data-dir "$tmp/data" user-add \
    benchdoc family_doctor --practitioner "$practitioner" >/dev/null

cat >"$tmp/bench.ini" <<EOF
[http]
rate_per_address = 0
rate_per_account = 0
[database]
synchronous = ${TC_BENCH_SYNC:-normal}
EOF
"$server" --dev --listen 127.0.0.1:0 --data-dir "$tmp/data" \
    --config "$tmp/bench.ini" 2>"$tmp/server.log" &
# (the log level stays info: the "listening on" line gives the port)
pid=$!
port=
for _ in $(seq 1 200); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' \
        "$tmp/server.log" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "server did not start:"; cat "$tmp/server.log"; exit 1
fi
base=http://127.0.0.1:$port
token=$(curl -s "$base/api/v1/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"benchdoc\",\"password\":\"$password\"}" |
    sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "login failed"; exit 1; }
auth="Authorization: Bearer $token"

read_path=/api/v1/residents/$resident
status=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$base$read_path")
if [ "$status" != 200 ]; then
    echo "# $read_path answered $status: benchmarking the FHIR read instead"
    read_path=/fhir/Patient/$resident
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$base$read_path")
fi
search_path='/fhir/Patient?_count=10'
for p in "$read_path" "$search_path"; do
    s=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$base$p")
    [ "$s" = 200 ] || { echo "$p answered $s"; exit 1; }
done

# run NAME PATH [HEADER]: wrk's figures as "NAME rps p50 p99"
run() {
    if [ -n "${3:-}" ]; then
        wrk -t"$threads" -c"$conns" -d"${secs}s" --latency -H "$3" \
            "$base$2" >"$tmp/wrk.txt"
    else
        wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "$base$2" \
            >"$tmp/wrk.txt"
    fi
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.txt")
    errs=$(awk '/Non-2xx|Socket errors/' "$tmp/wrk.txt")
    printf '%-34s %10s req/s   p50 %8s   p99 %8s\n' "$1 $2" "$rps" "$p50" \
        "$p99"
    [ -z "$errs" ] || echo "#   $errs"
    eval "rps_$4=$rps"
}

rounds=${TC_BENCH_ROUNDS:-3}
echo "# wrk -t$threads -c$conns -d${secs}s on loopback, $(nproc) cores;" \
    "$rounds rounds, the three requests interleaved"
: >"$tmp/ratios.txt"
for round in $(seq 1 "$rounds"); do
    echo "# round $round"
    run "read" "$read_path" "$auth" read
    run "healthz" /healthz "" health
    run "search" "$search_path" "$auth" search
    # The ratio of two runs taken back to back: the machine is shared, so
    # only same-moment ratios compare.
    awk -v r="$rps_read" -v h="$rps_health" -v s="$rps_search" \
        'BEGIN { printf "%.3f %.3f\n", r / h, s / h }' >>"$tmp/ratios.txt"
done
sort -n "$tmp/ratios.txt" | awk '{ a[NR] = $1 } END {
    printf "ratio authenticated read / healthz: median %.2f of %d rounds" \
        " (min %.2f, max %.2f; target >= 0.5)\n", a[int((NR + 1) / 2)], NR,
        a[1], a[NR] }'
sort -n -k2 "$tmp/ratios.txt" | awk '{ a[NR] = $2 } END {
    printf "ratio FHIR search / healthz: median %.3f\n", a[int((NR + 1) / 2)] }'
