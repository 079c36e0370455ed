// Headless demo (`cargo xtask demo` without a display): drives the real extension like a person
// would — create a passkey, connect, send ETH — printing each step and saving screenshots.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { formatEther, parseEther } from "viem";
import { DAPP, Wallet, chain, nodeRpc } from "../e2e/lib/harness.mjs";

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
  say("done");
} finally {
  await wallet.close();
}
