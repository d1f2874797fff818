#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# bench-dicom.sh - the DICOM ingest benchmark (issue 8), in one run:
#
#   1. TC_BENCH_DICOM_N (default 1000) copies of CT_small.dcm, each with
#      fresh study, series and SOP instance UIDs (dcmodify);
#   2. TC_BENCH_ROUNDS (default 3) rounds; in each, storescu (one
#      association, all files) sends them to telecare-server's SCP, which
#      parses, hashes and writes each as it arrives, links it into place,
#      journals and answers, and indexes in batches on its main thread,
#      and to DCMTK's own storescp with its defaults (receives each data
#      set into memory, writes it to a file in one directory, no fsync,
#      no index), back to back (telecare first in odd rounds, storescp
#      first in even ones; the 1-minute load average is printed); instances/s
#      and MB/s of each, the ratio telecare/storescp per round, and the
#      CPU time the receiving process used (utime + stime from /proc, all
#      its threads; telecare's counted until its index holds all of
#      them): on a shared machine the rates swing with the load, the CPU
#      per instance much less; the medians of both ratios are reported;
#   3. forwarding: the last round's telecare store forwards everything to
#      Orthanc (Debian's, on a free loopback port, temporary storage), and
#      the time until Orthanc holds all of them gives instances/s.
#
# Each round uses a fresh data directory (a second send of the same
# instances would only be deduplicated). It asserts nothing about time.
#
#   bench-dicom.sh SERVER ADMIN      (meson passes both binaries)
#
# Use a release build: meson setup build-rel -Dbuildtype=release.
# TC_BENCH_TMPDIR (default /tmp) holds everything. Run it twice, with and
# without TCP_NODELAY=1 in the environment: without, DCMTK's storescu and
# storescp wait for Nagle's algorithm on every C-STORE (~100 ms a round
# trip on loopback), which hides everything else.
set -eu

server=$1 admin=$2
n=${TC_BENCH_DICOM_N:-1000}
rounds=${TC_BENCH_ROUNDS:-3}
src="${TC_SHARED_DATA:-../shared/data}/dicom/CT_small.dcm"

for t in storescu storescp dcmodify Orthanc curl; do
    command -v $t >/dev/null || { echo "$t not installed: run scripts/install-deps"; exit 1; }
done

