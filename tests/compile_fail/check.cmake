# Runs one compile-fail case: compiles SOURCE (syntax only) and checks that
#   (a) the compile fails,
#   (b) the compiler's output holds every `// expect-<FAMILY>: text` line of SOURCE,
#   (c) there is exactly one error: the first broken rule, and no wall after it,
#   (d) the whole output (error, notes, include and instantiation lines) is shorter
#       than MAX_LINES lines (default 40): what a learner has to read, on one screen.
# A source with no expect lines for FAMILY is a control case and must compile clean.
#
#   cmake -DCOMPILER=g++ -DFAMILY=gcc -DSOURCE=case.cpp -DFLAGS="-std=c++20|-Iinclude" -P check.cmake
#
# FLAGS is '|'-separated, since a ';' list would not survive add_test's quoting.
foreach(var COMPILER FAMILY SOURCE FLAGS)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "check.cmake: -D${var}=... is required")
    endif()
endforeach()
string(REPLACE "|" ";" flags "${FLAGS}")
if(NOT DEFINED MAX_LINES)
    set(MAX_LINES 40)
endif()

# The C locale makes g++ quote with ' rather than the typographic quotes of UTF-8.
set(ENV{LC_ALL} C)
execute_process(COMMAND "${COMPILER}" ${flags} -fsyntax-only "${SOURCE}"
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)

# The precompiled typenet.hpp (tests/CMakeLists.txt) is -included before the case.
# g++ then names it where the include chain would name the case's own #include line;
# clang names both, one line more than a learner's compile shows: that line goes.
string(REGEX REPLACE "In file included from [^\n]*/typenet_pch\\.hpp:1:\n" "" output "${output}")

# "error: " starts the text of every error line (and "fatal error: "); notes,
# "required from" lines and clang's "N errors generated." do not contain it.
string(REGEX MATCHALL "error: " error_marks "${output}")
list(LENGTH error_marks errors)

# Lines of output: its newlines, plus a last line that has none.
string(REGEX REPLACE "[^\n]" "" newlines "${output}")
string(LENGTH "${newlines}" lines)
if(NOT output STREQUAL "" AND NOT output MATCHES "\n$")
    math(EXPR lines "${lines} + 1")
endif()

get_filename_component(case "${SOURCE}" NAME)
set(problems "")

# Walk the expect lines with string(FIND) rather than as a CMake list: the
# messages hold ';' and '[', which a list would split or bracket.
file(READ "${SOURCE}" rest)
set(marker "// expect-${FAMILY}: ")
string(LENGTH "${marker}" marker_length)
set(checked 0)
string(FIND "${rest}" "${marker}" at)
while(NOT at EQUAL -1)
    math(EXPR text_start "${at} + ${marker_length}")
    string(SUBSTRING "${rest}" ${text_start} -1 rest)
    string(FIND "${rest}" "\n" line_end)
    string(SUBSTRING "${rest}" 0 ${line_end} expected)
    math(EXPR checked "${checked} + 1")
    string(FIND "${output}" "${expected}" found)
    if(found EQUAL -1)
        string(APPEND problems "\n  missing from the output: ${expected}")
    endif()
    string(FIND "${rest}" "${marker}" at)
endwhile()

if(checked EQUAL 0)
    if(NOT status EQUAL 0 OR errors GREATER 0)
        string(APPEND problems "\n  the control case must compile, but ${COMPILER} failed")
    endif()
else()
    if(status EQUAL 0)
        string(APPEND problems "\n  the compile succeeded; it must fail")
    endif()
    if(NOT errors EQUAL 1)
        string(APPEND problems "\n  ${errors} errors, expected exactly 1 (no follow-on errors)")
    endif()
    if(FAMILY STREQUAL "clang" AND NOT output MATCHES "\n1 error generated")
        string(APPEND problems "\n  clang did not say \"1 error generated\"")
    endif()
    if(NOT lines LESS MAX_LINES)
        string(APPEND problems "\n  ${lines} lines of output, expected fewer than ${MAX_LINES}")
    endif()
endif()

if(problems)
    message(FATAL_ERROR "${case} (${FAMILY}):${problems}\n--- compiler output ---\n${output}")
endif()
message(STATUS "${case} (${FAMILY}): ${errors} error(s), ${lines} line(s), ${checked} expected line(s) found")
