#!/bin/sh
# SPDX-License-Identifier: MIT
# Guest side of 'make bench': the module's software costs (axs-bench), then
# xschedd's reaction time, from a queue's busy event (module timestamp) to
# the suspend call being issued, measured by the daemon itself while a
# latency-critical process (a request every 20 ms) preempts a batch one.
uname -r
./axs-bench 2>&1 || { echo "axs-bench failed"; exit 1; }
T=/tmp/bench
mkdir -p $T
printf 'policy = priority\nrule tag=hi class=realtime\nrule tag=lo class=best-effort\n' \
	>$T/xschedd.conf
./xschedd -c $T/xschedd.conf -S $T/sock -f 50 2>$T/xschedd.log &
x=$!
while [ ! -S $T/sock ]; do sleep 0.1; done
./axs-workload --role low --tag lo --seconds 10 --quiet >/dev/null &
l=$!
./axs-workload --role high --tag hi --period-ms 20 --kernels 2 --wg-us 2000 --seconds 10 \
	--quiet >/dev/null
wait $l
kill $x
wait $x
echo
echo "xschedd reaction, busy event to suspend issued (10 s, a request every 20 ms):"
sed -n 's/.*reaction time[^"]*" //p' $T/xschedd.log
