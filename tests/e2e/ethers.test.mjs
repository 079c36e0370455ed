// ethers v6 BrowserProvider against the injected provider: connect, getSigner().sendTransaction,
// wait for the receipt (ethers polls the node through the wallet's read pass-through).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseEther } from "viem";
import { DAPP, Wallet, chain, nodeRpc } from "./lib/harness.mjs";

describe("ethers v6", () => {
  let wallet;
  let dapp;

  before(async () => {
    wallet = await Wallet.launch();
    dapp = await wallet.openDapp(DAPP);
  });
  after(async () => {
    await wallet?.close();
  });

  it("connects, sends a transaction with getSigner().sendTransaction and waits for the receipt", async () => {
    const { page, pending } = await wallet.approval(() =>
      dapp.evaluate(async () => {
        const signer = await window.dapp.ethers.getSigner();
        return signer.getAddress();
      }),
    );
    await page.getByTestId("create-passkey").click();
    await page.getByTestId("account-address").waitFor();
    await page.getByTestId("approve").click();
    const account = await pending;
    assert.match(account, /^0x[0-9a-fA-F]{40}$/);
    await nodeRpc("anvil_setBalance", [account, `0x${parseEther("1").toString(16)}`]);
    const recipient = "0x" + "e7".repeat(20);
    const before = await chain.getBalance({ address: recipient });
    const sent = await wallet.approval(() =>
      dapp.evaluate(async (to) => {
        const signer = await window.dapp.ethers.getSigner();
        const tx = await signer.sendTransaction({ to, value: 12345n });
        const receipt = await tx.wait();
        return { hash: tx.hash, status: receipt.status, block: receipt.blockNumber };
      }, recipient),
    );
    await sent.page.getByTestId("approve").click();
    const { hash, status } = await sent.pending;
    assert.equal(status, 1);
    assert.equal((await chain.getTransactionReceipt({ hash })).status, "success");
    assert.equal((await chain.getBalance({ address: recipient })) - before, 12345n);
  });
});
