// web3.js v4 against the injected provider, the way a web3.js dapp drives a wallet: connect with
// eth.requestAccounts, eth.sendTransaction (web3 fills in gas, fees and nonce itself, then polls for
// the receipt through the wallet's read pass-through), eth.personal.sign with its password
// parameter, and eth.signTypedData (v4) — the signatures verified on chain by viem (ERC-1271).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseEther } from "viem";
import { DAPP, Wallet, chain, nodeRpc } from "./lib/harness.mjs";

const TYPED = {
  domain: { name: "web3 dapp", version: "1", chainId: 31337, verifyingContract: "0x" + "ab".repeat(20) },
  types: {
    EIP712Domain: [
      { name: "name", type: "string" },
      { name: "version", type: "string" },
      { name: "chainId", type: "uint256" },
      { name: "verifyingContract", type: "address" },
    ],
    Order: [
      { name: "maker", type: "address" },
      { name: "amounts", type: "uint256[]" },
    ],
  },
  primaryType: "Order",
  message: { maker: "0x" + "cd".repeat(20), amounts: ["1", "2"] },
};

describe("web3.js v4", () => {
  let wallet;
  let dapp;
  let account;

  before(async () => {
    wallet = await Wallet.launch();
    dapp = await wallet.openDapp(DAPP);
  });
  after(async () => {
    await wallet?.close();
  });

  it("connects with eth.requestAccounts, sends with eth.sendTransaction and gets the receipt", async () => {
    const { page, pending } = await wallet.approval(() => dapp.evaluate(() => window.dapp.web3.eth.requestAccounts()));
    await page.getByTestId("create-passkey").click();
    await page.getByTestId("account-address").waitFor();
    await page.getByTestId("approve").click();
    [account] = await pending;
    assert.match(account, /^0x[0-9a-fA-F]{40}$/);
    await nodeRpc("anvil_setBalance", [account, `0x${parseEther("1").toString(16)}`]);
    const recipient = "0x" + "e8".repeat(20);
    const before = await chain.getBalance({ address: recipient });
    const sent = await wallet.approval(() =>
      dapp.evaluate(async ([from, to]) => {
        const receipt = await window.dapp.web3.eth.sendTransaction({ from, to, value: 54321 });
        return { hash: receipt.transactionHash, status: String(receipt.status) };
      }, [account, recipient]),
    );
    await sent.page.getByTestId("approve").click();
    const { hash, status } = await sent.pending;
    assert.equal(status, "1");
    assert.equal((await chain.getTransactionReceipt({ hash })).status, "success");
    assert.equal((await chain.getBalance({ address: recipient })) - before, 54321n);
  });

  it("signs with eth.personal.sign (password parameter) and eth.signTypedData, verified on chain", async () => {
    const message = "web3.js says hello";
    const personal = await wallet.approval(() =>
      dapp.evaluate(([message, from]) => window.dapp.web3.eth.personal.sign(message, from, "password"), [message, account]),
    );
    await personal.page.getByTestId("approve").click();
    const signature = await personal.pending;
    assert.equal(await chain.verifyMessage({ address: account, message, signature }), true);

    const typed = await wallet.approval(() => dapp.evaluate(([from, data]) => window.dapp.web3.eth.signTypedData(from, data), [account, TYPED]));
    await typed.page.getByTestId("approve").click();
    const typedSignature = await typed.pending;
    assert.equal(
      await chain.verifyTypedData({ address: account, ...TYPED, message: { ...TYPED.message, amounts: [1n, 2n] }, signature: typedSignature }),
      true,
    );
  });
});
