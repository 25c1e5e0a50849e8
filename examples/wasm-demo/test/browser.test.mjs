// The demo page in Debian's headless Chromium: builds the module for
// wasm32-unknown-unknown and the native `expected` program, serves `www/` and the
// module on 127.0.0.1, loads the page, reads what it wrote into the DOM, and checks
// it against the native numbers. Run with `npm test` in examples/wasm-demo (after
// `npm ci`); `.ci/run` does. Without Chromium (`$CHROMIUM`, else /usr/bin/chromium)
// the test is skipped with the reason, except under CI, where it fails.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const demo = dirname(dirname(fileURLToPath(import.meta.url)));
const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ci = !["", "false", "0"].includes(process.env.CI ?? "");
const missing = existsSync(chromium) ? null : `no Chromium at ${chromium} (Debian: apt-get install chromium)`;

/// Runs cargo in the demo's directory, so that its .cargo/config.toml (simd128)
/// applies; returns what it printed on stdout.
function cargo(...args) {
    return execFileSync(process.env.CARGO ?? "cargo", args, {
        cwd: demo,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
}

/// Serves `www/`, and the module just built at `/mlp_wasm_demo.wasm`, on 127.0.0.1,
/// on a free port.
async function serve(module) {
    const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
    const server = createServer(async (request, response) => {
        const name = new URL(request.url, "http://127.0.0.1").pathname.replace(/^\/$/, "/index.html");
        const file = name === "/mlp_wasm_demo.wasm" ? module : join(demo, "www", name.replace(/\.\./g, ""));
        try {
            const body = await readFile(file);
            response.writeHead(200, { "content-type": types[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream" });
            response.end(body);
        } catch {
            response.writeHead(404).end();
        }
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    return server;
}

test("the page trains exclusive or and predicts placement as the native build does", {
    skip: !ci && missing ? `skipped: ${missing}` : false,
    timeout: 15 * 60 * 1000,
}, async () => {
    assert.equal(missing, null, "CI must run the browser test");
    cargo("build", "--release", "--target", "wasm32-unknown-unknown", "--lib");
    const module = join(demo, "target/wasm32-unknown-unknown/release/mlp_wasm_demo.wasm");
    // A debug build: the same IEEE operations as an optimised one, and quicker to build.
    const expected = JSON.parse(cargo("run", "--quiet", "--bin", "expected"));

    const { chromium: launcher } = await import("playwright-core");
    const server = await serve(module);
    // Playwright starts Chromium headless with a new, empty user data directory.
    const browser = await launcher.launch({
        executablePath: chromium,
        args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
        const page = await browser.newPage();
        const errors = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.goto(`http://127.0.0.1:${server.address().port}/`);
        await page.waitForFunction(() => document.getElementById("status").textContent !== "Loading the WebAssembly module…");
        assert.equal(await page.textContent("#status"), "done", `page errors: ${errors}`);
        const number = async (id) => Number(await page.textContent(`#${id}`));
        const shown = {
            xor_loss: await number("xor-loss"),
            xor: await Promise.all([0, 1, 2, 3].map((i) => number(`xor-${i}`))),
            placement: await number("placement"),
        };
        console.log(`page: ${JSON.stringify(shown)}\nnative: ${JSON.stringify(expected)}`);

        // Trained: the zeros below 0.1, the ones above 0.9.
        [0, 1, 1, 0].forEach((want, i) => assert.ok(Math.abs(shown.xor[i] - want) < 0.1, `xor row ${i}: ${shown.xor[i]}`));
        assert.ok(shown.placement > 0.5, `a strong student: ${shown.placement}`);
        // The page and the native build run the same f32 operations in the same order,
        // in four lanes on both (simd128 there, SSE2 here, neither fusing multiply and
        // add) with the same libm: their numbers agree to the bit. The page shows the
        // f32 widened to a JS number; `expected` has Rust's shortest digits of the f32,
        // which Math.fround takes back to it.
        const f32 = Math.fround;
        assert.deepEqual(shown, {
            xor_loss: f32(expected.xor_loss),
            xor: expected.xor.map(f32),
            placement: f32(expected.placement),
        });
    } finally {
        await browser.close();
        server.close();
    }
});
