#!/usr/bin/env bash
# Build and install the Citus extension into the system PostgreSQL from the vendored source
# (../shared/vendor/citus-13.2.2.tar.gz beside the repository), when it is not installed yet.
# About five minutes on 2 cores. Needs root (apt-get, make install) or an existing install.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/../.." && pwd)"
VENDOR="${CITUS_VENDOR_DIR:-$HERE/../shared/vendor}"
PG_CONFIG="${PG_CONFIG:-pg_config}"

if ! command -v "$PG_CONFIG" >/dev/null 2>&1 || ! "$PG_CONFIG" --pgxs >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "citus: installing PostgreSQL and its build headers (apt-get)"
    apt-get update -qq
    apt-get install -y -qq postgresql postgresql-server-dev-15 >/dev/null
  fi
fi
PKGLIB="$("$PG_CONFIG" --pkglibdir)"
SHARE="$("$PG_CONFIG" --sharedir)"
if [ -f "$PKGLIB/citus.so" ] && [ -f "$SHARE/extension/citus.control" ]; then
  echo "citus: already installed in $PKGLIB"
  exit 0
fi

TARBALL="$VENDOR/citus-13.2.2.tar.gz"
PATCH="$VENDOR/citus-13.2.2-pg15.20.patch"
if [ ! -f "$TARBALL" ]; then
  echo "citus: the extension is not installed and the vendored source $TARBALL is missing;" >&2
  echo "citus: install Citus 13 for PostgreSQL $("$PG_CONFIG" --version) from its own packages." >&2
  exit 2
fi
if [ "$(id -u)" != 0 ]; then
  echo "citus: building Citus needs root (apt-get install of its build dependencies, make install)." >&2
  exit 2
fi

echo "citus: installing the build dependencies (apt-get)"
apt-get update -qq
apt-get install -y -qq postgresql-server-dev-15 libkrb5-dev liblz4-dev libzstd-dev \
  build-essential >/dev/null

BUILD="$(mktemp -d /tmp/citus-build.XXXXXX)"
trap 'rm -rf "$BUILD"' EXIT
tar -xzf "$TARBALL" -C "$BUILD"
cd "$BUILD/citus-13.2.2"
# PostgreSQL 15.20 made have_createdb_privilege() public; the patch renames Citus's own copy.
if [ -f "$PATCH" ] && patch -p1 --dry-run -s <"$PATCH" >/dev/null 2>&1; then
  patch -p1 -s <"$PATCH"
fi
echo "citus: building (about five minutes on 2 cores; log in $BUILD/build.log)"
{ ./configure --without-libcurl && make -j2 && make install; } >"$BUILD/build.log" 2>&1 || {
  tail -40 "$BUILD/build.log" >&2
  echo "citus: the build failed (see above)." >&2
  exit 2
}
echo "citus: installed into $PKGLIB"