tmp=$(mktemp -d "${TC_BENCH_TMPDIR:-/tmp}/tc-bench-dicom.XXXXXX")
pids=
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# A port nothing listens on now (iproute2's ss, from install-deps).
free_port() {
    while :; do
        p=$(shuf -i 20000-60000 -n 1)
        ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return; }
    done
}
now_ms() { date +%s%3N; }
# CPU milliseconds (user + system, all threads) process $1 used so far.
cpu_ms() { awk -v t="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / t }' "/proc/$1/stat"; }

echo "# making $n copies of CT_small.dcm with fresh UIDs"
mkdir -p "$tmp/files"
i=0
while [ $i -lt "$n" ]; do cp "$src" "$tmp/files/ct$i.dcm"; i=$((i + 1)); done
chmod u+w "$tmp/files"/*.dcm
dcmodify -q -nb -gin -gse -gst "$tmp/files"/*.dcm
bytes=$(cat "$tmp/files"/*.dcm | wc -c)
echo "# $n files, $bytes bytes"
echo "# TCP_NODELAY=${TCP_NODELAY:-unset}: DCMTK's tools (storescu, storescp) and telecare's SCU disable Nagle only when it is set; telecare's SCP always does"

orthanc_http=$(free_port)
orthanc_dicom=$(free_port)

# One telecare round: fresh data dir, the server, storescu, stop.
# Prints the milliseconds storescu took.
telecare_round() {
    dir="$tmp/tc$1"
    mkdir -p "$dir"
    org=$("$admin" --data-dir "$dir/data" org-add township_clinic Bench \
          --township East | awk '{print $2}')
    cat >"$dir/t.ini" <<EOI
[dicom]
listen = 127.0.0.1:0
peers = BENCH:$org
destinations = PACS=ORTHANC@127.0.0.1:$orthanc_dicom
routes = ${2:-NONE}>PACS
retry_max_s = 2
EOI
    if [ -z "${2:-}" ]; then
        sed -i '/^destinations/d;/^routes/d' "$dir/t.ini"
    fi
    "$server" --dev --listen 127.0.0.1:0 --data-dir "$dir/data" \
        --config "$dir/t.ini" 2>"$dir/log" &
    spid=$!
    pids="$pids $spid"
    port=
    for _ in $(seq 100); do
        port=$(sed -n 's/.*dicom SCP listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$dir/log")
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { cat "$dir/log"; exit 1; }
    c0=$(cpu_ms "$spid")
    t0=$(now_ms)
    storescu -aet BENCH -aec TELECARE 127.0.0.1 "$port" "$tmp/files"/*.dcm
    t1=$(now_ms)
    echo $((t1 - t0)) >"$dir/ms"
    stored=$(find "$dir/data/dicom" -name '*.dcm' | wc -l)
    [ "$stored" -eq "$n" ] || { echo "telecare stored $stored of $n"; exit 1; }
    # Indexed: batches every 5 ms; wait until the journal is empty.
    for _ in $(seq 100); do
        [ -s "$dir/data/dicom/journal.log" ] || break
        sleep 0.05
    done
    [ -s "$dir/data/dicom/journal.log" ] && { echo "telecare: not indexed"; exit 1; }
    echo $(($(cpu_ms "$spid") - c0)) >"$dir/cpu"
    if [ -z "${2:-}" ]; then
        kill "$spid"; wait "$spid" || true
    else
        echo "$spid" >"$dir/pid"
    fi
}

storescp_round() {
    dir="$tmp/scp$1"
    mkdir -p "$dir/out"
    port=$(free_port)
    storescp -aet STORESCP -od "$dir/out" "$port" &
    spid=$!
    pids="$pids $spid"
    sleep 0.5
    c0=$(cpu_ms "$spid")
    t0=$(now_ms)
    storescu -aet BENCH -aec STORESCP 127.0.0.1 "$port" "$tmp/files"/*.dcm
    t1=$(now_ms)
    echo $((t1 - t0)) >"$dir/ms"
    echo $(($(cpu_ms "$spid") - c0)) >"$dir/cpu"
    kill "$spid"; wait "$spid" 2>/dev/null || true
    stored=$(find "$dir/out" -type f | wc -l)
    [ "$stored" -eq "$n" ] || { echo "storescp stored $stored of $n"; exit 1; }
}

rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", n * 1000 / ms }'; }
mbs() { awk -v b="$1" -v ms="$2" 'BEGIN { printf "%.2f", b / 1048576 * 1000 / ms }'; }

ratios=
cratios=
r=1
while [ "$r" -le "$rounds" ]; do
    # Alternate which receiver goes first: a load that changes within a
    # round then favours neither.
    route=
    [ "$r" -eq "$rounds" ] && route=BENCH
    if [ $((r % 2)) -eq 1 ]; then
        telecare_round "$r" $route
        storescp_round "$r"
    else
        storescp_round "$r"
        telecare_round "$r" $route
    fi
    load=$(cut -d' ' -f1 /proc/loadavg)
    tms=$(cat "$tmp/tc$r/ms") sms=$(cat "$tmp/scp$r/ms")
    tcpu=$(cat "$tmp/tc$r/cpu") scpu=$(cat "$tmp/scp$r/cpu")
    ratio=$(awk -v a="$sms" -v b="$tms" 'BEGIN { printf "%.2f", a / b }')
    cratio=$(awk -v a="$tcpu" -v b="$scpu" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    ratios="$ratios $ratio"
    cratios="$cratios $cratio"
    echo "round $r: telecare $(rate "$n" "$tms") inst/s $(mbs "$bytes" "$tms") MB/s ($tms ms, CPU $tcpu ms) |" \
         "storescp $(rate "$n" "$sms") inst/s $(mbs "$bytes" "$sms") MB/s ($sms ms, CPU $scpu ms) |" \
         "rate telecare/storescp $ratio, CPU telecare/storescp $cratio | load $load"
    r=$((r + 1))
done
med() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median telecare/storescp rate ratio over $rounds rounds: $(echo $ratios | med)"
echo "median telecare/storescp CPU-per-instance ratio: $(echo $cratios | med)"

# Forwarding: Orthanc starts now; the last round's server has everything
# queued (retrying every <= 2 s while Orthanc was down).
mkdir -p "$tmp/orthanc/db"
cat >"$tmp/orthanc/o.json" <<EOJ
{"Name": "bench", "StorageDirectory": "$tmp/orthanc/db", "IndexDirectory": "$tmp/orthanc/db",
 "HttpPort": $orthanc_http, "DicomPort": $orthanc_dicom, "DicomAet": "ORTHANC",
 "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "Plugins": []}
EOJ
Orthanc "$tmp/orthanc/o.json" >/dev/null 2>&1 &
opid=$!
pids="$pids $opid"
for _ in $(seq 100); do
    curl -s -m 1 "http://127.0.0.1:$orthanc_http/statistics" >/dev/null && break
    sleep 0.1
done
t0=$(now_ms)
count=0
while [ "$count" -lt "$n" ]; do
    sleep 0.2
    count=$(curl -s -m 2 "http://127.0.0.1:$orthanc_http/statistics" |
            sed -n 's/.*"CountInstances" : \([0-9]*\).*/\1/p')
    count=${count:-0}
    if [ $(($(now_ms) - t0)) -gt 600000 ]; then echo "forwarding: timeout at $count"; exit 1; fi
done
fms=$(($(now_ms) - t0))
echo "forwarding to Orthanc: $n instances in $fms ms: $(rate "$n" "$fms") inst/s $(mbs "$bytes" "$fms") MB/s (from Orthanc's start, retry delay included)"
