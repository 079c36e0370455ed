// Pending approvals survive a service-worker restart (chrome.storage.session): stopping the worker
// while the approval window is open, then approving, completes the request exactly once; closing
// the window after a restart still rejects with 4001.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseAbi, parseEther, toHex } from "viem";
import { Wallet, builtNetworks, chain, devnet, request } from "./lib/harness.mjs";

const ENTRY_POINT = parseAbi(["function getNonce(address sender, uint192 key) view returns (uint256)"]);

describe("service-worker restarts", () => {
  let wallet;
  let dapp;
  let account;

  before(async () => {
    // Ethereum Sepolia as the build ships it, beside the devnet, to switch to (nothing is sent there).
    const sepolia = (await builtNetworks()).networks.find((n) => n.chainId === 11155111);
    const networks = { ...devnet.networks, networks: [...devnet.networks.networks, sepolia] };
    ({ wallet, dapp, account } = await Wallet.onboarded("1", { networks }));
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

  it("answers eth_chainId and net_version from the chain hint while the wasm starts, following switches", async () => {
    // The hint was written when the network was first resolved (onboarding).
    await wallet.stopWorker();
    const [chainId, netVersion] = await Promise.all([request(dapp, "eth_chainId"), request(dapp, "net_version")]);
    assert.deepEqual([chainId, netVersion], [{ result: "0x7a69" }, { result: "31337" }]);
    assert.equal((await wallet.startupMarks()).earlyAnswers, 2, "both answered before the wasm was ready");

    // A switch (answered by the wasm) moves the hint: the next start answers the new chain.
    const sepolia = "0xaa36a7";
    assert.deepEqual(await request(dapp, "wallet_switchEthereumChain", [{ chainId: sepolia }]), { result: null });
    await wallet.stopWorker();
    assert.deepEqual(await request(dapp, "eth_chainId"), { result: sepolia });
    assert.equal((await wallet.startupMarks()).earlyAnswers, 1);

    // A request that came in first is the wasm's, and so is every one after it: the chain id asked
    // right behind a switch is the switched-to one, never the hint's.
    await wallet.stopWorker();
    const [switched, after] = await Promise.all([
      request(dapp, "wallet_switchEthereumChain", [{ chainId: "0x7a69" }]),
      request(dapp, "eth_chainId"),
    ]);
    assert.deepEqual([switched, after], [{ result: null }, { result: "0x7a69" }]);
    assert.equal((await wallet.startupMarks()).earlyAnswers, undefined);
    // A request with params, or an odd id, is the wasm's too (it checks them).
    await wallet.stopWorker();
    assert.deepEqual(await request(dapp, "eth_chainId", [1]), { result: "0x7a69" });
    assert.equal((await wallet.startupMarks()).earlyAnswers, undefined);
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
