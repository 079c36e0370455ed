// Many requests at once, the way busy dapps send them: ten transactions (five
// eth_sendTransaction from one page, five wallet_sendCalls from another tab of the same site)
// and ten personal_sign requests (from two tabs of another site), all fired together. Each site
// may have three requests waiting (the security review's cap): the rest are answered −32002 at
// once. One approval window opens and shows the queue one by one ("1 of N"); the queued
// transactions all start out prepared with the same nonce and the account's deployment, and each
// must be prepared again when its turn comes. Some are approved, others rejected; every request
// is checked for its own answer, at the page and on chain. Then one that fails once approved
// (the account can no longer pay): its error is shown above the next request, and its page gets it.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { getAddress, toHex } from "viem";
import { DAPP, OTHER_DAPP, Wallet, chain, nodeRpc, request } from "./lib/harness.mjs";

const PER_SITE = 3; // approval::MAX_PENDING_PER_ORIGIN

/** Fires `requests` ([{label, method, params}]) at once from `page`; answers land in `window.__answers[label]`. */
function fire(page, requests) {
  return page.evaluate((requests) => {
    window.__answers = {};
    for (const { label, method, params } of requests) {
      window.ethereum.request({ method, params }).then(
        (result) => (window.__answers[label] = { result }),
        (e) => (window.__answers[label] = { error: { code: e.code, message: e.message } }),
      );
    }
  }, requests);
}

/** Waits until `page` has answers for all of `labels`, and returns them. */
async function answers(page, labels) {
  await page.waitForFunction((labels) => labels.every((l) => window.__answers?.[l]), labels, { timeout: 180_000 });
  return page.evaluate(() => window.__answers);
}

/** Waits until `popup` shows an approval other than `before`, ready to approve; returns its id. */
async function shown(popup, before) {
  await popup.waitForFunction(
    (before) => {
      const id = document.querySelector("main")?.dataset.approvalId;
      return id !== undefined && id !== before && document.querySelector('[data-testid="approve"]');
    },
    before,
    { timeout: 90_000 },
  );
  return popup.evaluate(() => document.querySelector("main").dataset.approvalId);
}

