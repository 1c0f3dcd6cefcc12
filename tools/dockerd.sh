#!/usr/bin/env bash
# Starts dockerd for the tests when no daemon answers, and stops only a daemon this script started.
# usage: tools/dockerd.sh start|stop
set -euo pipefail

state_dir=${DOCKERD_STATE_DIR:-/run/cosops-test-dockerd}
pid_file=$state_dir/dockerd.pid
socket=/var/run/docker.sock
timeout=${DOCKERD_TIMEOUT:-60}

daemon_answers() {
  docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

start() {
  if daemon_answers; then
    exit 0
  fi
  mkdir -p "$state_dir"
  # No iptables in the test machines' network namespace; containers use host networking or docker-proxy.
  # The daemon outlives its caller: it must not hold the caller's descriptors (a lock, a pipe) for as long as it runs.
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec env -u AWS_CA_BUNDLE dockerd --iptables=false --ip6tables=false >"$state_dir/dockerd.log" 2>&1
  ) &
  echo $! >"$pid_file"
  for _ in $(seq "$timeout"); do
    if [ -S "$socket" ] && daemon_answers; then
      exit 0
    fi
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      break
    fi
    sleep 1
  done
  echo "dockerd did not answer on $socket within ${timeout}s; last log lines:" >&2
  tail -n 20 "$state_dir/dockerd.log" >&2
  exit 1
}

stop() {
  [ -f "$pid_file" ] || exit 0
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq "$timeout"); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid"
    fi
  fi
  rm -f "$pid_file"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
