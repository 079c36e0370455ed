// Browser benchmarks of SSO Wallet: provider round trip against a bare echo extension, cold start
// after the service worker is stopped, approval window time to interactive, the passkey and
// session transaction breakdowns, the worker's JS heap and the wasm's linear memory — in headless
// Chromium against the devnet.
//
//   SSO_EXTENSION_DIR=dist/extension SSO_DEVNET_JSON=<devnet.json> SSO_DAPP_PORT=<port serving
//   target/dapp> SSO_CHROMIUM=/usr/lib/chromium/chromium node tests/bench/browser.mjs --out <json>
//
// Every loop is bounded; everything runs on 127.0.0.1; browsers and temp dirs go in `finally`.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { AUTHENTICATOR, launchWithExtension } from "../e2e/lib/chromium.mjs";
import { DAPP, OTHER_DAPP, Wallet, devnet, nodeRpc } from "../e2e/lib/harness.mjs";

// Playwright turns on DevTools network inspection (CDP `Network.enable`) in every service worker
// it sees, which no user's browser has: it adds 0.5–1 ms to each `fetch` round trip in the
// worker (measured with a raw CDP session on the same extension: 1.4–1.6 ms per node call
// without it, 1.9–2.7 ms with it), and so to every figure made of the wallet's requests. The
// benchmarks use none of Playwright's worker network events (the timing proxy below sees the
// requests), so it is off; read at launch, hence set before any. Pages keep their inspection.
process.env.PLAYWRIGHT_DISABLE_SERVICE_WORKER_NETWORK = "1";

const { values: args } = parseArgs({
  options: {
    out: { type: "string", default: "target/bench/browser.json" },
    calls: { type: "string", default: "1000" },
    warmup: { type: "string", default: "100" },
    cold: { type: "string", default: "20" },
    windows: { type: "string", default: "10" },
    txs: { type: "string", default: "5" },
    "session-txs": { type: "string", default: "120" },
    runs: { type: "string", default: "3" },
    "memory-sessions": { type: "string", default: "50" },
    "memory-requests": { type: "string", default: "10000" },
    only: { type: "string" },
    // A CPU profile of the worker over the session transactions (Chrome's .cpuprofile JSON).
    profile: { type: "string" },
  },
});
const SESSION_TXS = Number(args["session-txs"]);
const CALLS = Number(args.calls);
const WARMUP = Number(args.warmup);
const COLD = Number(args.cold);
const WINDOWS = Number(args.windows);
const TXS = Number(args.txs);
const RUNS = Number(args.runs);
const MEMORY_SESSIONS = Number(args["memory-sessions"]);
const MEMORY_REQUESTS = Number(args["memory-requests"]);

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
/** Wall-clock milliseconds with sub-millisecond resolution; comparable with a page's `epoch()`. */
const epoch = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** `networks` without sponsors: the benchmarked account pays its own fees (as the figures did before sponsorship). */
const unsponsored = (networks) => ({ ...networks, networks: networks.networks.map(({ sponsorUrl, ...n }) => n) });

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  const round = (x) => Math.round(x * 1000) / 1000;
  return {
    n: s.length,
    median: round(q(0.5)),
    p99: round(q(0.99)),
    min: round(s[0]),
    max: round(s[s.length - 1]),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

// ---------------------------------------------------------------------------------------------
// Launching: the flags of tests/e2e/lib/chromium.mjs plus a DevTools port, so a raw browser-level
// CDP connection can attach to the service worker (Playwright gives no CDP session on workers).

function launch(extension, profile) {
  return launchWithExtension({
    profile,
    extension,
    executablePath: env("SSO_CHROMIUM"),
    extraArgs: ["--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"],
  });
}

/** A raw CDP connection to the browser (flattened sessions), from the profile's DevToolsActivePort. */
async function browserCdp(profile) {
  let text = "";
  for (let i = 0; i < 100 && !text.includes("\n"); i++) {
    text = await readFile(join(profile, "DevToolsActivePort"), "utf8").catch(() => "");
    if (!text.includes("\n")) await sleep(50);
  }
  const [port, path] = text.trim().split("\n");
  if (!port || !path) throw new Error("no DevToolsActivePort");
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let next = 1;
  const waiting = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(data.toString());
    const w = msg.id !== undefined && waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.error) w.reject(new Error(`${w.method}: ${msg.error.message}`));
    else w.resolve(msg.result);
  });
  const send = (method, params = {}, sessionId) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject, method });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
      setTimeout(() => {
        if (waiting.delete(id)) reject(new Error(`${method}: CDP timeout`));
      }, 15_000);
    });
  return { send, close: () => ws.close() };
}

/** A CDP session on the extension's running service worker (null when none runs). */
async function attachToWorker(cdp, extensionId) {
  const { targetInfos } = await cdp.send("Target.getTargets");
  const target = targetInfos.find((t) => t.type === "service_worker" && t.url.startsWith(`chrome-extension://${extensionId}/`));
  if (!target) return null;
  const { sessionId } = await cdp.send("Target.attachToTarget", { targetId: target.targetId, flatten: true });
  return { sessionId, detach: () => cdp.send("Target.detachFromTarget", { sessionId }).catch(() => {}) };
}