describe("many requests at once", () => {
  let wallet;
  let dapp;
  let account;

  before(async () => {
    // Not deployed yet: the first transaction approved deploys it.
    ({ wallet, dapp, account } = await Wallet.onboarded("1"));
  });
  after(async () => {
    await wallet?.close();
  });

  it("queues them in one window and answers each request for itself", async () => {
    const tab = await wallet.openDapp(DAPP);
    const other = await wallet.openDapp(OTHER_DAPP);
    const otherTab = await wallet.openDapp(OTHER_DAPP);
    {
      const { page, pending } = await wallet.approval(() => request(other, "eth_requestAccounts"));
      await page.getByTestId("approve").click();
      assert.deepEqual((await pending).result.map(getAddress), [getAddress(account)]);
      if (!page.isClosed()) await page.waitForEvent("close");
    }

    // Ten transfers, each to its own new address with its own amount, and ten messages.
    const transfers = Array.from({ length: 10 }, (_, i) => ({
      label: `tx${i}`,
      to: getAddress(toHex(randomBytes(20))),
      value: 1_000n + BigInt(i),
    }));
    const sendTransaction = ({ label, to, value }) => ({
      label,
      method: "eth_sendTransaction",
      params: [{ from: account, to, value: toHex(value) }],
    });
    const sendCalls = ({ label, to, value }) => ({
      label,
      method: "wallet_sendCalls",
      params: [{ version: "2.0.0", from: account, chainId: toHex(31337), atomicRequired: true, calls: [{ to, value: toHex(value) }] }],
    });
    const messages = Array.from({ length: 10 }, (_, i) => ({ label: `sign${i}`, text: `Request ${i} of ten, signed at once` }));
    const sign = ({ label, text }) => ({ label, method: "personal_sign", params: [toHex(text), account] });
    const plan = [
      [dapp, transfers.slice(0, 5).map(sendTransaction)],
      [tab, transfers.slice(5).map(sendCalls)],
      [other, messages.slice(0, 5).map(sign)],
      [otherTab, messages.slice(5).map(sign)],
    ];

    const windowsBefore = wallet.approvalWindows;
    const opened = wallet.context.waitForEvent("page", { timeout: 30_000 });
    await Promise.all(plan.map(([page, requests]) => fire(page, requests)));
    const popup = await opened;
    await wallet.attachAuthenticator(popup);

    // Over each site's cap: answered −32002 at once, before anyone looks at the window.
    const refused = async (pages, labels, n) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const all = Object.assign({}, ...(await Promise.all(pages.map((p) => p.evaluate(() => window.__answers)))));
        const codes = labels.map((l) => all[l]?.error?.code).filter((c) => c === -32002);
        if (codes.length >= n) return all;
        assert.ok(Date.now() < deadline, `only ${codes.length} of ${n} answered −32002: ${JSON.stringify(all)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await refused([dapp, tab], transfers.map((t) => t.label), 10 - PER_SITE);
    await refused([other, otherTab], messages.map((m) => m.label), 10 - PER_SITE);

    // The window shows the six waiting requests one by one; approve two of every three.
    const decisions = {};
    let shownBefore = null;
    for (let left = 2 * PER_SITE; left > 0; left--) {
      shownBefore = await shown(popup, shownBefore);
      if (left < 2 * PER_SITE) {
        // Shown again after each answer, the queue counts down (the first view may have been
        // drawn while requests were still arriving).
        if (left > 1) assert.equal(await popup.getByTestId("queue-position").textContent(), `1 of ${left}`);
        else assert.equal(await popup.getByTestId("queue-position").count(), 0, "the last one shows no queue");
        if (left > 1) assert.match(await popup.getByTestId("queue-note").textContent(), new RegExp(`${left - 1} more after this one; closing the window rejects them all`));
      }
      const to = await popup.getByTestId("tx-to").first().textContent({ timeout: 500 }).catch(() => null);
      const text = to ? null : await popup.getByTestId("sign-message").textContent();
      const label = to
        ? transfers.find((t) => to.toLowerCase().includes(t.to.toLowerCase()))?.label
        : messages.find((m) => m.text === text)?.label;
      assert.ok(label, `the window shows one of the requests: ${to ?? text}`);
      // Per kind, the second one shown is rejected and the others approved (the order the
      // kinds arrive in is the browser's): two transactions and two signatures go through.
      const sameKind = Object.keys(decisions).filter((l) => l.startsWith(label.slice(0, 2))).length;
      const approve = sameKind !== 1;
      decisions[label] = approve;
      await popup.getByTestId(approve ? "approve" : "reject").click();
    }
    if (!popup.isClosed()) {
      await popup.waitForEvent("close", { timeout: 120_000 }).catch(async () => {
        const error = await popup.getByTestId("error").textContent({ timeout: 1_000 }).catch(() => "none");
        assert.fail(`the window stays open once the queue is answered; its error: ${error}`);
      });
    }
    assert.equal(wallet.approvalWindows - windowsBefore, 1, "one approval window for all of them");

    const txAnswers = { ...(await answers(dapp, transfers.slice(0, 5).map((t) => t.label))), ...(await answers(tab, transfers.slice(5).map((t) => t.label))) };
    const signAnswers = { ...(await answers(other, messages.slice(0, 5).map((m) => m.label))), ...(await answers(otherTab, messages.slice(5).map((m) => m.label))) };
    const queuedTx = transfers.filter((t) => t.label in decisions);
    const queuedSign = messages.filter((m) => m.label in decisions);
    assert.equal(queuedTx.length, PER_SITE, `three transactions waited: ${JSON.stringify(decisions)}`);
    assert.equal(queuedSign.length, PER_SITE, `three signatures waited: ${JSON.stringify(decisions)}`);
    assert.ok(queuedTx.filter((t) => decisions[t.label]).length >= 2, "two queued transactions were approved: the second took a new nonce");

    for (const { label, to, value } of transfers) {
      const answer = txAnswers[label];
      const balance = async () => chain.getBalance({ address: to });
      if (!(label in decisions)) {
        assert.equal(answer.error?.code, -32002, `${label}: ${JSON.stringify(answer)}`);
        assert.equal(await balance(), 0n, label);
      } else if (!decisions[label]) {
        assert.equal(answer.error?.code, 4001, `${label} was rejected: ${JSON.stringify(answer)}`);
        assert.equal(await balance(), 0n, label);
      } else if (transfers.findIndex((t) => t.label === label) < 5) {
        // eth_sendTransaction: the bundle transaction's hash, included and successful.
        assert.match(answer.result ?? "", /^0x[0-9a-f]{64}$/, `${label}: ${JSON.stringify(answer)}`);
        const receipt = await chain.getTransactionReceipt({ hash: answer.result });
        assert.equal(receipt.status, "success", label);
        assert.equal(await balance(), value, `${label} sent its own amount to its own address`);
      } else {
        // wallet_sendCalls: a batch id whose status becomes confirmed.
        assert.ok(answer.result?.id, `${label}: ${JSON.stringify(answer)}`);
        let status;
        for (let i = 0; i < 60; i++) {
          status = (await request(tab, "wallet_getCallsStatus", [answer.result.id])).result;
          if (status?.status !== 100) break;
          await new Promise((r) => setTimeout(r, 500));
        }
        assert.equal(status?.status, 200, `${label}: ${JSON.stringify(status)}`);
        assert.equal(await balance(), value, `${label} sent its own amount to its own address`);
      }
    }
    for (const { label, text } of messages) {
      const answer = signAnswers[label];
      if (!(label in decisions)) {
        assert.equal(answer.error?.code, -32002, `${label}: ${JSON.stringify(answer)}`);
      } else if (!decisions[label]) {
        assert.equal(answer.error?.code, 4001, `${label} was rejected: ${JSON.stringify(answer)}`);
      } else {
        const signature = answer.result;
        assert.equal(await chain.verifyMessage({ address: account, message: text, signature }), true, `${label} signs its own message`);
        const another = messages.find((m) => m.label !== label).text;
        assert.equal(await chain.verifyMessage({ address: account, message: another, signature }), false, label);
      }
    }
    for (const page of [tab, other, otherTab]) await page.close();
  });

  it("a queued transaction that fails once approved shows its error, its page gets it, and the window moves on", async () => {
    const recipients = [getAddress(toHex(randomBytes(20))), getAddress(toHex(randomBytes(20)))];
    const message = "After a failure, still asked";
    const opened = wallet.context.waitForEvent("page", { timeout: 30_000 });
    await fire(dapp, recipients.map((to, i) => ({ label: to, method: "eth_sendTransaction", params: [{ from: account, to, value: toHex(7n + BigInt(i)) }] })));
    const popup = await opened;
    await wallet.attachAuthenticator(popup);
    // The transaction shown first goes through.
    let id = await shown(popup, null);
    const sent = await popup.getByTestId("tx-to").textContent();
    const failing = recipients.find((r) => r !== sent);
    await popup.getByTestId("approve").click();
    id = await shown(popup, id);
    assert.equal(await popup.getByTestId("tx-to").textContent(), failing);
    // While the other is on screen a signature request arrives behind it, and the account can no
    // longer pay for the transaction by the time the user approves it.
    await dapp.evaluate(([message, account]) => {
      window.ethereum.request({ method: "personal_sign", params: [message, account] }).then(
        (result) => (window.__answers.sign = { result }),
        (e) => (window.__answers.sign = { error: { code: e.code, message: e.message } }),
      );
    }, [toHex(message), account]);
    const balance = await chain.getBalance({ address: account });
    await nodeRpc("anvil_setBalance", [account, "0x0"]);
    try {
      await popup.getByTestId("approve").click();
      id = await shown(popup, id);
      assert.equal(await popup.getByTestId("sign-message").textContent(), message, "the next request is shown");
      assert.match(await popup.getByTestId("error").textContent(), /AA21|prefund/i, "with the failure above it");
    } finally {
      await nodeRpc("anvil_setBalance", [account, toHex(balance)]);
    }
    await popup.getByTestId("approve").click();
    const got = await answers(dapp, [...recipients, "sign"]);
    assert.equal((await chain.getTransactionReceipt({ hash: got[sent].result })).status, "success");
    assert.equal(await chain.getBalance({ address: sent }), 7n + BigInt(recipients.indexOf(sent)));
    assert.match(got[failing].error?.message ?? "", /AA21|prefund/i, JSON.stringify(got[failing]));
    assert.equal(await chain.getBalance({ address: failing }), 0n);
    assert.equal(await chain.verifyMessage({ address: account, message, signature: got.sign.result }), true);
    if (!popup.isClosed()) await popup.waitForEvent("close", { timeout: 30_000 });
  });
});
