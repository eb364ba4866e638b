#!/usr/bin/env bash
# Regenerates ts/interop/onnx/proto/onnx_pb.ts (the ONNX protobuf definitions for
# @bufbuild/protobuf) from ts/interop/onnx/proto/onnx.proto, a copy of onnx/onnx.proto3 of the
# ONNX repository (renamed: buf only reads *.proto). The generated file is committed; run this
# after replacing onnx.proto with a newer upstream copy. Needs `npm ci` (buf and protoc-gen-es
# are devDependencies; buf ships its binary as an optional dependency, no install script).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir=ts/interop/onnx/proto
export PATH="$PWD/node_modules/.bin:$PATH"
command -v buf >/dev/null || { echo "gen-onnx-proto: buf not found: run npm ci" >&2; exit 1; }
# import_extension=js: the repository's TypeScript resolves relative imports without extension,
# but the generated file has none (it only imports @bufbuild/protobuf).
buf generate "$dir" --template '{"version":"v2","plugins":[{"local":"protoc-gen-es","out":"'"$dir"'","opt":["target=ts"]}]}'
echo "gen-onnx-proto: wrote $dir/onnx_pb.ts"
