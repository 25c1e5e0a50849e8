// Runs a wasm32-wasip1 program (a test binary) under Node's WASI, as cargo's
// runner: `CARGO_TARGET_WASM32_WASIP1_RUNNER="node scripts/wasi-run.mjs"`.
// The program sees its arguments (libtest's filters), the environment, and the
// file system through two preopened directories: the working directory (cargo
// runs a test in its package's directory) and /tmp.
import { readFile } from "node:fs/promises";
import process from "node:process";
import { WASI } from "node:wasi";

const [program, ...args] = process.argv.slice(2);
if (!program) {
    console.error("usage: node wasi-run.mjs PROGRAM.wasm [ARGS...]");
    process.exit(2);
}
const cwd = process.cwd();
const wasi = new WASI({
    version: "preview1",
    args: [program, ...args],
    env: process.env,
    preopens: { [cwd]: cwd, "/tmp": "/tmp" },
    returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(program));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