/** JS heap of the extension's service worker, before and after a forced GC. */
async function workerHeap(cdp, extensionId) {
  const worker = await attachToWorker(cdp, extensionId);
  if (!worker) throw new Error("no running service worker target");
  try {
    const before = await cdp.send("Runtime.getHeapUsage", {}, worker.sessionId);
    await cdp.send("HeapProfiler.collectGarbage", {}, worker.sessionId);
    const after = await cdp.send("Runtime.getHeapUsage", {}, worker.sessionId);
    return {
      usedBytes: before.usedSize,
      totalBytes: before.totalSize,
      usedAfterGcBytes: after.usedSize,
      totalAfterGcBytes: after.totalSize,
    };
  } finally {
    await worker.detach();
  }
}

// ---------------------------------------------------------------------------------------------
// Page-side measurements (the loop runs inside the page: no Playwright round trip in the figure).

/** `n` sequential `method` calls through window.ethereum after `warmup`; per-call ms. */
function providerLoop(page, method, n, warmup) {
  return page.evaluate(
    async ([method, n, warmup]) => {
      for (let i = 0; i < warmup; i++) await window.ethereum.request({ method });
      const out = new Array(n);
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await window.ethereum.request({ method });
        out[i] = performance.now() - t;
      }
      return out;
    },
    [method, n, warmup],
  );
}

/** The same JSON-RPC call straight from the page to the node with fetch. */
function fetchLoop(page, url, method, n, warmup) {
  return page.evaluate(
    async ([url, method, n, warmup]) => {
      let id = 1;
      const call = async () => {
        const r = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: id++, method, params: [] }),
        });
        const json = await r.json();
        if (json.error) throw new Error(json.error.message);
        return json.result;
      };
      for (let i = 0; i < warmup; i++) await call();
      const out = new Array(n);
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await call();
        out[i] = performance.now() - t;
      }
      return out;
    },
    [url, method, n, warmup],
  );
}

/** Time of one request from the page (ms), its answer, and its wall-clock start and end. */
function timedRequest(page, method = "eth_chainId") {
  return page.evaluate(async (method) => {
    const t = performance.now();
    const result = await window.ethereum.request({ method }).catch((e) => ({ code: e.code }));
    const end = performance.now();
    return { ms: end - t, result, start: performance.timeOrigin + t, end: performance.timeOrigin + end };
  }, method);
}

/** Evaluates `expression` (JSON text) in the extension's running service worker, over CDP. */
async function workerEval(cdp, extensionId, expression) {
  const worker = await attachToWorker(cdp, extensionId);
  if (!worker) return null;
  try {
    const { result } = await cdp.send("Runtime.evaluate", { expression, returnByValue: true }, worker.sessionId);
    return JSON.parse(result.value);
  } finally {
    await worker.detach();
  }
}

/** The worker's start-up marks (`__ssoStartup` of background.js) and its wasm fetch timing. */
function workerStartup(cdp, extensionId) {
  return workerEval(
    cdp,
    extensionId,
    `JSON.stringify({ ...globalThis.__ssoStartup, wasmFetch: performance.getEntriesByType("resource")
      .filter((e) => e.name.endsWith(".wasm"))
      .map((e) => ({ start: performance.timeOrigin + e.startTime, end: performance.timeOrigin + e.responseEnd }))[0] ?? null })`,
  );
}

/** Starts V8's CPU profiler in the extension's service worker; `stop()` returns the profile. */
async function workerProfiler(cdp, extensionId) {
  const worker = await attachToWorker(cdp, extensionId);
  if (!worker) throw new Error("no running service worker to profile");
  await cdp.send("Profiler.enable", {}, worker.sessionId);
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 }, worker.sessionId);
  await cdp.send("Profiler.start", {}, worker.sessionId);
  return {
    async stop() {
      const { profile } = await cdp.send("Profiler.stop", {}, worker.sessionId);
      await worker.detach();
      return profile;
    },
  };
}

/** The background wasm's linear memory in bytes (it only grows: this is its high-water mark). */
function wasmMemory(cdp, extensionId) {
  return workerEval(cdp, extensionId, "JSON.stringify(globalThis.__ssoStartup?.memoryBytes?.() ?? null)");
}

/**
 * Opens the dapp cross-origin isolated (COOP + COEP added to its responses here): the page's
 * `performance.now()` then resolves 5 µs instead of 100 µs, so sub-millisecond round trips are
 * measured rather than rounded (`timerResolutionMs` in the results says which one applied).
 */
async function openDapp(context, url, { isolated = true } = {}) {
  const page = await context.newPage();
  if (isolated) await page.route(`${new URL(url).origin}/**`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({
      response,
      headers: { ...response.headers(), "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" },
    });
  });
  await page.goto(url);
  await page.waitForFunction(() => window.ethereum);
  if (isolated) timerResolutionMs ??= (await page.evaluate(() => crossOriginIsolated)) ? 0.005 : 0.1;
  return page;
}
/** The page clock's resolution the figures were taken at (ms). */
let timerResolutionMs = null;

// ---------------------------------------------------------------------------------------------
// Cold start: stop the worker from a CDP session on an extension page, wait until Chrome reports it
// stopped, then time the first eth_chainId from the dapp.

