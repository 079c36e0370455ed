// A stand-in for a public RPC or bundler in front of the devnet's: it refuses `eth_getLogs` over
// more than `maxRange` blocks, or from `earliest` / without a `fromBlock` (what public providers
// do), with the kind of error they send; rate-limits every `every429`-th request (HTTP 429);
// with `loseFirstSendAnswer`, forwards the first `eth_sendUserOperation` and then loses its
// answer (HTTP 502, as a gateway would); with `bundlerMethodsOnly`, answers only the standard
// ERC-7769 bundler methods (−32601 for `pimlico_*` and the rest); forwards everything else. It counts what it did
// (and keeps the first 100 request paths it was asked at), so a test can say what the wallet went through.
import { createServer } from "node:http";

const quantity = (tag, latest) => {
  if (tag === undefined || tag === "earliest") return null;
  if (tag === "latest" || tag === "pending" || tag === "safe" || tag === "finalized") return latest;
  return Number(BigInt(tag));
};

/** Starts the proxy on a free loopback port; resolves to `{ url, stats, close }`. */
const ERC7769 = new Set([
  "eth_chainId",
  "eth_sendUserOperation",
  "eth_estimateUserOperationGas",
  "eth_getUserOperationByHash",
  "eth_getUserOperationReceipt",
  "eth_supportedEntryPoints",
]);

export async function startPublicRpc(target, { maxRange = 1000, every429 = 0, loseFirstSendAnswer = false, bundlerMethodsOnly = false } = {}) {
  const stats = { requests: 0, limited: 0, getLogs: 0, refused: 0, widest: 0, earliest: 0, lostAnswers: 0, unsupported: 0, paths: new Set() };
  const forward = (body) =>
    fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body }).then((r) => r.text());
  // A request the client gave up on (the wallet's timeout, a page or worker that went away) or
  // that the devnet could not answer must not end the test process: an async handler's
  // rejection is unhandled, and Node exits on one, cancelling every test still running.
  const server = createServer((request, response) =>
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
      response.end("Bad Gateway");
    }),
  );
  async function handle(request, response) {
    let body = "";
    for await (const chunk of request) body += chunk;
    const answer = (text) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(text);
    };
    const fail = (status, text) => {
      response.writeHead(status, { "content-type": "text/plain" });
      response.end(text);
    };
    stats.requests += 1;
    if (stats.paths.size < 100) stats.paths.add(request.url);
    if (every429 > 0 && stats.requests % every429 === 0) {
      stats.limited += 1;
      return fail(429, "Too Many Requests");
    }
    let call;
    try {
      call = JSON.parse(body);
    } catch {
      return answer(await forward(body));
    }
    if (bundlerMethodsOnly && !ERC7769.has(call?.method)) {
      stats.unsupported += 1;
      return answer(JSON.stringify({ jsonrpc: "2.0", id: call?.id ?? null, error: { code: -32601, message: `Method not found: ${call?.method}` } }));
    }
    if (call?.method === "eth_sendUserOperation" && loseFirstSendAnswer && stats.lostAnswers === 0) {
      await forward(body);
      stats.lostAnswers += 1;
      return fail(502, "Bad Gateway");
    }
    if (call?.method !== "eth_getLogs") return answer(await forward(body));
    stats.getLogs += 1;
    const filter = call.params?.[0] ?? {};
    const latest = Number(BigInt(JSON.parse(await forward(JSON.stringify({ jsonrpc: "2.0", id: 0, method: "eth_blockNumber" }))).result));
    const from = quantity(filter.fromBlock, latest);
    const to = quantity(filter.toBlock ?? "latest", latest);
    if (from === null) stats.earliest += 1;
    const span = from === null ? Infinity : to - from + 1;
    if (span > maxRange) {
      stats.refused += 1;
      return answer(JSON.stringify({ jsonrpc: "2.0", id: call.id, error: { code: -32600, message: `exceed maximum block range: ${maxRange}` } }));
    }
    stats.widest = Math.max(stats.widest, span);
    answer(await forward(body));
  }
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stats,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
