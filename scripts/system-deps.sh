#!/usr/bin/env bash
# Installs the Debian packages the service and its tests need, when they are missing.
#   libharfbuzz-subset0: WeasyPrint's fast font subsetting (without it renders are ~5x slower)
#   chromium:            the real browser for the web-page tests (Playwright drives it)
#   poppler-utils:       pdftoppm, so tests can rasterise a certificate and decode its QR code
#   openssl:             a self-signed certificate for the SMTP-over-TLS tests
#   wrk:                 the HTTP load generator of `make bench` (benchmarks/bench_http.py)
set -euo pipefail
packages=(libharfbuzz-subset0 chromium poppler-utils openssl wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "warning: missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