async function coldStarts(context, extensionId, dapp, n, browser = null, { method = "eth_chainId", expect = "0x7a69" } = {}) {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/manifest.json`);
  const cdp = await context.newCDPSession(page);
  const status = new Map(); // versionId -> runningStatus, for this extension's worker
  const changed = [];
  cdp.on("ServiceWorker.workerVersionUpdated", ({ versions }) => {
    for (const v of versions) {
      if (!v.scriptURL.startsWith(`chrome-extension://${extensionId}/`)) continue;
      status.set(v.versionId, v.runningStatus);
      for (const f of changed.splice(0)) f();
    }
  });
  const allStopped = () => [...status.values()].every((s) => s === "stopped");
  const waitFor = async (pred, what) => {
    const deadline = Date.now() + 10_000;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for the worker to be ${what}`);
      await new Promise((r) => {
        changed.push(r);
        setTimeout(r, 50);
      });
    }
  };
  const samples = [];
  const phases = {};
  let early = 0; // answered by background.js from the chain hint before the wasm was ready
  try {
    await cdp.send("ServiceWorker.enable");
    await waitFor(() => status.size > 0, "seen");
    for (let i = 0; i < n; i++) {
      await cdp.send("ServiceWorker.stopAllWorkers");
      await waitFor(allStopped, "stopped");
      await sleep(100); // let the content script see the port disconnect
      const { ms, result, start, end } = await timedRequest(dapp, method);
      if (JSON.stringify(result) !== JSON.stringify(expect)) throw new Error(`cold ${method} answered ${JSON.stringify(result)}`);
      samples.push(ms);
      await waitFor(() => [...status.values()].some((s) => s === "running"), "running");
      const marks = browser ? await workerStartup(browser, extensionId) : null;
      if (marks?.earlyAnswers) early++;
      if (marks?.wasmReady && marks.firstMessage) {
        const phase = (k, v) => (phases[k] ??= []).push(v);
        phase("requestToWorkerStart", marks.workerOrigin - start);
        phase("moduleScriptsLoaded", marks.scriptStart - marks.workerOrigin);
        if (marks.wasmFetch) {
          phase("wasmFetch", marks.wasmFetch.end - marks.scriptStart);
          phase("wasmCompileAndInstantiate", marks.wasmReady - marks.wasmFetch.end);
        }
        phase("scriptStartToWasmReady", marks.wasmReady - marks.scriptStart);
        phase("firstMessageArrival", marks.firstMessage - marks.scriptStart);
        if (marks.earlyAnswers) phase("firstMessageToAnswerEarly", end - marks.firstMessage);
        else phase("readyAndMessageToAnswer", end - Math.max(marks.wasmReady, marks.firstMessage));
      }
    }
  } finally {
    await cdp.detach().catch(() => {});
    await page.close().catch(() => {});
  }
  const breakdown = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, stats(v)]));
  return { method, ...stats(samples), first: Math.round(samples[0] * 1000) / 1000, ...(browser ? { breakdown, answeredEarly: early } : {}) };
}

// ---------------------------------------------------------------------------------------------
// The bare echo extension: same manifest shape, the same inpage.js/content.js, a JS background.

const ECHO_BACKGROUND = `// Bare echo background for the benchmarks: answers every provider message with eth_chainId.
chrome.runtime.onConnect.addListener((port) => {
  port.onMessage.addListener((message) => port.postMessage({ id: message.id, result: "0x7a69" }));
});
`;

async function buildEcho(source, dir) {
  const manifest = JSON.parse(await readFile(join(source, "manifest.json"), "utf8"));
  delete manifest.key; // its own id
  manifest.name = "Bare echo";
  delete manifest.icons;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  await cp(join(source, "inpage.js"), join(dir, "inpage.js"));
  await cp(join(source, "content.js"), join(dir, "content.js"));
  await writeFile(join(dir, "background.js"), ECHO_BACKGROUND);
}

// ---------------------------------------------------------------------------------------------
// Approval windows: an init script in every page stamps when the approve / create-passkey button
// is in the DOM, visible and enabled (and the next animation frame), in the page's own clock.

const READY_PROBE = () => {
  if (!location.href.startsWith("chrome-extension://") || !location.pathname.endsWith("/approval.html")) return;
  const now = () => performance.timeOrigin + performance.now();
  window.__bench = { origin: performance.timeOrigin, ready: null, painted: null };
  const check = () => {
    if (window.__bench.ready) return;
    const el = document.querySelector('[data-testid="approve"], [data-testid="create-passkey"]');
    if (el && !el.disabled && el.getClientRects().length > 0) {
      window.__bench.ready = now();
      requestAnimationFrame(() => (window.__bench.painted = now()));
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
  // Visibility can also change without a DOM mutation (the stylesheet arriving): check every frame too.
  const frame = () => {
    check();
    if (!window.__bench.ready) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  addEventListener("load", check);
};

const APPROVAL_BUTTON = '[data-testid="approve"], [data-testid="create-passkey"]';

/** As the harness' Wallet.attachAuthenticator, keeping the CDP session (for WebAuthn events). */
async function attachAuthenticator(wallet, page) {
  const cdp = await wallet.context.newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: AUTHENTICATOR,
  });
  cdp.on("WebAuthn.credentialAdded", ({ credential }) => wallet.credentials.push(credential));
  for (const credential of wallet.credentials) await cdp.send("WebAuthn.addCredential", { authenticatorId, credential });
  page.__benchCdp = cdp;
}

/** Runs `trigger`; returns the approval page with Node's time of its creation and its probe stamps. */
async function approvalWindow(wallet, trigger, { authenticator = false, timeout = 60_000 } = {}) {
  const opened = wallet.context.waitForEvent("page", {
    timeout,
    predicate: (p) => p.url().includes("approval.html") || p.url() === "about:blank" || p.url() === "",
  });
  const pending = trigger();
  const page = await opened;
  const seen = epoch();
  await page.waitForURL(/approval\.html/);
  if (authenticator) await attachAuthenticator(wallet, page);
  await page.locator(APPROVAL_BUTTON).first().waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => window.__bench?.painted, null, { timeout: 10_000 }).catch(async (e) => {
    const state = await page
      .evaluate(() => ({ url: location.href, bench: window.__bench, buttons: [...document.querySelectorAll("button")].map((b) => b.outerHTML) }))
      .catch((x) => x.message);
    throw new Error(`approval window never interactive: ${JSON.stringify(state)}`);
  });
  const stamps = await page.evaluate(() => window.__bench);
  return { page, pending, seen, stamps };
}

// ---------------------------------------------------------------------------------------------
// Session transactions: the wallet's own time from `eth_sendTransaction` (the page's call) to
// `eth_sendUserOperation` (its arrival at the bundler), minus the time the node and the bundler
// spent answering in between. The wallet talks to both through a timing proxy that logs every
// request's [arrival, answer sent]; the union of those intervals inside the window is subtracted.

/** An HTTP proxy on 127.0.0.1: `/rpc` → the node, `/bundler` → the bundler; logs each call. */
async function timingProxy() {
  const routes = { "/rpc": devnet.rpcUrl, "/bundler": devnet.bundlerUrl };
  const log = [];
  const server = http.createServer(async (req, res) => {
    const start = epoch();
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString();
    let method = null;
    try {
      const parsed = JSON.parse(body);
      // A batch is logged as its methods joined with "+".
      method = Array.isArray(parsed) ? parsed.map((call) => call.method).join("+") : parsed.method;
    } catch {}
    try {
      const upstream = await fetch(routes[req.url], { method: "POST", headers: { "content-type": "application/json" }, body });
      const text = await upstream.text();
      res.writeHead(upstream.status, { "content-type": "application/json" });
      res.end(text);
    } catch (e) {
      res.writeHead(502);
      res.end(String(e));
    }
    log.push({ method, start, end: epoch() });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { rpcUrl: `${url}/rpc`, bundlerUrl: `${url}/bundler`, log, close: () => new Promise((r) => server.close(r)) };
}

/** The union of `intervals` clipped to [from, to], as disjoint [start, end] spans in order. */
function union(intervals, from, to) {
  const clipped = intervals
    .map(({ start, end }) => [Math.max(start, from), Math.min(end, to)])
    .filter(([a, b]) => b > a)
    .sort((a, b) => a[0] - b[0]);
  const spans = [];
  for (const [a, b] of clipped) {
    const last = spans.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else spans.push([a, b]);
  }
  return spans;
}

async function sessionLatency(extensionSource, dir) {
  const proxy = await timingProxy();
  const walletDir = join(dir, "session-wallet");
  const extension = join(walletDir, "extension");
  await cp(extensionSource, extension, { recursive: true });
  // The account pays its own fees: a sponsor is not proxied (its time would count as the
  // wallet's), and the devnet's allows 100 operations a day per account.
  const networks = unsponsored(devnet.networks);
  for (const n of networks.networks) Object.assign(n, { rpcUrl: proxy.rpcUrl, bundlerUrl: proxy.bundlerUrl });
  await writeFile(join(extension, "networks.json"), JSON.stringify(networks));
  const profile = join(walletDir, "profile");
  const { context, extensionId } = await launch(extension, profile);
  const wallet = new Wallet(walletDir, context, extensionId);
  const cdp = await browserCdp(profile);
  const memory = {};
  try {
    const dapp = await openDapp(context, DAPP);
    const account = await wallet.connect(dapp);
    memory.afterConnect = await wasmMemory(cdp, extensionId);
    await nodeRpc("anvil_setBalance", [account, "0x56bc75e2d63100000"]); // 100 ETH
    const recipient = `0x${"cd".repeat(20)}`;
    const block = await nodeRpc("eth_getBlockByNumber", ["latest", false]);
    const expiresAt = Number(block.timestamp) + 3600;
    /** Approves one session (ETH to `to`), with the passkey, in its window. */
    const approveSession = async (to) => {
      const { page, pending } = await wallet.approval(() =>
        dapp.evaluate(
          ([to, expiresAt]) =>
            window.ethereum.request({
              method: "wallet_requestExecutionPermissions",
              params: [{ expiresAt, feeLimit: "10000000000000000000", transfers: [{ to, valueLimit: "1000000000000000000" }] }],
            }),
          [to, expiresAt],
        ),
      );
      await page.getByTestId("approve").click();
      await pending;
    };
    await approveSession(recipient);
    const windows = wallet.approvalWindows;
    const samples = [];
    const requests = [];
    const rounds = [];
    const profiler = args.profile ? await workerProfiler(cdp, extensionId) : null;
    for (let i = 0; i < SESSION_TXS; i++) {
      const from = proxy.log.length;
      const { t0, hash } = await dapp.evaluate(
        async ([from, to]) => {
          const t0 = performance.timeOrigin + performance.now();
          const hash = await window.ethereum.request({ method: "eth_sendTransaction", params: [{ from, to, value: "0x1" }] });
          return { t0, hash };
        },
        [account, recipient],
      );
      if (!/^0x[0-9a-f]{64}$/.test(hash)) throw new Error(`session tx ${i} answered ${hash}`);
      const calls = proxy.log.slice(from);
      const send = calls.find((c) => c.method === "eth_sendUserOperation");
      if (!send) throw new Error(`session tx ${i} sent no UserOperation`);
      const spans = union(calls.filter((c) => c !== send), t0, send.start);
      samples.push(send.start - t0 - spans.reduce((total, [a, b]) => total + (b - a), 0));
      // HTTP requests the wallet made up to and with the send (a JSON-RPC batch is one), and in
      // how many sequential rounds: each span of overlapping requests before it, and the send.
      requests.push(calls.filter((c) => c !== send && c.start < send.start).length + 1);
      rounds.push(spans.length + 1);
    }
    if (profiler) await writeFile(args.profile, JSON.stringify(await profiler.stop()));
    if (wallet.approvalWindows !== windows) throw new Error("a session transaction opened an approval window");
    const warmup = Math.min(20, samples.length >> 2);
    const latency = { ...stats(samples.slice(warmup)), warmup, requests: stats(requests.slice(warmup)), rounds: stats(rounds.slice(warmup)) };
    memory.afterSessionTxs = await wasmMemory(cdp, extensionId);

    // ---- wasm memory after MEMORY_SESSIONS sessions and MEMORY_REQUESTS requests ------------
    console.error(`bench: ${MEMORY_SESSIONS - 1} more sessions, then ${MEMORY_REQUESTS} requests (wasm memory)`);
    for (let i = 1; i < MEMORY_SESSIONS; i++) await approveSession(`0x${(0x1000 + i).toString(16).padStart(40, "0")}`);
    memory.afterSessions = await wasmMemory(cdp, extensionId);
    const methods = ["eth_chainId", "eth_accounts", "eth_blockNumber", "wallet_getPermissions"];
    const failures = await dapp.evaluate(
      async ([methods, n]) => {
        let failed = 0;
        for (let i = 0; i < n; i++) {
          await window.ethereum.request({ method: methods[i % methods.length] }).catch(() => failed++);
        }
        return failed;
      },
      [methods, MEMORY_REQUESTS],
    );
    memory.afterRequests = await wasmMemory(cdp, extensionId);
    Object.assign(memory, { sessions: MEMORY_SESSIONS, requests: MEMORY_REQUESTS + SESSION_TXS, methods, failures });
    return { latency, memory };
  } finally {
    cdp.close();
    await wallet.close();
    await proxy.close();
  }
}

async function run() {
  const extensionSource = env("SSO_EXTENSION_DIR");
  const dir = await mkdtemp(join(tmpdir(), "sso-wallet-bench-"));
  const results = {
    date: new Date().toISOString(),
    chromium: null,
    calls: CALLS,
    warmup: WARMUP,
    roundTrip: {},
    coldStart: {},
    approvalWindow: null,
    passkeyTransaction: null,
    sessionTransaction: null,
    workerHeap: {},
  };
  const open = [];
  const bareRuns = [];
  let echo = null; // the bare echo's browser while its round trips wait for ours
  if (args.only === "session") {
    try {
      ({ latency: results.sessionTransaction, memory: results.wasmMemory } = await sessionLatency(extensionSource, dir));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return results;
  }
  try {
    // ---- bare echo -----------------------------------------------------------------------
    const echoDir = join(dir, "echo");
    await buildEcho(extensionSource, echoDir);
    {
      const profile = join(dir, "echo-profile");
      const { context, extensionId } = await launch(echoDir, profile);
      open.push(context);
      results.chromium = context.browser()?.version() ?? null;
      const cdp = await browserCdp(profile);
      // Kept open until its round trips have run, in turn with ours (below).
      echo = { context, extensionId, cdp, dapp: null };
      echo.dapp = await openDapp(context, DAPP);
      await timedRequest(echo.dapp);
      results.workerHeap.bareAfterStart = await workerHeap(cdp, extensionId);
      console.error("bench: bare echo cold starts");
      results.coldStart.bare = await coldStarts(context, extensionId, echo.dapp, COLD);
    }

    // ---- SSO Wallet ----------------------------------------------------------------------
    {
      const walletDir = join(dir, "wallet");
      const extension = join(walletDir, "extension");
      const profile = join(walletDir, "profile");
      await cp(extensionSource, extension, { recursive: true });
      await writeFile(join(extension, "networks.json"), JSON.stringify(unsponsored(devnet.networks)));
      const { context, extensionId } = await launch(extension, profile);
      open.push(context);
      results.chromium ??= context.browser()?.version() ?? null;
      // Wallet.close() removes walletDir; the harness' helpers (approval, authenticators) are reused.
      const wallet = new Wallet(walletDir, context, extensionId);
      await context.addInitScript(READY_PROBE);
      const cdp = await browserCdp(profile);
      try {
        const dapp = await openDapp(context, DAPP);
        await timedRequest(dapp);
        results.workerHeap.oursAfterStart = await workerHeap(cdp, extensionId);

        // Each run of the echo right before the same run of ours, both browsers open: a pair
        // shares the machine's load of the moment.
        console.error("bench: provider round trips, the bare echo's and ours in turn");
        const oursRuns = [];
        for (let run = 0; run < RUNS; run++) {
          bareRuns.push(await providerLoop(echo.dapp, "eth_chainId", CALLS, WARMUP));
          oursRuns.push(await providerLoop(dapp, "eth_chainId", CALLS, WARMUP));
        }
        const chainId = oursRuns.flat();
        results.roundTrip.bareChainId = stats(bareRuns.flat());
        results.roundTrip.bareAccounts = stats(await providerLoop(echo.dapp, "eth_accounts", CALLS, WARMUP));
        const accounts = await providerLoop(dapp, "eth_accounts", CALLS, WARMUP);
        results.workerHeap.bareAfterRequests = await workerHeap(echo.cdp, echo.extensionId);
        echo.cdp.close();
        await echo.context.close().catch(() => {});
        echo = null;
        const blockNumber = await providerLoop(dapp, "eth_blockNumber", CALLS, WARMUP);
        // From a page that is not cross-origin isolated: an isolated one may not fetch the node
        // (its answers carry no CORP header); these are milliseconds, where 0.1 ms does not matter.
        const plain = await openDapp(context, DAPP, { isolated: false });
        const direct = await fetchLoop(plain, devnet.rpcUrl, "eth_blockNumber", CALLS, WARMUP);
        await plain.close();
        results.roundTrip.oursChainId = stats(chainId);
        results.roundTrip.oursAccounts = stats(accounts);
        results.roundTrip.oursBlockNumber = stats(blockNumber);
        results.roundTrip.directFetchBlockNumber = stats(direct);
        results.workerHeap.oursAfterRequests = await workerHeap(cdp, extensionId);
        const rt = results.roundTrip;
        rt.ratios = {
          chainIdMedian: rt.oursChainId.median / rt.bareChainId.median,
          chainIdP99: rt.oursChainId.p99 / rt.bareChainId.p99,
          accountsMedian: rt.oursAccounts.median / rt.bareAccounts.median,
          accountsP99: rt.oursAccounts.p99 / rt.bareAccounts.p99,
          blockNumberVsFetchMedian: rt.oursBlockNumber.median / rt.directFetchBlockNumber.median,
          blockNumberVsFetchP99: rt.oursBlockNumber.p99 / rt.directFetchBlockNumber.p99,
        };
        // Run i of ours against run i of the bare echo (each CALLS calls after WARMUP).
        rt.chainIdRuns = oursRuns.map((samples, i) => {
          const [ours, bare] = [stats(samples), stats(bareRuns[i])];
          return { ours, bare, ratioMedian: ours.median / bare.median, ratioP99: ours.p99 / bare.p99 };
        });

        console.error("bench: cold starts");
        results.coldStart.ours = await coldStarts(context, extensionId, dapp, COLD, cdp);
        results.coldStart.ratioMedian = results.coldStart.ours.median / results.coldStart.bare.median;
        // The same with eth_accounts first, which only the wasm answers (no chain hint helps).
        const accountsBefore = await dapp.evaluate(() => window.ethereum.request({ method: "eth_accounts" }));
        results.coldStart.oursAccounts = await coldStarts(context, extensionId, dapp, COLD, cdp, {
          method: "eth_accounts",
          expect: accountsBefore,
        });

        // ---- approval window: request -> window -> interactive, rejected each time ----------
        console.error("bench: approval windows");
        const other = await openDapp(context, OTHER_DAPP);
        const win = { requestToWindow: [], windowToInteractive: [], requestToInteractive: [], requestToPainted: [], seenByDriver: [] };
        for (let i = 0; i < WINDOWS; i++) {
          const { page, stamps, seen, pending } = await approvalWindow(wallet, () =>
            other.evaluate(() => {
              window.__answer = window.ethereum.request({ method: "eth_requestAccounts" }).then(
                (r) => ({ result: r }),
                (e) => ({ code: e.code }),
              );
              return performance.timeOrigin + performance.now();
            }),
          );
          const t0 = await pending;
          const closed = page.waitForEvent("close");
          await page.getByTestId("reject").click();
          const answer = await other.evaluate(() => window.__answer);
          if (answer.code !== 4001) throw new Error(`reject answered ${JSON.stringify(answer)}`);
          await closed;
          win.requestToWindow.push(stamps.origin - t0);
          win.windowToInteractive.push(stamps.ready - stamps.origin);
          win.requestToInteractive.push(stamps.ready - t0);
          win.requestToPainted.push(stamps.painted - t0);
          win.seenByDriver.push(seen - t0);
        }
        await other.close();
        results.approvalWindow = Object.fromEntries(Object.entries(win).map(([k, v]) => [k, stats(v)]));

        // ---- passkey transactions --------------------------------------------------------
        console.error("bench: connect (create passkey)");
        const connect = await approvalWindow(
          wallet,
          () => dapp.evaluate(() => window.ethereum.request({ method: "eth_requestAccounts" })),
          { authenticator: true },
        );
        await connect.page.getByTestId("create-passkey").click();
        await connect.page.getByTestId("account-address").waitFor({ timeout: 30_000 });
        await connect.page.getByTestId("approve").click();
        const [account] = await connect.pending;
        await nodeRpc("anvil_setBalance", [account, "0xde0b6b3a7640000"]);

        const recipient = `0x${"ab".repeat(20)}`;
        const tx = { deploy: null, errors: [], requestToWindow: [], windowToInteractive: [], requestToInteractive: [], approveToAssertion: [], assertionToHash: [], approveToHash: [], total: [] };
        for (let i = 0; i <= TXS; i++) {
          console.error(`bench: passkey transaction ${i}${i === 0 ? " (deploys the account)" : ""}`);
          let opened;
          try {
            opened = await approvalWindow(
            wallet,
            () =>
              dapp.evaluate(
                ([from, to]) => {
                  const t0 = performance.timeOrigin + performance.now();
                  window.__tx = window.ethereum
                .request({ method: "eth_sendTransaction", params: [{ from, to, value: "0x1" }] })
                .then(
                  (hash) => ({ hash, at: performance.timeOrigin + performance.now() }),
                      (e) => ({ code: e.code, message: e.message }),
                    );
                  return t0;
                },
                [account, recipient],
              ),
            { authenticator: true, timeout: 20_000 },
          );
          } catch (e) {
            tx.errors.push({ index: i, message: `no approval window: ${e.message.split("\n")[0]}` });
            break;
          }
          const { page, stamps, pending } = opened;
          const t0 = await pending;
          let asserted = null;
          page.__benchCdp.on("WebAuthn.credentialAsserted", () => (asserted ??= epoch()));
          const click = epoch();
          await page.getByTestId("approve").click();
          const answer = await dapp.evaluate(() => window.__tx);
          // A failed send still times the window; its error is reported, not its latency.
          if (!answer.hash) console.error(`bench: eth_sendTransaction answered ${JSON.stringify(answer)}`);
          const row = {
            requestToWindow: stamps.origin - t0,
            windowToInteractive: stamps.ready - stamps.origin,
            requestToInteractive: stamps.ready - t0,
            approveToAssertion: asserted ? asserted - click : null,
            assertionToHash: asserted && answer.hash ? answer.at - asserted : null,
            approveToHash: answer.hash ? answer.at - click : null,
            total: answer.hash ? answer.at - t0 : null,
          };
          if (!answer.hash) tx.errors.push({ index: i, ...answer });
          if (!page.isClosed()) await page.close().catch(() => {});
          if (i === 0) tx.deploy = row;
          else for (const [k, v] of Object.entries(row)) if (v !== null) tx[k].push(v);
        }
        results.passkeyTransaction = {
          deploy: tx.deploy,
          errors: tx.errors,
          ...Object.fromEntries(
            Object.entries(tx)
              .filter(([k, v]) => k !== "deploy" && k !== "errors" && v.length > 0)
              .map(([k, v]) => [k, stats(v)]),
          ),
        };
      } finally {
        cdp.close();
        await wallet.close(); // closes the context and removes walletDir
      }
    }

    // ---- session transactions (own wallet, RPC through the timing proxy) ------------------
    console.error(`bench: ${SESSION_TXS} session transactions`);
    ({ latency: results.sessionTransaction, memory: results.wasmMemory } = await sessionLatency(extensionSource, dir));
  } finally {
    echo?.cdp.close();
    for (const c of open) await c.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
  results.timerResolutionMs = timerResolutionMs;
  return results;
}

// ---------------------------------------------------------------------------------------------

const ms = (x) => (x === null || x === undefined ? "–" : `${x.toFixed(x < 10 ? 2 : 1)} ms`);
const kib = (b) => `${(b / 1024).toFixed(0)} KiB`;
const x = (r) => `${r.toFixed(2)}×`;

function table(r) {
  const st = r.sessionTransaction;
  const mem = r.wasmMemory;
  const mib = (b) => (b === null || b === undefined ? "–" : `${(b / 1048576).toFixed(2)} MiB`);
  const sessionRows = st
    ? [
        [
          `session tx: eth_sendTransaction → eth_sendUserOperation, wallet time excl. node/bundler (median / p99, n=${st.n})`,
          `${ms(st.median)} / ${ms(st.p99)}`,
          `≤ 8 / ≤ 20 ms ${st.median <= 8 && st.p99 <= 20 ? "✓" : "✗"}`,
        ],
        [
          `session tx: HTTP requests to the node and bundler up to and with the send (a JSON-RPC batch is one) / in sequential rounds, median (max)`,
          `${st.requests.median} (${st.requests.max}) / ${st.rounds.median} (${st.rounds.max})`,
          "",
        ],
        [
          `wasm linear memory: after connecting / after ${mem.sessions} sessions / after ${mem.requests} requests (${mem.failures} failed)`,
          `${mib(mem.afterConnect)} / ${mib(mem.afterSessions)} / ${mib(mem.afterRequests)}`,
          `≤ 8 MB ${mem.afterRequests <= 8e6 ? "✓" : "✗"}`,
        ],
      ]
    : [];
  if (!r.roundTrip.oursChainId) {
    console.log("\n| figure | value | goal |\n|---|---:|---|");
    for (const [a, b, c] of sessionRows) console.log(`| ${a} | ${b} | ${c} |`);
    return;
  }
  const rt = r.roundTrip;
  const rows = [
    ["page clock resolution (cross-origin isolated dapp: 0.005 ms)", `${r.timerResolutionMs} ms`, ""],
    ["eth_chainId round trip, ours (median / p99)", `${ms(rt.oursChainId.median)} / ${ms(rt.oursChainId.p99)}`, ""],
    ["eth_chainId round trip, bare echo (median / p99)", `${ms(rt.bareChainId.median)} / ${ms(rt.bareChainId.p99)}`, ""],
    ["eth_chainId ours / bare (median / p99), all runs", `${x(rt.ratios.chainIdMedian)} / ${x(rt.ratios.chainIdP99)}`, `≤ 1.1× / ≤ 1.3× ${rt.ratios.chainIdMedian <= 1.1 && rt.ratios.chainIdP99 <= 1.3 ? "✓" : "✗"}`],
    ...rt.chainIdRuns.map((run, i) => [
      `eth_chainId run ${i + 1}: ours / bare (median / p99)`,
      `${ms(run.ours.median)} / ${ms(run.ours.p99)} vs ${ms(run.bare.median)} / ${ms(run.bare.p99)}: ${x(run.ratioMedian)} / ${x(run.ratioP99)}`,
      "",
    ]),
    ["eth_accounts round trip, ours (median / p99)", `${ms(rt.oursAccounts.median)} / ${ms(rt.oursAccounts.p99)}`, ""],
    ["eth_accounts ours / bare echo (median / p99)", `${x(rt.ratios.accountsMedian)} / ${x(rt.ratios.accountsP99)}`, ""],
    ["eth_blockNumber through the wallet (median / p99)", `${ms(rt.oursBlockNumber.median)} / ${ms(rt.oursBlockNumber.p99)}`, ""],
    ["eth_blockNumber page fetch to node (median / p99)", `${ms(rt.directFetchBlockNumber.median)} / ${ms(rt.directFetchBlockNumber.p99)}`, ""],
    ["eth_blockNumber wallet / fetch (median / p99)", `${x(rt.ratios.blockNumberVsFetchMedian)} / ${x(rt.ratios.blockNumberVsFetchP99)}`, ""],
    [
      `cold start, first eth_chainId, ours (median / max; ${r.coldStart.ours.answeredEarly} of ${r.coldStart.ours.n} answered from the chain hint)`,
      `${ms(r.coldStart.ours.median)} / ${ms(r.coldStart.ours.max)} (${x(r.coldStart.ratioMedian)} the echo)`,
      `≤ 40 ms and ≤ 2.5× ${r.coldStart.ours.median <= 40 && r.coldStart.ratioMedian <= 2.5 ? "✓" : "✗"}`,
    ],
    ["cold start, first eth_chainId, bare echo (median / max)", `${ms(r.coldStart.bare.median)} / ${ms(r.coldStart.bare.max)}`, ""],
    ["cold start, first eth_accounts (the wasm answers), ours (median / max)", `${ms(r.coldStart.oursAccounts.median)} / ${ms(r.coldStart.oursAccounts.max)}`, ""],
    ...Object.entries(r.coldStart.oursAccounts.breakdown ?? {}).map(([phase, s]) => [`cold start phase (eth_accounts): ${phase}`, ms(s.median), ""]),
    ...Object.entries(r.coldStart.ours.breakdown ?? {}).map(([phase, s]) => [`cold start phase (ours): ${phase}`, ms(s.median), ""]),
  ];
  const w = r.approvalWindow;
  if (w) {
    rows.push(
      ["approval window: request → window created", ms(w.requestToWindow.median), ""],
      ["approval window: window created → button interactive", ms(w.windowToInteractive.median), ""],
      ["approval window: request → interactive", ms(w.requestToInteractive.median), `≤ 100 ms ${w.requestToInteractive.median <= 100 ? "✓" : "✗"}`],
      ["approval window: request → next frame painted", ms(w.requestToPainted.median), ""],
    );
  }
  const t = r.passkeyTransaction;
  if (t) {
    rows.push(
      ["passkey tx: request → window (incl. UserOp build + gas estimate)", ms(t.requestToWindow?.median), ""],
      ["passkey tx: window → approve interactive", ms(t.windowToInteractive?.median), ""],
      ["passkey tx: request → approve interactive", ms(t.requestToInteractive?.median), ""],
      ["passkey tx: approve click → WebAuthn assertion", ms(t.approveToAssertion?.median), ""],
      ["passkey tx: assertion → hash at the page", ms(t.assertionToHash?.median), ""],
      ["passkey tx: approve click → hash at the page", ms(t.approveToHash?.median), ""],
      ["passkey tx: first (deploying) tx, request → hash", ms(t.deploy?.total), ""],
      ["passkey tx: failed sends", `${t.errors.length} of ${TXS + 1}${t.errors.length ? ` (${t.errors[0].message})` : ""}`, ""],
    );
  }
  rows.push(...sessionRows);
  const h = r.workerHeap;
  rows.push(
    ["worker JS heap used, ours: after start / after requests", `${kib(h.oursAfterStart.usedBytes)} / ${kib(h.oursAfterRequests.usedBytes)}`, ""],
    ["worker JS heap after GC, ours: after start / after requests", `${kib(h.oursAfterStart.usedAfterGcBytes)} / ${kib(h.oursAfterRequests.usedAfterGcBytes)}`, ""],
    ["worker JS heap after GC, bare echo: after start / after requests", `${kib(h.bareAfterStart.usedAfterGcBytes)} / ${kib(h.bareAfterRequests.usedAfterGcBytes)}`, ""],
  );
  console.log("\n| figure | value | goal |\n|---|---:|---|");
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
}

const results = await run();
await mkdir(dirname(args.out), { recursive: true });
await writeFile(args.out, `${JSON.stringify(results, null, 2)}\n`);
table(results);
console.log(`\nbench: wrote ${args.out}`);
