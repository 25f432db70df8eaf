#!/usr/bin/env bash
# Make sure a headless browser is present for the web-page tests (tests/web) and print its path.
# Debian's chromium package (Playwright's own browser download is not used). Idempotent: does
# nothing when chromium is already installed. CI runs as root; elsewhere sudo is used if present.
set -euo pipefail
find_chromium() { command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true; }
BIN="$(find_chromium)"
if [ -z "$BIN" ]; then
  echo "browser.sh: installing chromium (Debian package)" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq chromium chromium-driver >&2
  BIN="$(find_chromium)"
fi
# A Chinese font, so the zh pages render (and screenshot) as characters rather than boxes.
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; then
  echo "browser.sh: installing a Chinese font (fonts-wqy-microhei)" >&2
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-wqy-microhei >&2 || echo "browser.sh: no Chinese font (pages still work)" >&2
fi
if [ -z "$BIN" ]; then
  echo "browser.sh: chromium could not be installed" >&2
  exit 1
fi
echo "$BIN"
