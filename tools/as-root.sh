# Sourced by the tools/services*.sh scripts: `as_root CMD…` runs CMD as root, directly when this is root, with
# password-less sudo otherwise, and else stops the script saying why root is needed. The sourcing script sets
# `root_needed_for` to what its services are for, and what to install instead.

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif sudo -n true >/dev/null 2>&1; then
    sudo -n "$@"
  else
    echo "[services] needs root (or password-less sudo) to run: $*" >&2
    echo "[services] $root_needed_for" >&2
    exit 1
  fi
}
