#!/usr/bin/env bash
# The steps of the GitHub Action (action.yml) that run leaklint and decide the job's outcome.
# Inputs come in the environment, never spliced into the script.
#
#   run.sh lint     INPUT_PATHS INPUT_CONFIG INPUT_CATEGORY SARIF_FILE -> GITHUB_OUTPUT
#                   (exit-code, sarif-file); fails only when no SARIF file was written
#   run.sh verdict  EXIT_CODE FAIL_ON_FINDINGS -> fails the job on findings or trouble
set -uo pipefail

case "${1:-}" in
lint)
    args=(-f sarif -o "$SARIF_FILE")
    if [ -n "${INPUT_CONFIG:-}" ]; then args+=(--config "$INPUT_CONFIG"); fi
    if [ -n "${INPUT_CATEGORY:-}" ]; then args+=(--sarif-category "$INPUT_CATEGORY"); fi
    # Paths are separated by whitespace or newlines; no glob expansion.
    set -f
    # shellcheck disable=SC2206
    paths=(${INPUT_PATHS:-.})
    set +f
    if [ "${#paths[@]}" -eq 0 ]; then paths=(.); fi
    rm -f "$SARIF_FILE"
    status=0
    leaklint "${args[@]}" -- "${paths[@]}" || status=$?
    {
        echo "exit-code=$status"
        echo "sarif-file=$SARIF_FILE"
    } >>"$GITHUB_OUTPUT"
    if [ ! -f "$SARIF_FILE" ]; then
        echo "::error title=leaklint::leaklint wrote no report (exit code $status); see the log above"
        exit "$((status == 0 ? 2 : status))"
    fi
    # Findings and unreadable files are in the report: upload it first, decide afterwards.
    exit 0
    ;;
verdict)
    if [ "${EXIT_CODE:-2}" = 2 ]; then
        echo "::error title=leaklint::some files could not be read or linted (exit code 2); see the log above"
        exit 2
    fi
    if [ "$EXIT_CODE" = 1 ] && [ "${FAIL_ON_FINDINGS:-true}" = true ]; then
        echo "::error title=leaklint::leaklint reported error-level findings; they are in code scanning"
        exit 1
    fi
    exit 0
    ;;
*)
    echo "usage: run.sh lint|verdict" >&2
    exit 2
    ;;
esac
