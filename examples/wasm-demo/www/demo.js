// Loads the module (`mlp_wasm_demo.wasm`, served beside this page), trains
// exclusive or, predicts a student's placement, and writes every number into the
// page. The numbers are written with all their digits (`String(x)`), so that a
// test can read them back exactly; `#status` says "done" at the end, or the error.
const status = document.getElementById("status");
const show = (id, text) => { document.getElementById(id).textContent = text; };

try {
    // The module imports nothing: it computes, it does no I/O. Compiled from its
    // bytes, so that any static server will do, whatever type it gives .wasm files.
    const response = await fetch("mlp_wasm_demo.wasm");
    if (!response.ok) throw new Error(`mlp_wasm_demo.wasm: ${response.status} ${response.statusText}`);
    const { instance } = await WebAssembly.instantiate(await response.arrayBuffer(), {});
    const mlp = instance.exports;

    const started = performance.now();
    const loss = mlp.xor_train(1, 500);
    show("xor-ms", (performance.now() - started).toFixed(1));
    show("xor-loss", String(loss));
    [[0, 0], [0, 1], [1, 0], [1, 1]].forEach(([a, b], i) => show(`xor-${i}`, String(mlp.xor_predict(a, b))));

    show("placement", String(mlp.placement_predict(9.2, 7.5, 6.0, 4.0)));
    status.textContent = "done";
} catch (e) {
    status.textContent = `error: ${e}`;
}
