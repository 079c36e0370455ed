// Reliability under load: 10 tabs of 10 origins each fire 100 concurrent requests (chain id,
// accounts, eth_call, balances, unknown methods) and every answer is right and reaches its own
// request; then 3 origins each fire 20 concurrent transactions their sessions cover, and every
// one lands exactly once, no window opens, and the nonces of each session's lane are 0..19.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, it } from "node:test";
import { decodeEventLog, getAddress, parseAbiItem, parseEther, toHex } from "viem";
import { OTHER_DAPP, Wallet, chain, devnet, nodeRpc, request, transferSessionRequest } from "./lib/harness.mjs";

const TABS = 10;
const PER_TAB = 100;
const SESSION_ORIGINS = 3;
const PER_SESSION = 20;
const IDENTITY = "0x0000000000000000000000000000000000000004"; // the identity precompile echoes its input
const USER_OP_EVENT = parseAbiItem(
  "event UserOperationEvent(bytes32 indexed userOpHash, address indexed sender, address indexed paymaster, uint256 nonce, bool success, uint256 actualGasCost, uint256 actualGasUsed)",
);

/** A bare page on its own loopback port: a distinct origin for the wallet. */
function servePage() {
  const server = createServer((_, response) => {
    response.writeHead(200, { "content-type": "text/html" });
    response.end("<!doctype html><title>load</title><p>load</p>");
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("load", () => {
  let wallet;
  let dapp;
  let account;
  const servers = [];

  before(async () => {
    ({ wallet, dapp, account } = await Wallet.onboarded("10"));
    for (let i = 0; i < TABS; i += 1) servers.push(await servePage());
  });
  after(async () => {
    await wallet?.close();
    for (const server of servers) server.close();
  });

  it(`answers ${TABS} tabs × ${PER_TAB} concurrent requests, each with its own answer`, async () => {
    const pages = [];
    for (const server of servers) {
      const page = await wallet.context.newPage();
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
      await page.waitForFunction(() => window.ethereum);
      pages.push(page);
    }
    const balance = toHex(await chain.getBalance({ address: devnet.funder.address }));
    const chainId = toHex(devnet.chainId);
    const windows = wallet.approvalWindows;
    const outcomes = await Promise.all(
      pages.map((page, tab) =>
        page.evaluate(
          ([tab, count, identity, funder]) => {
            const ask = (i) => {
              const tag = `0x${tab.toString(16).padStart(4, "0")}${i.toString(16).padStart(4, "0")}`;
              const call = [
                { method: "eth_chainId" },
                { method: "eth_accounts" },
                { method: "eth_call", params: [{ to: identity, data: tag }, "latest"] },
                { method: "eth_getBalance", params: [funder, "latest"] },
                { method: `load_unknown_${tab}_${i}` },
              ][i % 5];
              return window.ethereum.request(call).then(
                (result) => ({ i, tag, result }),
                (e) => ({ i, tag, error: { code: e.code, message: e.message } }),
              );
            };
            return Promise.all(Array.from({ length: count }, (_, i) => ask(i)));
          },
          [tab, PER_TAB, IDENTITY, devnet.funder.address],
        ),
      ),
    );
    for (const [tab, answers] of outcomes.entries()) {
      assert.equal(answers.length, PER_TAB);
      for (const { i, tag, result, error } of answers) {
        const where = `tab ${tab} request ${i}`;
        switch (i % 5) {
          case 0:
            assert.equal(result, chainId, where);
            break;
          case 1:
            assert.deepEqual(result, [], where); // these origins are not connected
            break;
          case 2:
            assert.equal(result, tag, `${where}: its own eth_call answer`);
            break;
          case 3:
            assert.equal(result, balance, where);
            break;
          default:
            assert.equal(error?.code, 4200, where);
            assert.match(error.message, new RegExp(`"load_unknown_${tab}_${i}"`), `${where}: its own error`);
        }
      }
    }
    assert.equal(wallet.approvalWindows, windows, "no window opened");
    for (const page of pages) await page.close();
  });

  it(`lands ${SESSION_ORIGINS} origins × ${PER_SESSION} concurrent session transactions exactly once, without a window`, async () => {
    const amount = parseEther("0.001");
    const sites = [dapp, await wallet.openDapp(OTHER_DAPP)];
    const third = await wallet.context.newPage();
    await third.goto(`http://127.0.0.1:${servers[0].address().port}/`);
    await third.waitForFunction(() => window.ethereum);
    sites.push(third);
    const now = Number((await chain.getBlock()).timestamp);
    const recipients = sites.map((_, i) => getAddress(`0x${(0xe0 + i).toString(16).repeat(20)}`));
    for (const [i, site] of sites.entries()) {
      if (i > 0) {
        const { page, pending } = await wallet.approval(() => request(site, "eth_requestAccounts"));
        await page.getByTestId("approve").click();
        assert.deepEqual((await pending).result.map(getAddress), [getAddress(account)]);
      }
      const params = transferSessionRequest({
        account,
        to: recipients[i],
        perUse: amount,
        total: amount * BigInt(PER_SESSION),
        feeLimit: parseEther("2"),
        expiry: now + 3600,
      });
      const { page, pending } = await wallet.approval(() => request(site, "wallet_requestExecutionPermissions", params));
      await page.getByTestId("approve").click();
      assert.ok((await pending).result, "session granted");
    }
    const before = await Promise.all(recipients.map((address) => chain.getBalance({ address })));
    const fromBlock = await chain.getBlockNumber();
    const windows = wallet.approvalWindows;
    const started = Date.now();
    const results = await Promise.all(
      sites.map((site, i) =>
        site.evaluate(
          ([count, from, to, value]) =>
            Promise.all(
              Array.from({ length: count }, () =>
                window.ethereum.request({ method: "eth_sendTransaction", params: [{ from, to, value }] }).then(
                  (hash) => ({ hash }),
                  (e) => ({ error: { code: e.code, message: e.message } }),
                ),
              ),
            ),
          [PER_SESSION, account, recipients[i], toHex(amount)],
        ),
      ),
    );
    console.log(`# ${SESSION_ORIGINS * PER_SESSION} session transactions landed in ${Date.now() - started} ms`);
    assert.equal(wallet.approvalWindows, windows, "no window opened");
    for (const [i, sent] of results.entries()) {
      for (const outcome of sent) assert.match(outcome.hash ?? JSON.stringify(outcome.error), /^0x[0-9a-f]{64}$/, `origin ${i}`);
      assert.equal(new Set(sent.map((s) => s.hash)).size, PER_SESSION, "one transaction each");
      const after = await chain.getBalance({ address: recipients[i] });
      assert.equal(after - before[i], amount * BigInt(PER_SESSION), `origin ${i}: each lands exactly once`);
    }
    // Every operation of the account since: one per request, successful, and each session lane's
    // nonces exactly 0..19 (never a collision, never a gap).
    const logs = await nodeRpc("eth_getLogs", [
      { address: devnet.entryPoint, fromBlock: toHex(fromBlock + 1n), toBlock: "latest", topics: [null, null, `0x${account.slice(2).toLowerCase().padStart(64, "0")}`] },
    ]);
    const events = logs
      .map((log) => decodeEventLog({ abi: [USER_OP_EVENT], data: log.data, topics: log.topics }).args)
      .filter((event) => event.success);
    assert.equal(events.length, SESSION_ORIGINS * PER_SESSION);
    const lanes = new Map();
    for (const { nonce } of events) {
      const key = nonce >> 64n;
      lanes.set(key, [...(lanes.get(key) ?? []), nonce & ((1n << 64n) - 1n)]);
    }
    assert.equal(lanes.size, SESSION_ORIGINS, "one lane per session");
    for (const sequence of lanes.values()) {
      assert.deepEqual(
        sequence.sort((a, b) => (a < b ? -1 : 1)),
        Array.from({ length: PER_SESSION }, (_, i) => BigInt(i)),
      );
    }
    await sites[1].close();
    await third.close();
  });
});
