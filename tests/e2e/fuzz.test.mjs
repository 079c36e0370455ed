// Robustness: 10,000 malformed requests from a page (wrong types, huge params, unknown methods, bad
// hex, prototype-pollution keys) all settle with an EIP-1193 error (or a node answer for read
// methods); raw garbage posted straight to the content relay is dropped; the wallet answers
// correctly afterwards.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DAPP, Wallet, request } from "./lib/harness.mjs";

const REQUESTS = 10_000;

describe("malformed requests", () => {
  let wallet;
  let dapp;

  before(async () => {
    wallet = await Wallet.launch();
    dapp = await wallet.openDapp(DAPP);
  });
  after(async () => {
    await wallet?.close();
  });

  it(`answers ${REQUESTS} malformed requests with EIP-1193 errors and keeps working`, async () => {
    const windowsBefore = wallet.approvalWindows;
    const outcome = await dapp.evaluate(async (total) => {
      let seed = 0x5eed;
      const rand = (n) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const pick = (items) => items[rand(items.length)];
      // Methods that would open an approval window for this unconnected origin are left out.
      const methods = [
        "eth_chainId", "eth_accounts", "net_version", "eth_sendTransaction", "wallet_sendCalls", "wallet_getCallsStatus",
        "wallet_getCapabilities", "personal_sign", "eth_signTypedData_v4", "eth_sign", "wallet_switchEthereumChain",
        "wallet_getPermissions", "wallet_revokePermissions", "eth_getBalance", "eth_call", "eth_getCode",
        "eth_blockNumber", "eth_getLogs", "__proto__", "constructor", "toString", "hasOwnProperty", "", " ",
        "eth_" + "x".repeat(200), "wallet_nonsense", "ETH_CHAINID",
      ];
      const garbage = () =>
        pick([
          () => null,
          () => 42,
          () => -1,
          () => 1e308,
          () => "0x",
          () => "0xzz",
          () => "0x" + "f".repeat(rand(100)),
          () => "x".repeat(rand(2) ? 10 : 300_000),
          () => true,
          () => [],
          () => [null],
          () => [{}],
          () => [{ to: "0xnothex", value: "-1" }],
          () => [{ version: "2.0.0", chainId: "0x7a69", calls: [{ to: 5 }] }],
          () => [{ version: "2.0.0", chainId: "0x7a69", atomicRequired: true, calls: new Array(100).fill({ to: "0x" + "11".repeat(20) }) }],
          () => JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"x": 1}}}'),
          () => [JSON.parse('{"__proto__": {"isAdmin": true}}')],
          () => ["0x68656c6c6f", { toString: "x" }],
          () => [{ chainId: { nested: [1, 2, { deep: "0x" }] } }],
          () => ["0x" + "11".repeat(20), "{not json"],
          () => new Array(rand(50)).fill("0x01"),
        ])();
      const started = performance.now();
      const results = { errors: 0, results: 0, codes: {}, bad: [] };
      for (let i = 0; i < total; i += 200) {
        const batch = [];
        for (let j = 0; j < 200 && i + j < total; j++) {
          const args = rand(20) === 0 ? pick([undefined, null, "eth_chainId", 7, []]) : { method: pick(methods), params: garbage() };
          batch.push(
            Promise.race([
              window.ethereum.request(args).then(
                () => ({ ok: true }),
                (e) => ({ code: e?.code, message: e?.message }),
              ),
              new Promise((resolve) => setTimeout(() => resolve({ hung: true, args: JSON.stringify(args)?.slice(0, 200) }), 20_000)),
            ]),
          );
        }
        for (const r of await Promise.all(batch)) {
          if (r.ok) results.results += 1;
          else if (Number.isInteger(r.code) && typeof r.message === "string" && r.message.length > 0) {
            results.errors += 1;
            results.codes[r.code] = (results.codes[r.code] ?? 0) + 1;
          } else results.bad.push(r);
        }
      }
      // Raw garbage straight to the content relay (bypassing the provider's checks): dropped.
      for (let i = 0; i < 1000; i++) {
        window.postMessage({ target: "sso-wallet:to-content", payload: pick([null, 5, "x", { id: "x" }, { id: 1.5, method: 7 }, { id: -1 }, { method: "eth_chainId" }]) }, location.origin);
      }
      results.ms = Math.round(performance.now() - started);
      return results;
    }, REQUESTS);
    console.log(`fuzz: ${JSON.stringify(outcome)}`);
    assert.deepEqual(outcome.bad, [], "every request settles with a coded error or a result");
    assert.equal(outcome.errors + outcome.results, REQUESTS);
    const allowed = new Set([4001, 4100, 4200, 4900, 4901, 4902, -32002, -32602, -32603, -32600, -32000, -32601, 3, 5700, 5710, 5720, 5730]);
    for (const code of Object.keys(outcome.codes).map(Number)) assert.ok(allowed.has(code), `unexpected error code ${code}`);
    assert.ok(outcome.codes[-32602] > 0 && outcome.codes[4200] > 0 && outcome.codes[4100] > 0);
    assert.equal(wallet.approvalWindows, windowsBefore, "no approval window was opened");
    // Still correct afterwards.
    assert.deepEqual(await request(dapp, "eth_chainId"), { result: "0x7a69" });
    assert.deepEqual(await request(dapp, "eth_accounts"), { result: [] });
    assert.equal(await dapp.evaluate(() => ({}).polluted ?? Object.prototype.isAdmin), undefined);
  });
});
