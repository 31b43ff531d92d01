#!/usr/bin/env bash
# Builds the zip you side-load onto a Roku in developer mode:
#   roku/out/newsdesk-channel.zip  (manifest, source/, components/, images/)
# FEED_URL=... and POLL_SECONDS=... override the manifest's feed_url and
# poll_interval_seconds in the packaged copy (the manifest in git is untouched).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

out="out/newsdesk-channel.zip"
staging="out/package"
rm -rf "$staging" "$out"
mkdir -p "$staging"
cp -R manifest source components images "$staging/"

if [[ -n "${FEED_URL:-}" ]]; then
    if [[ ! "$FEED_URL" =~ ^https?:// ]]; then
        echo "FEED_URL must start with http:// or https://" >&2
        exit 2
    fi
    sed -i "s|^feed_url=.*|feed_url=${FEED_URL}|" "$staging/manifest"
fi
if [[ -n "${POLL_SECONDS:-}" ]]; then
    if [[ ! "$POLL_SECONDS" =~ ^[0-9]+$ ]]; then
        echo "POLL_SECONDS must be a whole number of seconds" >&2
        exit 2
    fi
    sed -i "s|^poll_interval_seconds=.*|poll_interval_seconds=${POLL_SECONDS}|" "$staging/manifest"
fi

python3 - "$staging" "$out" <<'PY'
import os, sys, zipfile
staging, out = sys.argv[1], sys.argv[2]
names = []
for top in ("manifest", "source", "components", "images"):
    path = os.path.join(staging, top)
    if os.path.isfile(path):
        names.append(top)
    for root, _, files in os.walk(path):
        for name in sorted(files):
            names.append(os.path.relpath(os.path.join(root, name), staging))
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
    for name in names:
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        with open(os.path.join(staging, name), "rb") as f:
            zf.writestr(info, f.read())
with zipfile.ZipFile(out) as zf:
    listed = zf.namelist()
    assert "manifest" in listed, "manifest must be at the root of the zip"
    assert any(n.startswith("source/") for n in listed) and any(n.startswith("components/") for n in listed)
    assert zf.testzip() is None
feed = [l for l in open(os.path.join(staging, "manifest")) if l.startswith("feed_url=")]
print(f"{out}: {len(listed)} files, {os.path.getsize(out)} bytes, {feed[0].strip() if feed else 'no feed_url'}")
PY
rm -rf "$staging"
