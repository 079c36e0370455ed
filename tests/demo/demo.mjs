// Headless demo (`cargo xtask demo` without a display): drives the real extension like a person
// would — create a passkey, connect, send ETH with a passkey approval, grant the dapp a session
// once, let it send several transfers with no window at all, look at the session and what is
// left of its limits on the home page, revoke it — printing each step and saving a screenshot of
// each (target/demo/NN-*.png), with one of each of the home page's views (Account, Activity,
// Sessions, Settings).
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { formatEther, getAddress, parseEther } from "viem";
import { DAPP, Wallet, chain, nodeRpc, showTab, transferSessionRequest } from "../e2e/lib/harness.mjs";

const out = join(process.cwd(), "target/demo");
await mkdir(out, { recursive: true });
let shot = 0;
const snap = async (page, name) => {
  const file = join(out, `${String(++shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file });
  console.log(`   screenshot ${file}`);
};
const say = (text) => console.log(`demo: ${text}`);

const wallet = await Wallet.launch();
try {
  say(`extension loaded (id ${wallet.extensionId})`);
  const dapp = await wallet.openDapp(DAPP);
  say(`dapp ${DAPP} found "${await dapp.getByTestId("dapp-wallet").textContent()}" through EIP-6963`);
  await snap(dapp, "dapp");

  say("Connect → the wallet offers to create a passkey");
  const connect = await wallet.approval(() => dapp.getByTestId("dapp-connect").click());
  await snap(connect.page, "onboarding");
  await connect.page.getByTestId("create-passkey").click();
  await connect.page.getByTestId("account-address").waitFor();
  const account = await connect.page.getByTestId("account-address").textContent();
  say(`passkey created; counterfactual account ${account}`);
  await snap(connect.page, "connect");
  await connect.page.getByTestId("approve").click();
  await dapp.waitForFunction(() => document.querySelector('[data-testid="dapp-address"]').textContent.startsWith("0x"));
  say("connected");

  await nodeRpc("anvil_setBalance", [account, `0x${parseEther("1").toString(16)}`]);
  say("funded the (not yet deployed) account with 1 ETH from the devnet");
  await dapp.reload();
  await dapp.waitForFunction(() => window.dapp?.provider);
  await dapp.getByTestId("dapp-connect").click();
  await dapp.waitForFunction(() => document.querySelector('[data-testid="dapp-balance"]').textContent.includes("ETH"));

  const recipient = `0x${"cd".repeat(20)}`;
  await dapp.getByTestId("dapp-to").fill(recipient);
  await dapp.getByTestId("dapp-amount").fill("0.01");
  say(`Send 0.01 ETH to ${recipient} → approval window`);
  const send = await wallet.approval(() => dapp.getByTestId("dapp-send").click());
  await snap(send.page, "approve-transaction");
  await send.page.getByTestId("approve").click();
  say("approved with the passkey; the UserOp deploys the account and transfers");
  await dapp.waitForFunction(
    () => /^0x[0-9a-f]{64}$/.test(document.querySelector('[data-testid="dapp-tx-hash"]').textContent),
    null,
    { timeout: 60_000 },
  );
  const hash = await dapp.getByTestId("dapp-tx-hash").textContent();
  const receipt = await chain.getTransactionReceipt({ hash });
  say(`transaction ${hash}: ${receipt.status} in block ${receipt.blockNumber}`);
  say(`recipient balance ${formatEther(await chain.getBalance({ address: recipient }))} ETH`);
  await snap(dapp, "sent");
  if (receipt.status !== "success") throw new Error("the demo transaction failed");

  // A session: the dapp may send up to 0.005 ETH per transfer, 0.02 ETH in all, to one address,
  // for an hour — approved once with the passkey, then used without any window.
  const payee = getAddress(`0x${"ef".repeat(20)}`);
  const now = Number((await chain.getBlock()).timestamp);
  const permission = transferSessionRequest({
    chainId: await chain.getChainId(),
    account,
    to: payee,
    perUse: parseEther("0.005"),
    total: parseEther("0.02"),
    feeLimit: parseEther("0.1"),
    expiry: now + 3600,
    justification: "Tip the author without a prompt each time",
  });
  say("The dapp asks for a session (wallet_requestExecutionPermissions) → one approval window");
  const grant = await wallet.approval(() =>
    dapp.evaluate((params) => window.ethereum.request({ method: "wallet_requestExecutionPermissions", params }), permission),
  );
  await snap(grant.page, "approve-session");
  await grant.page.getByTestId("approve").click();
  const [granted] = await grant.pending;
  say(`session granted with the passkey (context ${granted.context.slice(0, 18)}…); its key never leaves the wallet`);

  const windows = wallet.approvalWindows;
  const before = await chain.getBalance({ address: payee });
  const TRANSFERS = 3;
  for (let i = 1; i <= TRANSFERS; i += 1) {
    const tx = await dapp.evaluate(
      ([from, to]) => window.ethereum.request({ method: "eth_sendTransaction", params: [{ from, to, value: "0x11c37937e08000" }] }),
      [account, payee],
    );
    const landed = await chain.waitForTransactionReceipt({ hash: tx });
    say(`session transfer ${i} of ${TRANSFERS}: 0.005 ETH, ${landed.status}, no window (${tx.slice(0, 18)}…)`);
  }
  const opened = wallet.approvalWindows - windows;
  say(`${TRANSFERS} transfers, ${opened} approval windows opened; the payee received ${formatEther((await chain.getBalance({ address: payee })) - before)} ETH`);
  if (opened !== 0) throw new Error("a session transfer opened a window");

  const home = await wallet.openHome();
  say(`home page, Account: ${await home.getByTestId("native-balance").textContent()}`);
  await snap(home, "home-account");
  await showTab(home, "activity");
  await home.getByTestId("activity-item").first().waitFor();
  say(`home page, Activity: ${await home.getByTestId("activity-item").count()} operations sent`);
  await snap(home, "home-activity");
  await showTab(home, "settings");
  await home.getByTestId("passkey").first().waitFor();
  say(`home page, Settings: ${await home.getByTestId("site").count()} connected site, ${await home.getByTestId("passkey").count()} passkey`);
  await snap(home, "home-settings");
  await showTab(home, "sessions");
  const card = home.locator(`[data-testid="session"][data-context="${granted.context}"]`);
  await card.waitFor();
  await card.scrollIntoViewIfNeeded();
  say(`home page, Sessions: ${(await card.getByTestId("session-remaining").allTextContents()).join("; ")}`);
  await snap(home, "home-session");

  say("Revoke → the key is erased at once, and the passkey closes the session on chain");
  const revoke = await wallet.approval(() => card.getByTestId("revoke-session").click());
  await snap(revoke.page, "approve-revoke");
  await revoke.page.getByTestId("approve").click();
  await revoke.page.waitForEvent("close");
  await home.getByTestId("refresh-sessions").click();
  await home.locator(`[data-testid="session"][data-context="${granted.context}"][data-status="revoked"]`).waitFor();
  await card.scrollIntoViewIfNeeded();
  await snap(home, "home-revoked");
  say("session revoked on chain; the next transfer from the dapp would ask again");
  say("done");
} finally {
  await wallet.close();
}
