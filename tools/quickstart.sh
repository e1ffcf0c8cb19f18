#!/usr/bin/env bash
# Sets everything up and runs a real evaluation: GSM8K (first 10 problems, 5-shot, lm-eval's gsm8k) on the
# embedded default backend, llama.cpp in-process, with the tiny stories260K model — no server, no key.
# One thread: for a 260K-parameter model, more threads only add synchronisation.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
source tools/bootstrap.sh
export EVALCHEMY_DATASETS_DIR="${EVALCHEMY_DATASETS_DIR:-$repo_root/../shared/datasets}"
model="${EVALCHEMY_QUICKSTART_MODEL:-$repo_root/../shared/models/stories260K.gguf}"
node packages/cli/dist/bin.js run --model llamacpp --model_args "model=$model,threads=1" --tasks gsm8k --limit 10 --output_path results "$@"
