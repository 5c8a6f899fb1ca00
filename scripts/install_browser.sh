#!/usr/bin/env bash
# Install Debian's chromium and chromium-driver for the browser test of the Voilà explorer
# (tests/test_verkenner_browser.py). Idempotent and quiet: does nothing when both are present.
# Needs root (or sudo) and apt-get; elsewhere the browser test skips with a reason.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser.sh: geen apt-get op deze machine; installeer chromium en chromium-driver zelf." >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "install_browser.sh: root of sudo nodig voor apt-get." >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
