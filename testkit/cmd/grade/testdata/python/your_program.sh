#!/bin/sh
# A learner's entry point for a program written in Python.
exec python3 "$(dirname "$0")/main.py" "$@"
