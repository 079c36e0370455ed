// ethers v6 BrowserProvider against the injected provider: connect, getSigner().sendTransaction,
// wait for the receipt (ethers polls the node through the wallet's read pass-through). Then a
// contract deployment as ethers sends it (no `to`): refused with what to do instead, and done
// that way — the init code through the CREATE2 deployer the README names.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { concat, getContractAddress, parseEther, toHex } from "viem";
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

  it("refuses a deployment without `to` with what to do instead, and deploys through the CREATE2 deployer", async () => {
    // Init code that returns the runtime `return 42`.
    const runtime = "0x602a60005260206000f3";
    const initCode = concat(["0x600a600c600039600a6000f3", runtime]);
    const refused = await dapp.evaluate(async (data) => {
      const signer = await window.dapp.ethers.getSigner();
      return signer.sendTransaction({ data }).then(
        () => "sent",
        (e) => `${e.error?.code ?? e.info?.error?.code ?? e.code}: ${e.error?.message ?? e.info?.error?.message ?? e.message}`,
      );
    }, initCode);
    assert.match(refused, /^-32602: .*cannot create a contract by itself.*0x4e59b44847b379578588920cA78FbF26c0B4956C/);

    const deployer = "0x4e59b44847b379578588920cA78FbF26c0B4956C";
    const salt = toHex(7n, { size: 32 });
    const expected = getContractAddress({ opcode: "CREATE2", from: deployer, salt, bytecode: initCode });
    const sent = await wallet.approval(() =>
      dapp.evaluate(async ([to, data]) => {
        const signer = await window.dapp.ethers.getSigner();
        const tx = await signer.sendTransaction({ to, data });
        return (await tx.wait()).status;
      }, [deployer, concat([salt, initCode])]),
    );
    await sent.page.getByTestId("approve").click();
    assert.equal(await sent.pending, 1);
    assert.equal(await chain.getCode({ address: expected }), runtime);
  });
});
