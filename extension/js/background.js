// SSO Wallet service-worker bootstrap. Every chrome.* listener is registered synchronously in
// the first turn, so the event that woke a stopped worker is delivered; each listener waits for
// the wasm to be ready and hands over to it — but for a page's `eth_chainId` / `net_version`
// while the wasm starts, answered here from the chain hint (below).
import init, { on_port_connect, on_port_message, on_port_disconnect, on_window_removed, restore } from "./wasm/background.js";

// Start-up marks (wall-clock ms), read by the cold-start benchmark over CDP; no data in them.
// `memoryBytes` (the wasm's linear memory) is read by the memory benchmark, `earlyAnswers` (how
// many requests the chain hint answered) by the tests.
const now = () => performance.timeOrigin + performance.now();
const startup = (globalThis.__ssoStartup = { workerOrigin: performance.timeOrigin, scriptStart: now() });

// The chain hint: the selected network's chain id (`0x…`), which the wasm keeps in
// `chrome.storage.session` (memory only; gone when the browser closes or the extension is
// updated, out of content scripts' reach) and removes before any change that may select another
// network. A page's first call after the worker stopped is nearly always `eth_chainId`; it is
// answered from the hint without waiting for the wasm to compile, but only while no other request
// has come in since this start (any other one is answered by the wasm, in order, and may change
// the network), so no answer here can contradict one the wasm gives.
const CHAIN_HINT_KEY = "chainHint";
let hint = null; // the chain id while it may answer (until the wasm is ready or gets a request)
const hintRead = chrome.storage.session
  .get(CHAIN_HINT_KEY)
  .then((items) => items?.[CHAIN_HINT_KEY])
  .catch(() => undefined);
// Every event is handed on in arrival order through `gate`, which opens once the hint is read:
// a message that arrives earlier waits for it rather than overtake (or be overtaken by) another.
let gate = hintRead.then((value) => {
  if (typeof value === "string" && /^0x[1-9a-f][0-9a-f]{0,15}$/.test(value)) hint = value;
});
// (A step hands over to the wasm without waiting for it: `ready` keeps their order from there.)
const inOrder = (step) => {
  gate = gate.then(step).catch((e) => console.error("SSO Wallet:", e));
};

// Ready once the wasm runs and what survived a restart (pending approvals) is restored.
const ready = Promise.all([init({ module_or_path: chrome.runtime.getURL("wasm/background_bg.wasm") }), hintRead])
  .then(([wasm, known]) => {
    startup.wasmReady = now();
    startup.memoryBytes = () => wasm.memory.buffer.byteLength;
    return restore(typeof known === "string" ? known : undefined);
  })
  .finally(() => (hint = null));
ready.catch((e) => console.error("SSO Wallet: the background failed to start", e));

/** Answers `message` from the hint if it may; false when the wasm must answer it (as it must
 *  whatever it would refuse or check: an odd id, any params). */
function answerEarly(port, message) {
  if (hint === null || !port.name.startsWith("provider:")) return false;
  if (!Number.isSafeInteger(message?.id) || message.id < 0) return false;
  const params = message.params;
  if (params != null && !(Array.isArray(params) && params.length === 0)) return false;
  let result;
  if (message.method === "eth_chainId") result = hint;
  else if (message.method === "net_version") result = BigInt(hint).toString();
  else return false;
  try {
    port.postMessage({ id: message.id, result });
  } catch {
    // The page went away meanwhile: nobody to answer.
  }
  startup.earlyAnswers = (startup.earlyAnswers ?? 0) + 1;
  return true;
}

// Storage is the extension's own: content scripts (which run in web pages' processes) may not
// read or write it. Chrome's default lets them read chrome.storage.local; set both areas
// explicitly, every start (it is idempotent).
for (const area of [chrome.storage.local, chrome.storage.session]) {
  area.setAccessLevel?.({ accessLevel: "TRUSTED_CONTEXTS" }).catch((e) => console.error("SSO Wallet: storage access level", e));
}
let nextPortId = 0;

chrome.runtime.onConnect.addListener((port) => {
  const id = ++nextPortId;
  inOrder(() => void ready.then(() => on_port_connect(id, port)));
  port.onMessage.addListener((message) => {
    startup.firstMessage ??= now();
    inOrder(() => {
      if (answerEarly(port, message)) return;
      hint = null; // a request for the wasm: no early answer after it
      ready.then(() => on_port_message(id, message));
    });
  });
  port.onDisconnect.addListener(() => {
    inOrder(() => void ready.then(() => on_port_disconnect(id)));
  });
});

chrome.windows.onRemoved.addListener((windowId) => {
  inOrder(() => void ready.then(() => on_window_removed(windowId)));
});
