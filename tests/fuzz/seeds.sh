# seeds.sh - sourced by fuzz.sh and replay.sh: fuzz_seeds TARGET DIR writes TARGET's seed inputs
# into DIR, made from what the project already has (captured gateway answers, scenario lines).
# Needs top_srcdir.

fuzz_seeds() {
    _dir=$2
    mkdir -p "$_dir"
    _i=0
    case $1 in
    objects)
        # every fixture through every parser: the first byte picks the parser (16, 33, 50: the
        # answer to a query by one, two or three ids)
        for _f in "$top_srcdir"/tests/fixtures/*.json; do
            for _sel in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 33 50; do
                { printf "\\$(printf %o "$_sel")"; cat "$_f"; } >"$_dir/$_i-$_sel"
            done
            _i=$((_i + 1))
        done
        ;;
    error)
        # the first two bytes pick the HTTP status (index 7: 500) and whether it is HTML
        for _f in "$top_srcdir"/tests/fixtures/*.json; do
            { printf '\007\000'; cat "$_f"; } >"$_dir/$_i"
            _i=$((_i + 1))
        done
        {
            printf '\007\000{"message":"Error with details","httpStatusCode":500,"errorCode":182,'
            printf '"details":[{"rc":182,"error":"TOO_MANY_SNAPS_IN_VTREE","errorMessage":"x"}]}'
        } >"$_dir/details"
        printf '\010\001<html><body>502</body></html>' >"$_dir/html"
        ;;
    url)
        while IFS= read -r _line; do
            case $_line in '#'*) continue ;; esac
            printf '%b' "$_line" >"$_dir/$_i"
            _i=$((_i + 1))
        done <"$top_srcdir/tests/fuzz/url-seeds.txt"
        ;;
    image)
        # the first byte picks the declared format (0 RAW, 1 QCOW2, 2 VMDK, 3 ISO; 128 added
        # allows encryption), the rest is an image's first 64 KiB: made here with printf, and
        # with qemu-img (small clusters) when there is one
        _t=$(mktemp -d "${TMPDIR:-/tmp}/imgseed.XXXXXX") || return 1
        _q=${QEMU_IMG:-qemu-img}
        if command -v "$_q" >/dev/null 2>&1; then
            "$_q" create -q -f qcow2 -o cluster_size=512 "$_t/v3.qcow2" 1M
            "$_q" create -q -f qcow2 -o compat=0.10,cluster_size=512 "$_t/v2.qcow2" 1M
            "$_q" create -q -f qcow2 -o cluster_size=512 -b "$_t/v3.qcow2" -F qcow2 "$_t/backed.qcow2"
            "$_q" create -q -f qcow2 -o cluster_size=512,data_file="$_t/data" "$_t/datafile.qcow2" 1M
            "$_q" create -q -f vmdk "$_t/sparse.vmdk" 1M
            "$_q" create -q -f vmdk -o subformat=streamOptimized "$_t/stream.vmdk" 1M
            "$_q" create -q -f vmdk -o subformat=monolithicFlat "$_t/flat.vmdk" 1M
            "$_q" create -q -f vpc "$_t/dynamic.vhd" 1M
            "$_q" create -q -f vdi "$_t/a.vdi" 1M
            "$_q" create -q -f qed "$_t/a.qed" 1M
            rm -f "$_t/data" "$_t/flat-flat.vmdk"
        fi
        { head -c 32768 /dev/zero; printf '\001CD001\001'; head -c 2041 /dev/zero; } >"$_t/a.iso"
        printf 'raw bytes\n' >"$_t/a.raw"
        for _f in "$_t"/*; do
            for _sel in 0 1 2 3 129; do
                { printf "\\$(printf %o "$_sel")"; head -c 65536 "$_f"; } >"$_dir/$_i-$_sel"
            done
            _i=$((_i + 1))
        done
        rm -rf "$_t"
        ;;
    cmk)
        for _f in "$top_srcdir"/tests/scenarios/*.cmk "$top_srcdir"/tests/scenarios/*.inc; do
            while IFS= read -r _line; do
                printf '%s' "$_line" >"$_dir/$_i"
                _i=$((_i + 1))
            done <"$_f"
        done
        ;;
    *)
        echo "fuzz_seeds: unknown target $1" >&2
        return 1
        ;;
    esac
    [ "$_i" -gt 0 ] || { echo "fuzz_seeds: no seeds for $1" >&2; return 1; }
}

# The program of a target (the cmk target belongs to the harness).
fuzz_program() {
    case $1 in
    cmk) echo "$top_builddir/tests/harness/fuzz_cmk" ;;
    *) echo "$top_builddir/tests/fuzz/fuzz_$1" ;;
    esac
}
