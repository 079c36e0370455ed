// Pending approvals survive a service-worker restart (chrome.storage.session): stopping the worker
// while the approval window is open, then approving, completes the request exactly once; closing
// the window after a restart still rejects with 4001.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseAbi, parseEther, toHex } from "viem";
import { Wallet, chain, devnet, request } from "./lib/harness.mjs";

const ENTRY_POINT = parseAbi(["function getNonce(address sender, uint192 key) view returns (uint256)"]);

describe("service-worker restarts", () => {
  let wallet;
  let dapp;
  let account;

  before(async () => {
    ({ wallet, dapp, account } = await Wallet.onboarded("1"));
  });
  after(async () => {
    await wallet?.close();
  });

  const nonce = () =>
    chain.readContract({ address: devnet.contracts.entryPoint, abi: ENTRY_POINT, functionName: "getNonce", args: [account, 0n] });
  const send = (to) => () => request(dapp, "eth_sendTransaction", [{ from: account, to, value: toHex(parseEther("0.01")) }]);

  it("completes an approval left open across a worker restart exactly once", async () => {
    const recipient = "0x" + "e1".repeat(20);
    const before = await chain.getBalance({ address: recipient });
    const nonceBefore = await nonce();
    const { page, pending } = await wallet.approval(send(recipient));
    await wallet.stopWorker();
    await page.getByTestId("approve").click();
    const answer = await pending;
    assert.match(answer.result ?? JSON.stringify(answer.error), /^0x[0-9a-f]{64}$/);
    assert.equal((await chain.getTransactionReceipt({ hash: answer.result })).status, "success");
    assert.equal((await chain.getBalance({ address: recipient })) - before, parseEther("0.01"));
    assert.equal(await nonce(), nonceBefore + 1n, "one UserOperation, not two");
    // The page is still served normally afterwards.
    assert.deepEqual(await request(dapp, "eth_accounts"), { result: [account.toLowerCase()] });
  });

  it("rejects with 4001 when the window is closed after a restart", async () => {
    const nonceBefore = await nonce();
    const { page, pending } = await wallet.approval(send("0x" + "e2".repeat(20)));
    await wallet.stopWorker();
    await page.close();
    assert.equal((await pending).error.code, 4001);
    assert.equal(await nonce(), nonceBefore);
  });
});
