// Approval window bootstrap: loads the Leptos UI (wasm). Inline scripts are blocked in MV3.
import init from "./wasm/ui.js";

init({ module_or_path: new URL("./wasm/ui_bg.wasm", import.meta.url) });
