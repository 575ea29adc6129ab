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
