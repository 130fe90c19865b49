#!/usr/bin/env bash
# Attachments: upload and download throughput, and the server's heap while CONCURRENT uploads of SIZE each run at
# once. One Courier server (embedded PostgreSQL; STORE=dir keeps the bytes in a directory instead) with a small fixed
# heap (COURIER_HEAP, default 256m here: smaller than the uploads in flight together, so a server that held them in
# memory could not answer). Each upload is a distinct random file, so nothing is deduplicated.
#
#   bench/attachments.sh                     # 25 MiB files, 5 one at a time, then 20 at once; bytes in PostgreSQL
#   STORE=dir bench/attachments.sh           # the same with --attachments-dir
#   CONCURRENT=10 SIZE_MIB=10 bench/attachments.sh
#
# Prints, per phase, the median (and each run's) MiB/s of single transfers and the aggregate MiB/s of the concurrent
# ones, and the heap used (the JVM's jvm_memory_used_bytes{area="heap"} from /metrics, sampled every 100 ms): before,
# and the highest seen during the concurrent uploads and downloads. Needs curl and python3; loopback only; bounded
# (about CONCURRENT + ROUNDS files of SIZE written to a temporary directory, removed on exit).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
store="${STORE:-postgres}"
size_mib="${SIZE_MIB:-25}"
concurrent="${CONCURRENT:-20}"
rounds="${ROUNDS:-5}"
export COURIER_HEAP="${COURIER_HEAP:-256m}"
quota_mib=$(( size_mib * (concurrent + rounds) * 2 + 1024 ))
# A patient pool (ACQUIRE_TIMEOUT, default 10s): CONCURRENT uploads arrive at once and each first authenticates and
# checks its quota; on a busy shared host the default 250 ms deadline sheds some of them with 503 overloaded, as
# designed, and the heap would then be measured with fewer uploads in flight.
extra="--max-attachment-bytes ${size_mib}MiB --attachment-quota ${quota_mib}MiB --password-hash-cost 1"
extra="$extra --pool-acquire-timeout ${ACQUIRE_TIMEOUT:-10s}"

command -v curl >/dev/null || { echo "bench: please install curl" >&2; exit 1; }
# shellcheck source=lib/server.sh
source "$root/bench/lib/server.sh"
if [[ "$store" == dir ]]; then
  blobs="$(mktemp -d -t courier-blobs.XXXXXX)"
  extra="$extra --attachments-dir $blobs"
fi
export BENCH_SERVE_ARGS="$extra ${BENCH_SERVE_ARGS:-}"
bench_start_server courier-attachments 8
keep_log() { cp "$work/serve.log" "${TMPDIR:-/tmp}/attachments-bench-serve.log" 2>/dev/null || true; }
trap 'keep_log; bench_cleanup; rm -rf "${blobs:-/nonexistent}"' EXIT
api="http://127.0.0.1:$port"

files="$work/files"
mkdir -p "$files"
total=$(( concurrent > rounds ? concurrent : rounds ))
echo "bench: writing $total random files of $size_mib MiB" >&2
for i in $(seq 1 "$total"); do head -c "$(( size_mib << 20 ))" /dev/urandom >"$files/f$i.bin"; done
for i in $(seq 1 "$rounds"); do head -c "$(( size_mib << 20 ))" /dev/urandom >"$files/s$i.bin"; done

user="bench$RANDOM"
curl -fs -X POST "$api/v1/accounts" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$user\",\"password\":\"bench-password\"}" >/dev/null
token="$(curl -fs -X POST "$api/v1/sessions" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$user\",\"password\":\"bench-password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"

heap_used() {
  curl -fs "$api/metrics" | awk '/^jvm_memory_used_bytes\{.*area="heap"/ { s += $NF } END { printf "%.0f\n", s }'
}
# sample_heap FILE: appends the heap used every 100 ms until killed
sample_heap() { while true; do heap_used >>"$1"; sleep 0.1; done; }
mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

