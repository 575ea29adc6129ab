#!/bin/sh
# fake_drv_cfg.sh - test fixture standing in for <SDC home>/bin/drv_cfg (the suites copy it there).
# It appends each call's arguments to <home>/calls and answers from files the test writes:
#   <home>/query_vols.out  printed by --query_vols (missing: fails as an unconnected SDC would)
#   <home>/query_guid.out  printed by --query_guid
#   <home>/query_mdms.out  printed by --query_mdms (missing: the option is unknown, as to an older
#                          drv_cfg, which prints its usage and exits 2)
#   <home>/rescan.fail     when present, --rescan prints it on stderr and exits 1
#   <home>/query_mdms.out  printed by --query_mdms
#   <home>/mdm.stderr      when present, --add_mdm/--remove_mdm print it on stderr (and exit 0)
#   <home>/old             when present, the usage does not offer --remove_mdm
home=$(cd "$(dirname "$0")/.." && pwd)
printf '%s\n' "$*" >>"$home/calls"
case "$1" in
--rescan)
	if [ -f "$home/rescan.fail" ]; then
		cat "$home/rescan.fail" >&2
		exit 1
	fi
	exit 0
	;;
--query_vols)
	if [ ! -f "$home/query_vols.out" ]; then
		echo "Failed to query volumes: the SDC is not connected to any MDM" >&2
		exit 1
	fi
	cat "$home/query_vols.out"
	;;
--query_guid)
	cat "$home/query_guid.out"
	;;
--query_mdms)
	if [ ! -f "$home/query_mdms.out" ]; then
		echo "Usage: drv_cfg --rescan | --query_vols | --query_guid" >&2
		exit 2
	fi
	cat "$home/query_mdms.out"
	;;
--add_mdm|--remove_mdm)
	if [ -f "$home/mdm.stderr" ]; then
		cat "$home/mdm.stderr" >&2
	fi
	exit 0
	;;
*)
	if [ -f "$home/old" ]; then
		echo "Usage: drv_cfg --rescan | --query_vols | --query_guid | --add_mdm" >&2
	else
		echo "Usage: drv_cfg --rescan | --query_vols | --query_guid | --add_mdm | --remove_mdm" >&2
	fi
	exit 2
	;;
esac
