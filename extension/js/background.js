// SSO Wallet service-worker bootstrap. Every chrome.* listener is registered synchronously in
// the first turn, so the event that woke a stopped worker is delivered; each listener waits for
// the wasm to be ready and hands over to it.
import init, { on_port_connect, on_port_message, on_port_disconnect, on_window_removed, restore } from "./wasm/background.js";

// Start-up marks (wall-clock ms), read by the cold-start benchmark over CDP; no data in them.
const now = () => performance.timeOrigin + performance.now();
const startup = (globalThis.__ssoStartup = { workerOrigin: performance.timeOrigin, scriptStart: now() });
// Ready once the wasm runs and what survived a restart (pending approvals) is restored.
const ready = init({ module_or_path: chrome.runtime.getURL("wasm/background_bg.wasm") })
  .then(() => (startup.wasmReady = now()))
  .then(() => restore());
ready.catch((e) => console.error("SSO Wallet: the background failed to start", e));
// Storage is the extension's own: content scripts (which run in web pages' processes) may not
// read or write it. Chrome's default lets them read chrome.storage.local; set both areas
// explicitly, every start (it is idempotent).
for (const area of [chrome.storage.local, chrome.storage.session]) {
  area.setAccessLevel?.({ accessLevel: "TRUSTED_CONTEXTS" }).catch((e) => console.error("SSO Wallet: storage access level", e));
}
let nextPortId = 0;

chrome.runtime.onConnect.addListener((port) => {
  const id = ++nextPortId;
  port.onMessage.addListener((message) => {
    startup.firstMessage ??= now();
    ready.then(() => on_port_message(id, message));
  });
  port.onDisconnect.addListener(() => {
    ready.then(() => on_port_disconnect(id));
  });
  ready.then(() => on_port_connect(id, port));
});

chrome.windows.onRemoved.addListener((windowId) => {
  ready.then(() => on_window_removed(windowId));
});
