#!/usr/bin/env bash
# Starts the real single-node Slurm the Slurm suite runs against (packages/cli/src/*.slurm.test.ts: `evalchemy
# slurm submit|status` with sbatch, squeue and scontrol): Debian's slurm-wlm and munge when missing, a munge key,
# a slurm.conf that makes this host the controller and the one compute node (its real CPU count and memory, as
# `slurmd -C` reports them; proctrack/linuxproc and task/none, so no cgroups; no accounting database, so no
# sacct), then munged, slurmctld and slurmd as daemons (no systemd), and waits until sinfo shows the node idle.
# Safe to run again; it only does what is missing. The pids it starts are recorded in $state_dir/*.pid:
# `tools/services-slurm.sh stop` ends those, and only those. A slurm.conf this script did not write (a real
# cluster's) is left as it is. tools/services.sh runs it; it also runs on its own.
set -euo pipefail

state_dir=/var/tmp/evalchemy-slurm
conf_dir=/etc/slurm
conf="$conf_dir/slurm.conf"
marker='# Written by evalchemy tools/services-slurm.sh'
partition=debug

root_needed_for="the Slurm suite runs against a real Slurm; install Debian's slurm-wlm and munge, or run as root"
# shellcheck source=tools/as-root.sh
source "$(dirname "${BASH_SOURCE[0]}")/as-root.sh"

# A pid file's process, when it still runs.
running_pid() {
  local file="$state_dir/$1.pid" pid
  [ -s "$file" ] || return 1
  pid="$(as_root cat "$file")"
  as_root kill -0 "$pid" 2>/dev/null && echo "$pid"
}

if [ "${1:-}" = "stop" ]; then
  for daemon in slurmd slurmctld munged; do
    if pid="$(running_pid "$daemon")"; then
      echo "[services] stopping $daemon (pid $pid)"
      as_root kill "$pid"
    fi
  done
  exit 0
fi

node_idle() {
  command -v sinfo >/dev/null 2>&1 || return 1
  local states
  states="$(sinfo --noheader --responding --format='%t' 2>/dev/null)" || return 1
  printf '%s\n' "$states" | grep -Eq '^(idle|mix|alloc)'
}

if node_idle && ! [ -s "$state_dir/slurmctld.pid" ]; then
  echo "[services] a Slurm cluster already answers (sinfo): using it as it is"
  exit 0
fi

missing=()
command -v munged >/dev/null 2>&1 || [ -x /usr/sbin/munged ] || missing+=(munge)
command -v slurmctld >/dev/null 2>&1 || [ -x /usr/sbin/slurmctld ] || missing+=(slurm-wlm)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "[services] installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  # policy-rc.d 101: the packages' maintainer scripts must not try to start daemons (no init system here).
  as_root sh -c 'if [ ! -e /usr/sbin/policy-rc.d ]; then printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; touch /tmp/evalchemy-policy-rc.d; fi'
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  as_root sh -c 'if [ -e /tmp/evalchemy-policy-rc.d ]; then rm -f /usr/sbin/policy-rc.d /tmp/evalchemy-policy-rc.d; fi'
fi
export PATH="$PATH:/usr/sbin:/sbin"

as_root mkdir -p "$state_dir"

# munge: the key all Slurm daemons and clients authenticate with (only readable by the munge user).
if ! as_root test -s /etc/munge/munge.key; then
  echo "[services] writing a munge key (/etc/munge/munge.key)"
  as_root mkdir -p /etc/munge
  as_root sh -c 'umask 077; dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null'
  as_root chown munge:munge /etc/munge/munge.key
  as_root chmod 0400 /etc/munge/munge.key
fi
if ! running_pid munged >/dev/null && ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  echo "[services] starting munged"
  as_root mkdir -p /run/munge /var/lib/munge /var/log/munge
  as_root chown munge:munge /run/munge /var/lib/munge /var/log/munge
  as_root chmod 0755 /run/munge
  as_root rm -f /run/munge/munged.pid
  as_root runuser -u munge -- munged --pid-file=/run/munge/munged.pid
  for _ in $(seq 1 30); do as_root test -s /run/munge/munged.pid && break; sleep 0.2; done
  as_root cp /run/munge/munged.pid "$state_dir/munged.pid"
fi
if ! munge -n </dev/null | unmunge >/dev/null; then
  echo "[services] munge does not work (munge -n | unmunge fails); see /var/log/munge/munged.log" >&2
  exit 1
fi

# slurm.conf: this host is the controller and the only node, with what slurmd finds on it.
host="$(hostname -s)"
if ! as_root test -e "$conf" || as_root grep -qF "$marker" "$conf"; then
  node_line="$(slurmd -C | head -1)"
  case "$node_line" in
    NodeName=*) ;;
    *) echo "[services] slurmd -C did not describe this node: $node_line" >&2; exit 1 ;;
  esac
  address=""
  getent hosts "$host" >/dev/null 2>&1 || address=" NodeAddr=127.0.0.1"
  wanted="$(cat <<EOF
$marker: a single-node Slurm for the Slurm suite.
ClusterName=evalchemy
SlurmctldHost=$host${address:+(127.0.0.1)}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=5
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
MinJobAge=600
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$state_dir/ctld
SlurmdSpoolDir=$state_dir/d
SlurmctldPidFile=$state_dir/slurmctld.pid
SlurmdPidFile=$state_dir/slurmd.pid
SlurmctldLogFile=$state_dir/slurmctld.log
SlurmdLogFile=$state_dir/slurmd.log
$node_line$address State=UNKNOWN
PartitionName=$partition Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
)"
  if [ "$(as_root cat "$conf" 2>/dev/null || true)" != "$wanted" ]; then
    echo "[services] writing $conf"
    as_root mkdir -p "$conf_dir"
    printf '%s\n' "$wanted" | as_root tee "$conf" >/dev/null
    # A running controller reads the new file on restart only.
    for daemon in slurmd slurmctld; do
      if pid="$(running_pid "$daemon")"; then as_root kill "$pid"; sleep 1; fi
    done
  fi
else
  echo "[services] $conf was not written by this script: using it as it is"
fi

as_root mkdir -p "$state_dir/ctld" "$state_dir/d"
if ! running_pid slurmctld >/dev/null; then
  echo "[services] starting slurmctld (log: $state_dir/slurmctld.log)"
  as_root slurmctld
fi
if ! running_pid slurmd >/dev/null; then
  echo "[services] starting slurmd (log: $state_dir/slurmd.log)"
  as_root slurmd
fi

for _ in $(seq 1 60); do node_idle && break; sleep 1; done
if ! node_idle; then
  # A node left down or drained by an earlier run (e.g. after a restart with another config) is resumed once.
  as_root scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true
  for _ in $(seq 1 20); do node_idle && break; sleep 1; done
fi
if ! node_idle; then
  echo "[services] Slurm did not become ready (sinfo):" >&2
  sinfo >&2 || true
  tail -20 "$state_dir/slurmctld.log" "$state_dir/slurmd.log" >&2 || true
  exit 1
fi
echo "[services] Slurm $(sinfo --version | awk '{print $2}') ready: partition $partition, node $host ($(sinfo --noheader --format='%c CPUs, %m MB')); try: sbatch --wrap hostname; squeue; $0 stop"
