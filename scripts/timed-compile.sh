#!/usr/bin/env bash
# A compiler launcher (CMAKE_CXX_COMPILER_LAUNCHER) that runs the compile it is given
# and appends its wall seconds, peak resident MiB and output file to
# $TYPENET_COMPILE_LOG, so that scripts/test.sh can say what each lesson and test
# costs to build. Without TYPENET_COMPILE_LOG it only runs the command.
[[ -n ${TYPENET_COMPILE_LOG:-} ]] || exec "$@"
output=?
for ((i = 1; i < $#; ++i)); do
    [[ ${!i} == -o ]] && { j=$((i + 1)); output=${!j}; }
done
stats=$(mktemp)
/usr/bin/time -o "$stats" -f "%e %M" "$@"
status=$?
read -r seconds kb < <(tail -1 "$stats")  # after "Command exited with ..." on failure
rm -f "$stats"
[[ $output == /* ]] || output=$PWD/$output
printf "%s\t%d\t%s\n" "$seconds" "$((kb / 1024))" "$output" >>"$TYPENET_COMPILE_LOG"
exit $status
