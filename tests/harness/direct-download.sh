#!/bin/sh
# Direct-download templates end to end: serves a QCOW2 and a RAW image over HTTP on 127.0.0.1 (a
# random port) and runs tests/scenarios/direct-download.cmk, which registers them with
# directdownload=true, deploys VMs from them and reads their ROOT disks back. The harness's
# qemu-img is one without a curl driver (it refuses URLs, as qemu-img without qemu-block-extra
# does): registration must not probe the URL with qemu-img, as CloudStack does not.
set -u
b=${top_builddir:-.}
s=${srcdir:-.}
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 serves the images"; exit 77; }
real_qemu_img=$(command -v "${QEMU_IMG:-qemu-img}") || { echo "no qemu-img"; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dd.XXXXXX") || exit 99
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
mkdir -p "$tmp/www" "$tmp/bin"
# 1 GiB images whose first MiB is random: what a guest of the deployed VM must read.
head -c 1048576 /dev/urandom > "$tmp/first"
cp "$tmp/first" "$tmp/www/dd.raw" && truncate -s 1G "$tmp/www/dd.raw" || exit 99
"$real_qemu_img" convert -q -f raw -O qcow2 "$tmp/www/dd.raw" "$tmp/www/dd.qcow2" || exit 99
sha=$(sha256sum "$tmp/first" | cut -d' ' -f1)
cat > "$tmp/bin/qemu-img" <<EOS
#!/bin/sh
for a in "\$@"; do
  case "\$a" in *://*) echo "qemu-img: Could not open '\$a': Unknown protocol" >&2; exit 1 ;; esac
done
exec "$real_qemu_img" "\$@"
EOS
chmod +x "$tmp/bin/qemu-img"
python3 -u -m http.server --bind 127.0.0.1 --directory "$tmp/www" 0 > "$tmp/http.log" 2>&1 &
pid=$!
port=
for i in $(seq 1 100); do
  port=$(sed -n 's/.* port \([0-9][0-9]*\).*/\1/p' "$tmp/http.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "the HTTP server did not start:"; cat "$tmp/http.log"; exit 99; }
echo "serving $tmp/www on http://127.0.0.1:$port"
QEMU_IMG="$tmp/bin/qemu-img" CSH_ddbase="http://127.0.0.1:$port" CSH_ddsha="$sha" \
  top_builddir="$b" sh "$s/tests/harness/run-cmk.sh" "$s/tests/scenarios/direct-download.cmk"
rc=$?
[ $rc -eq 0 ] || exit 99
echo PASS