upload() { # FILE -> "seconds id", or the failure
  local answer="$work/answer.$(basename "$1")" out
  out="$(curl -s -o "$answer" -w '%{http_code} %{time_total}' -X POST "$api/v1/attachments?filename=$(basename "$1")" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/octet-stream' --data-binary "@$1")" || true
  if [[ "$out" != 201\ * ]]; then
    echo "failed: $out $(head -c 300 "$answer" 2>/dev/null)"
    return 0
  fi
  echo "${out#201 } $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$answer")"
}
download() { # ID -> seconds, or the failure
  local out
  out="$(curl -s -o "$work/body.$1" -w '%{http_code} %{time_total}' "$api/v1/attachments/$1" \
    -H "Authorization: Bearer $token")" || true
  if [[ "$out" != 200\ * ]]; then
    echo "failed: $out $(head -c 300 "$work/body.$1" 2>/dev/null)"
  else
    echo "${out#200 }"
  fi
  rm -f "$work/body.$1"
}

echo "bench: store $store, heap $COURIER_HEAP, $size_mib MiB files; heap used at rest: $(mib "$(heap_used)") MiB" >&2

# one at a time
ids=()
up_rates=()
for i in $(seq 1 "$rounds"); do
  read -r seconds id < <(upload "$files/s$i.bin")
  [[ "$seconds" != failed* ]] || { echo "bench: upload $seconds $id" >&2; exit 1; }
  ids+=("$id")
  up_rates+=("$(awk -v s="$seconds" -v m="$size_mib" 'BEGIN { printf "%.1f", m / s }')")
done
down_rates=()
for id in "${ids[@]}"; do
  seconds="$(download "$id")"
  [[ "$seconds" != failed* ]] || { echo "bench: $seconds" >&2; exit 1; }
  down_rates+=("$(awk -v s="$seconds" -v m="$size_mib" 'BEGIN { printf "%.1f", m / s }')")
done
echo "single upload MiB/s:   median $(printf '%s\n' "${up_rates[@]}" | median)  (${up_rates[*]})"
echo "single download MiB/s: median $(printf '%s\n' "${down_rates[@]}" | median)  (${down_rates[*]})"

# all at once
before="$(heap_used)"
samples="$work/heap-up"
sample_heap "$samples" & sampler=$!
start=$(date +%s.%N)
pids=()
for i in $(seq 1 "$concurrent"); do upload "$files/f$i.bin" >"$work/conc.$i" & pids+=($!); done
wait "${pids[@]}" || true
end=$(date +%s.%N)
kill "$sampler"; wait "$sampler" 2>/dev/null || true
ok=$(cat "$work"/conc.* | grep -vc '^failed' || true)
grep -h '^failed' "$work"/conc.* | sort | uniq -c | head -5 >&2 || true
peak="$(sort -n "$samples" | tail -1)"
echo "$concurrent concurrent uploads: $ok answered 201 in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s," \
  "aggregate $(awk -v a="$start" -v b="$end" -v n="$ok" -v m="$size_mib" 'BEGIN { printf "%.1f", n * m / (b - a) }') MiB/s;" \
  "heap used $(mib "$before") MiB before, peak $(mib "$peak") MiB (of $COURIER_HEAP;" \
  "the uploads in flight were $(( concurrent * size_mib )) MiB)"

before="$(heap_used)"
samples="$work/heap-down"
sample_heap "$samples" & sampler=$!
start=$(date +%s.%N)
pids=()
for i in $(grep -l -v '^failed' "$work"/conc.*); do download "$(awk '{print $2}' "$i")" >"$i.down" & pids+=($!); done
wait "${pids[@]}" || true
end=$(date +%s.%N)
kill "$sampler"; wait "$sampler" 2>/dev/null || true
peak="$(sort -n "$samples" | tail -1)"
grep -h '^failed' "$work"/conc.*.down | sort | uniq -c | head -5 >&2 || true
echo "$(cat "$work"/conc.*.down | grep -vc '^failed' || true) of $ok concurrent downloads: $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s," \
  "aggregate $(awk -v a="$start" -v b="$end" -v n="$ok" -v m="$size_mib" 'BEGIN { printf "%.1f", n * m / (b - a) }') MiB/s;" \
  "heap used $(mib "$before") MiB before, peak $(mib "$peak") MiB"
