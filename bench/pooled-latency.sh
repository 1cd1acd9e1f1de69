#!/bin/sh
# Median and p99 (nearest rank) over every trial GuardianLatencyBenchTest appended to
# bench/target/guardian-latency-trials.csv, per subject (guardian, relay) and measure.
set -eu
csv=${1:-$(dirname "$0")/target/guardian-latency-trials.csv}
for subject in guardian relay; do
  for column in 3:published 4:to_hand_off 5:hand_off_to_published 6:read_off 7:guardian_own; do
    n=${column%%:*}
    awk -F, -v s="$subject" -v c="$n" 'NR > 1 && $1 == s && $c != "" { print $c }' "$csv" | sort -n | awk \
      -v s="$subject" -v m="${column#*:}" '{ v[NR] = $1 }
      END { if (NR == 0) exit
            r50 = int((NR * 50 + 99) / 100); r99 = int((NR * 99 + 99) / 100)
            printf "%-9s %-22s n %5d  median %7.1f  p99 %7.1f  max %7.1f ms\n", s, m, NR, v[r50], v[r99], v[NR] }'
  done
done
