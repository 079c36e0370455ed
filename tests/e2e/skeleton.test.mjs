// The walking skeleton end to end: EIP-6963 discovery, passkey onboarding + connect, access
// rules per origin, read pass-through, a passkey-approved ETH transfer that deploys the account,
// and a worker restart — in headless Chromium against anvil + EntryPoint v0.8 + alto.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseEther } from "viem";
import { DAPP, OTHER_DAPP, Wallet, chain, devnet, factoryAddress, nodeRpc, request } from "./lib/harness.mjs";

describe("walking skeleton", () => {
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

  it("announces itself through EIP-6963 to a mipd store", async () => {
    const info = await dapp.evaluate(() => window.dapp.store.getProviders().map((p) => p.info));
    assert.equal(info.length, 1);
    assert.equal(info[0].name, "SSO Wallet");
    assert.equal(info[0].rdns, "dev.ssowallet");
    assert.match(info[0].icon, /^data:image\/svg\+xml;base64,/);
    assert.match(info[0].uuid, /^[0-9a-f-]{36}$/);
    // Re-announces on request with the same uuid for the page's lifetime.
    const again = await dapp.evaluate(
      () =>
        new Promise((resolve) => {
          window.addEventListener("eip6963:announceProvider", (e) => resolve(e.detail.info.uuid), { once: true });
          window.dispatchEvent(new Event("eip6963:requestProvider"));
        }),
    );
    assert.equal(again, info[0].uuid);
  });

  it("answers eth_chainId and passes reads through to the node", async () => {
    assert.deepEqual(await request(dapp, "eth_chainId"), { result: "0x7a69" });
    assert.deepEqual(await request(dapp, "net_version"), { result: "31337" });
    const funder = devnet.funder.address;
    const { result } = await request(dapp, "eth_getBalance", [funder, "latest"]);
    assert.equal(BigInt(result), await chain.getBalance({ address: funder }));
    const block = await request(dapp, "eth_blockNumber");
    assert.equal(BigInt(block.result), await chain.getBlockNumber());
  });

  it("refuses unknown methods with 4200 and malformed params with -32602", async () => {
    assert.equal((await request(dapp, "eth_sign", ["0x00", "0x00"])).error.code, 4200);
    assert.equal((await request(dapp, "wallet_nonsense")).error.code, 4200);
    assert.equal((await request(dapp, "eth_getBalance", "nope")).error.code, -32602);
    const bad = await dapp.evaluate(() => window.ethereum.request("eth_chainId").catch((e) => e.code));
    assert.equal(bad, -32602);
  });

  it("gives an unconnected origin no accounts and 4100 for transactions", async () => {
    assert.deepEqual(await request(dapp, "eth_accounts"), { result: [] });
    const tx = await request(dapp, "eth_sendTransaction", [{ to: devnet.funder.address, value: "0x1" }]);
    assert.equal(tx.error.code, 4100);
  });

  it("onboards with a passkey and connects to the factory's address for that passkey", async () => {
    const { page, pending } = await wallet.approval(() =>
      dapp.evaluate(() => window.dapp.wallet.requestAddresses().then((a) => a, (e) => ({ code: e.code }))),
    );
    assert.equal(await page.getByTestId("approval-origin").textContent(), new URL(DAPP).origin);
    await page.getByTestId("create-passkey").click();
    const shown = page.getByTestId("account-address");
    await shown.waitFor();
    await page.getByTestId("approve").click();
    const accounts = await pending;
    assert.equal(accounts.length, 1, JSON.stringify(accounts));
    account = accounts[0];
    assert.equal((await shown.textContent().catch(() => account)).toLowerCase(), account.toLowerCase());
    assert.equal(wallet.credentials.length, 1, "the virtual authenticator holds the new passkey");
    const expected = await factoryAddress(wallet.credentials[0], wallet.extensionId);
    assert.equal(account, expected);
    assert.equal(await chain.getCode({ address: account }), undefined, "not deployed yet");
    // Addresses go to dapps in lowercase, as mainstream wallets send them.
    assert.deepEqual(await request(dapp, "eth_accounts"), { result: [account.toLowerCase()] });
  });

  it("keeps other origins out and rejects with 4001", async () => {
    const other = await wallet.openDapp(OTHER_DAPP);
    try {
      assert.deepEqual(await request(other, "eth_accounts"), { result: [] });
      const tx = await request(other, "eth_sendTransaction", [{ from: account, to: account, value: "0x1" }]);
      assert.equal(tx.error.code, 4100);

      const rejected = await wallet.approval(() => request(other, "eth_requestAccounts"));
      assert.equal(await rejected.page.getByTestId("approval-origin").textContent(), new URL(OTHER_DAPP).origin);
      await rejected.page.getByTestId("reject").click();
      assert.equal((await rejected.pending).error.code, 4001);

      const closed = await wallet.approval(() => request(other, "eth_requestAccounts"));
      await closed.page.close();
      assert.equal((await closed.pending).error.code, 4001);
      assert.deepEqual(await request(other, "eth_accounts"), { result: [] });
    } finally {
      await other.close();
    }
  });

  it("sends 0.01 ETH with a passkey approval, deploying the account in the same UserOp", async () => {
    await nodeRpc("anvil_setBalance", [account, `0x${parseEther("1").toString(16)}`]);
    const recipient = `0x${"ab".repeat(20)}`;
    const before = await chain.getBalance({ address: recipient });
    await dapp.getByTestId("dapp-to").fill(recipient);
    await dapp.getByTestId("dapp-amount").fill("0.01");
    const { page } = await wallet.approval(() => dapp.getByTestId("dapp-send").click());
    assert.equal((await page.getByTestId("tx-to").textContent()).toLowerCase(), recipient);
    assert.equal(await page.getByTestId("tx-value").textContent(), "0.01 ETH");
    assert.deepEqual(await page.getByTestId("balance-change").allTextContents(), ["−0.01 ETH"], "simulated, deployment included");
    assert.match(await page.getByTestId("tx-fee").textContent(), /^\d+(\.\d+)? ETH$/);
    await page.getByTestId("tx-deploys").waitFor();
    await page.getByTestId("approve").click();
    const hashCell = dapp.getByTestId("dapp-tx-hash");
    await dapp.waitForFunction(() => /^0x[0-9a-f]{64}$/.test(document.querySelector('[data-testid="dapp-tx-hash"]').textContent), null, { timeout: 60_000 });
    const hash = await hashCell.textContent();
    const receipt = await chain.getTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    assert.equal((await chain.getBalance({ address: recipient })) - before, parseEther("0.01"));
    assert.ok((await chain.getCode({ address: account }))?.length > 2, "the account is deployed");
    assert.equal(await dapp.getByTestId("dapp-error").textContent(), "");
  });

  it("serves the first request after the service worker is stopped", async () => {
    await wallet.stopWorker();
    assert.deepEqual(await request(dapp, "eth_accounts"), { result: [account.toLowerCase()] });
    assert.deepEqual(await request(dapp, "eth_chainId"), { result: "0x7a69" });
  });
});
