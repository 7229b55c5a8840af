#!/bin/sh
# Instructions and simulated branch mispredicts per check of one path of `hot`
# (bench/src/bin/hot.rs), by cachegrind, which a loaded machine does not move:
# (run with P passes - run with none) / (P x questions).
#   bench/instructions.sh bench-target/release/hot refs --projects 1000 --users 500 --checks 20000 --hinted-ids
# P=5 by default; give --checks, the divisor is read from it.
bin=$1; path=$2; shift 2
P=${P:-5}
run() {
  valgrind --tool=cachegrind --cache-sim=no --branch-sim=yes --cachegrind-out-file=/dev/null \
    "$bin" --path "$path" --passes "$@" 2>&1 \
    | awk '/I *refs:/ {gsub(",","",$4); i=$4} /Mispredicts:/ {gsub(",","",$3); m=$3} END {print i, m}'
}
a=$(run 0 "$@"); b=$(run "$P" "$@")
n=$(echo "$@" | grep -o 'checks [0-9]*' | awk '{print $2}')
echo "$a $b" | awk -v p="$P" -v n="$n" -v path="$path" \
  '{printf "%s: %.1f instructions/check, %.2f mispredicts/check\n", path, ($3-$1)/(p*n), ($4-$2)/(p*n)}'
