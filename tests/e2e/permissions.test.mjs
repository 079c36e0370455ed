// EIP-2255 permissions (request through the connect approval, get, revoke = disconnect with
// accountsChanged([])), EIP-3326 chain switching, and eth_sign refused with its reason.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DAPP, Wallet, request } from "./lib/harness.mjs";

describe("permissions and chains", () => {
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

  it("grants eth_accounts through wallet_requestPermissions", async () => {
    assert.deepEqual(await request(dapp, "wallet_getPermissions"), { result: [] });
    const asked = await request(dapp, "wallet_requestPermissions", [{ eth_sign: {} }]);
    assert.equal(asked.error.code, -32602);
    const { page, pending } = await wallet.approval(() => request(dapp, "wallet_requestPermissions", [{ eth_accounts: {} }]));
    await page.getByTestId("create-passkey").click();
    await page.getByTestId("account-address").waitFor();
    await page.getByTestId("approve").click();
    const { result } = await pending;
    assert.equal(result.length, 1);
    assert.equal(result[0].parentCapability, "eth_accounts");
    assert.equal(result[0].invoker, new URL(DAPP).origin);
    account = result[0].caveats[0].value[0];
    assert.match(account, /^0x[0-9a-f]{40}$/);
    assert.deepEqual(await request(dapp, "eth_accounts"), { result: [account] });
    assert.deepEqual((await request(dapp, "wallet_getPermissions")).result, result);
  });

  it("switches only to known chains (4902 otherwise)", async () => {
    assert.deepEqual(await request(dapp, "wallet_switchEthereumChain", [{ chainId: "0x7a69" }]), { result: null });
    assert.equal((await request(dapp, "wallet_switchEthereumChain", [{ chainId: "0x1" }])).error.code, 4902);
    assert.equal((await request(dapp, "wallet_switchEthereumChain", [{ chain: 1 }])).error.code, -32602);
  });

  it("disconnects on wallet_revokePermissions and tells the page", async () => {
    await dapp.evaluate(() => {
      window.__accountsChanged = null;
      window.ethereum.on("accountsChanged", (accounts) => {
        window.__accountsChanged = accounts;
      });
    });
    assert.deepEqual(await request(dapp, "wallet_revokePermissions", [{ eth_accounts: {} }]), { result: null });
    await dapp.waitForFunction(() => Array.isArray(window.__accountsChanged));
    assert.deepEqual(await dapp.evaluate(() => window.__accountsChanged), []);
    assert.deepEqual(await request(dapp, "eth_accounts"), { result: [] });
    assert.deepEqual(await request(dapp, "wallet_getPermissions"), { result: [] });
    const tx = await request(dapp, "eth_sendTransaction", [{ to: account, value: "0x1" }]);
    assert.equal(tx.error.code, 4100);
    // A disconnected site no longer switches the wallet's network.
    assert.equal((await request(dapp, "wallet_switchEthereumChain", [{ chainId: "0x7a69" }])).error.code, 4100);
  });

  it("refuses eth_sign with its reason", async () => {
    const { error } = await request(dapp, "eth_sign", [account, "0x" + "00".repeat(32)]);
    assert.equal(error.code, 4200);
    assert.match(error.message, /eth_sign is refused: it signs an arbitrary hash/);
  });
});
