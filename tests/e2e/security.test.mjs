// The security review's findings, driven the way a hostile or careless page would: a megabyte of
// nested revert data through the public eth_call pass-through (answered fast and short while
// every tab keeps being answered), calls that would administer the account (refused, no
// window), network switching from an unconnected origin, a flood of pending requests (capped,
// −32002), JSON nested deeper than the wallet keeps, and the wallet's storage read from its own
// content script's world (refused).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encodeFunctionData, parseAbi } from "viem";
import { DAPP, OTHER_DAPP, Wallet, deployArtifact, devnet, request } from "./lib/harness.mjs";

const REVERTER = parseAbi(["function nested(uint256 levels) pure"]);
const LEVELS = 5000; // 100 + 224 × 5,000 = 1,120,100 bytes of revert data

describe("security review findings", () => {
  let wallet;
  let dapp;
  let account;

  before(async () => {
    ({ wallet, dapp, account } = await Wallet.onboarded("1"));
  });
  after(async () => {
    await wallet?.close();
  });

  it("answers a megabyte of nested revert data fast and short, and keeps answering every tab", async () => {
    const reverter = await deployArtifact("Reverter");
    const stranger = await wallet.openDapp(OTHER_DAPP); // not connected: eth_call is public
    const others = [dapp, await wallet.openDapp(OTHER_DAPP)];
    const data = encodeFunctionData({ abi: REVERTER, functionName: "nested", args: [BigInt(LEVELS)] });
    const started = Date.now();
    const big = stranger.evaluate(
      ([to, data]) =>
        window.ethereum.request({ method: "eth_call", params: [{ to, data }, "latest"] }).then(
          () => ({ ok: true }),
          (e) => ({ code: e.code, message: e.message, hasData: e.data !== undefined }),
        ),
      [reverter, data],
    );
    // Meanwhile every other tab is answered, correctly.
    const chainId = `0x${devnet.chainId.toString(16)}`;
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(others.map((page) => request(page, "eth_chainId")));
      for (const answer of answers) assert.deepEqual(answer, { result: chainId });
    }
    const outcome = await big;
    const elapsed = Date.now() - started;
    console.log(`# 1.1 MB nested revert answered in ${elapsed} ms: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.ok, undefined, "the call reverts");
    assert.ok(outcome.message.length < 1500, `short: ${outcome.message.length} characters`);
    assert.match(outcome.message, /revert data of 1120100 bytes with selector 0x65c8fd4d \(too long to decode\)/);
    assert.equal(outcome.hasData, false, "a megabyte of data is not passed on");
    // A few levels are decoded two deep, the rest shown as hex.
    const few = encodeFunctionData({ abi: REVERTER, functionName: "nested", args: [3n] });
    const small = await request(stranger, "eth_call", [{ to: reverter, data: few }, "latest"]);
    assert.equal((small.error.message.match(/FailedOpWithRevert\(/g) ?? []).length, 2, small.error.message);
    assert.doesNotMatch(small.error.message, /deep/);
    // The wallet still knows this site is connected (its state was not lost to a restart).
    assert.deepEqual((await request(dapp, "eth_accounts")).result.map((a) => a.toLowerCase()), [account.toLowerCase()]);
    await stranger.close();
  });

  it("refuses calls that would administer the account, without a window", async () => {
    const windows = wallet.approvalWindows;
    const data = "0x9517e29f"; // installModule(uint256,address,bytes) selector: what the data is does not matter
    const targets = {
      "the zero address (the account itself)": "0x0000000000000000000000000000000000000000",
      "the account": account,
      "the passkey validator": devnet.contracts.webauthnValidator,
      "the session validator": devnet.contracts.sessionKeyValidator,
      // Not installed on this account: no site may set guardians or approve another's recovery.
      "the guardian recovery module": devnet.contracts.guardianRecovery,
      "the EntryPoint": devnet.entryPoint,
    };
    for (const [what, to] of Object.entries(targets)) {
      const { error } = await request(dapp, "eth_sendTransaction", [{ to, data }]);
      assert.equal(error?.code, 4100, what);
      assert.match(error.message, /sites may not administer the account/, what);
    }
    const batch = await request(dapp, "wallet_sendCalls", [
      {
        version: "2.0.0",
        chainId: `0x${devnet.chainId.toString(16)}`,
        atomicRequired: true,
        calls: [{ to: "0x00000000000000000000000000000000000000bb", value: "0x1" }, { to: account, data }],
      },
    ]);
    assert.equal(batch.error?.code, 4100);
    assert.match(batch.error.message, /^Call 1 goes to the account itself/);
    // Nor may a site get this account's signature as a guardian's approval of someone's recovery.
    const approval = {
      types: {
        EIP712Domain: [
          { name: "name", type: "string" },
          { name: "version", type: "string" },
          { name: "chainId", type: "uint256" },
          { name: "verifyingContract", type: "address" },
        ],
        RecoveryApproval: [
          { name: "account", type: "address" },
          { name: "round", type: "uint64" },
          { name: "credentialId", type: "bytes" },
          { name: "publicKey", type: "bytes32[2]" },
          { name: "originDomain", type: "string" },
          { name: "finalizer", type: "address" },
        ],
      },
      primaryType: "RecoveryApproval",
      domain: { name: "SsoWalletGuardianRecovery", version: "1", chainId: devnet.chainId, verifyingContract: devnet.contracts.guardianRecovery },
      message: {
        account: "0x00000000000000000000000000000000000000bb",
        round: 1,
        credentialId: `0x${"11".repeat(16)}`,
        publicKey: [`0x${"22".repeat(32)}`, `0x${"33".repeat(32)}`],
        originDomain: "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
        finalizer: "0x00000000000000000000000000000000000000cc",
      },
    };
    const signed = await request(dapp, "eth_signTypedData_v4", [account, JSON.stringify(approval)]);
    assert.equal(signed.error?.code, 4100);
    assert.match(signed.error.message, /guardian's approval of a recovery/);
    assert.equal(wallet.approvalWindows, windows, "no approval window opened");
  });

  it("lets only connected sites switch the network", async () => {
    const stranger = await wallet.openDapp(OTHER_DAPP);
    const chainId = `0x${devnet.chainId.toString(16)}`;
    assert.equal((await request(stranger, "wallet_switchEthereumChain", [{ chainId }])).error?.code, 4100);
    assert.deepEqual(await request(dapp, "wallet_switchEthereumChain", [{ chainId }]), { result: null });
    await stranger.close();
  });

  it("caps pending requests per site (−32002) and answers every one", async () => {
    const stranger = await wallet.openDapp(OTHER_DAPP);
    // Each page records its answers as they come: `flood(page, method, params, n)`.
    const flood = (page, method, params, n) =>
      page.evaluate(
        ([method, params, n]) => {
          window.__answers = [];
          for (let i = 0; i < n; i += 1) {
            window.ethereum.request({ method, params: params?.map((p) => (p === "#" ? `0x0${i}` : p)) }).then(
              () => window.__answers.push("ok"),
              (e) => window.__answers.push(e.code),
            );
          }
        },
        [method, params, n],
      );
    const answers = (page, n) =>
      page
        .waitForFunction((n) => window.__answers.length >= n, n, { timeout: 15_000 })
        .then(() => page.evaluate(() => window.__answers));
    const { page } = await wallet.approval(() => flood(stranger, "eth_requestAccounts", undefined, 3));
    // One connect request per site waits; the others are answered at once.
    assert.deepEqual(await answers(stranger, 2), [-32002, -32002]);
    // A connected site: three requests wait, the fourth and fifth are answered at once.
    await flood(dapp, "personal_sign", ["#", account], 5);
    assert.deepEqual(await answers(dapp, 2), [-32002, -32002]);
    await page.close(); // closing the window rejects everything it held
    assert.deepEqual(await answers(stranger, 3), [-32002, -32002, 4001]);
    assert.deepEqual(await answers(dapp, 5), [-32002, -32002, 4001, 4001, 4001]);
    await stranger.close();
  });

  it("answers JSON nested deeper than the wallet keeps with −32602", async () => {
    for (const depth of [40, 300]) {
      const outcome = await dapp.evaluate((depth) => {
        let params = ["x"];
        for (let i = 0; i < depth; i++) params = [params];
        return window.ethereum.request({ method: "personal_sign", params }).then(
          () => ({ ok: true }),
          (e) => ({ code: e.code, message: e.message }),
        );
      }, depth);
      assert.equal(outcome.code, -32602, `${depth} levels: ${JSON.stringify(outcome)}`);
      assert.match(outcome.message, /nested/);
    }
  });

  it("keeps the wallet's storage out of its content script's reach", async () => {
    const cdp = await wallet.context.newCDPSession(dapp);
    const contexts = [];
    cdp.on("Runtime.executionContextCreated", ({ context }) => contexts.push(context));
    await cdp.send("Runtime.enable");
    const relay = contexts.find((c) => c.auxData?.type === "isolated" && c.name === "SSO Wallet");
    assert.ok(relay, `the content script's world: ${JSON.stringify(contexts.map((c) => c.name))}`);
    for (const area of ["local", "session"]) {
      const { result, exceptionDetails } = await cdp.send("Runtime.evaluate", {
        expression: `chrome.storage.${area}.get(null).then((items) => JSON.stringify(items))`,
        contextId: relay.id,
        awaitPromise: true,
        returnByValue: true,
      });
      assert.ok(exceptionDetails, `chrome.storage.${area} must not be readable there, got ${JSON.stringify(result)}`);
    }
    await cdp.detach();
  });
});
