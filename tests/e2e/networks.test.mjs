// Networks: a dapp adds a second anvil chain (same contracts at the same CREATE2 addresses, its
// own bundler) with wallet_addEthereumChain, switches to it, every page gets chainChanged, and
// transactions go to the new chain (the account deploys there at the same address). The user
// sees a request before anything is probed; chains that cannot run the account are then refused
// with a readable −32602 that does not echo what the endpoints answered.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { createPublicClient, http, parseEther, toHex } from "viem";
import { DAPP, OTHER_DAPP, Wallet, builtNetworks, chain, devnet, jsonRpc, nodeRpc, request, showTab, startBareChain } from "./lib/harness.mjs";
import { startPublicRpc } from "./lib/public-rpc.mjs";

if (!process.env.SSO_DEVNET2_JSON) throw new Error("SSO_DEVNET2_JSON is not set: run the end-to-end tests through `cargo xtask test`");
const second = JSON.parse(await readFile(process.env.SSO_DEVNET2_JSON, "utf8"));
const secondChain = createPublicClient({ transport: http(second.rpcUrl) });

const secondRpc = (method, params) => jsonRpc(second.rpcUrl, method, params);

describe("networks", () => {
  let wallet;
  let dapp;
  let other;
  let account;

  const addParams = (overrides = {}) => [
    {
      chainId: toHex(second.chainId),
      chainName: "Second devnet",
      rpcUrls: [second.rpcUrl],
      bundlerUrls: [second.bundlerUrl],
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      ...overrides,
    },
  ];

  before(async () => {
    wallet = await Wallet.launch();
    dapp = await wallet.openDapp(DAPP);
    account = await wallet.connect(dapp);
    other = await wallet.openDapp(OTHER_DAPP); // not connected: still told about chain changes
    for (const page of [dapp, other]) {
      await page.evaluate(() => {
        window.__chains = [];
        window.ethereum.on("chainChanged", (id) => window.__chains.push(id));
      });
    }
  });
  after(async () => {
    await wallet?.close();
  });

  it("asks before probing, and refuses chains that cannot run the account without echoing what they answered", async () => {
    // Nothing is probed before the user approves: the window opens with the request as asked.
    const refused = async (params) => {
      const { page, pending } = await wallet.approval(() => request(dapp, "wallet_addEthereumChain", params));
      assert.equal(await page.getByTestId("chain-title").count(), 1);
      await page.getByTestId("approve").click();
      const outcome = await pending;
      // The request is over: the window shows its error and that nothing else waits.
      await page.getByTestId("finished").waitFor();
      assert.equal(await page.getByTestId("error").textContent(), outcome.error.message);
      await page.close();
      return outcome.error;
    };
    // The node serves another chain id than claimed: the page learns only that it did not answer as that chain.
    const wrongId = await refused(addParams({ chainId: "0x1f4", rpcUrls: [second.rpcUrl] }));
    assert.equal(wrongId.code, -32602);
    assert.match(wrongId.message, /none of its RPC URLs answered as chain 500/);
    assert.doesNotMatch(wrongId.message, new RegExp(String(second.chainId)), "what the node answered is not echoed");
    // A closed port reads the same as a wrong chain: a page cannot tell what listens where.
    const closed = await refused(addParams({ chainId: "0x1f4", rpcUrls: ["http://127.0.0.1:9"] }));
    assert.equal(closed.message, wrongId.message);
    // No bundler: the first chain's node does not serve ERC-4337 and no bundlerUrls are given.
    const noBundler = await refused(addParams({ bundlerUrls: [devnet.rpcUrl] }));
    assert.equal(noBundler.code, -32602);
    assert.match(noBundler.message, /no ERC-4337 bundler/);
    // Unknown chains cannot be switched to, and nothing was added.
    const unknown = await request(dapp, "wallet_switchEthereumChain", [{ chainId: toHex(second.chainId) }]);
    assert.equal(unknown.error.code, 4902);
  });

  it("adds the second chain after approval, switches, and tells every page", async () => {
    const { page, pending } = await wallet.approval(() => request(dapp, "wallet_addEthereumChain", addParams()));
    assert.equal(await page.getByTestId("chain-name").textContent(), "Second devnet");
    assert.equal(await page.getByTestId("chain-id").textContent(), String(second.chainId));
    assert.equal(await page.getByTestId("chain-bundler").textContent(), second.bundlerUrl);
    assert.equal(await page.getByTestId("chain-rpc").textContent(), second.rpcUrl);
    await page.getByTestId("approve").click();
    assert.deepEqual(await pending, { result: null });
    // Adding again is a no-op answered at once.
    assert.deepEqual(await request(dapp, "wallet_addEthereumChain", addParams()), { result: null });

    assert.deepEqual(await request(dapp, "wallet_switchEthereumChain", [{ chainId: toHex(second.chainId) }]), { result: null });
    assert.deepEqual(await request(dapp, "eth_chainId"), { result: toHex(second.chainId) });
    for (const page of [dapp, other]) {
      await page.waitForFunction((id) => window.__chains.includes(id), toHex(second.chainId));
    }
    // Reads go to the new chain's node (which mines every 2 s: the wallet's answer lies between
    // two direct reads around it).
    const before = BigInt(await secondRpc("eth_blockNumber"));
    const answered = BigInt((await request(dapp, "eth_blockNumber")).result);
    const after = BigInt(await secondRpc("eth_blockNumber"));
    assert.ok(before <= answered && answered <= after, `${answered} not within ${before}..${after}`);
    assert.ok(after - before <= 1n, "the two direct reads are at most a block apart (else the bracket says little)");
  });

  it("sends transactions on the new chain, deploying the account there at the same address", async () => {
    await secondRpc("anvil_setBalance", [account, toHex(parseEther("1"))]);
    const recipient = "0x" + "cd".repeat(20);
    const firstChainBalance = await chain.getBalance({ address: recipient });
    const secondChainBalance = await secondChain.getBalance({ address: recipient });
    const { page, pending } = await wallet.approval(() =>
      request(dapp, "eth_sendTransaction", [{ from: account, to: recipient, value: toHex(parseEther("0.01")) }]),
    );
    assert.match(await page.getByTestId("approval-network").textContent(), new RegExp(`Second devnet · chain ${second.chainId}`));
    assert.equal(await page.getByTestId("tx-deploys").count(), 1);
    await page.getByTestId("approve").click();
    const { result: hash } = await pending;
    const receipt = await secondChain.getTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    assert.equal((await secondChain.getBalance({ address: recipient })) - secondChainBalance, parseEther("0.01"));
    assert.equal(await chain.getBalance({ address: recipient }), firstChainBalance, "nothing moved on the first chain");
    assert.notEqual(await secondChain.getCode({ address: account }), undefined);
    assert.equal(await nodeRpc("eth_getTransactionByHash", [hash]), null);
  });

  it("switches back", async () => {
    assert.deepEqual(await request(dapp, "wallet_switchEthereumChain", [{ chainId: toHex(devnet.chainId) }]), { result: null });
    assert.deepEqual(await request(dapp, "eth_chainId"), { result: toHex(devnet.chainId) });
    await other.waitForFunction((id) => window.__chains.at(-1) === id, toHex(devnet.chainId));
  });

  it("makes a signature for the chain it was asked on, even if the network changes before it is approved", async () => {
    const message = "signed on the first chain";
    const { page, pending } = await wallet.approval(() => request(dapp, "personal_sign", [toHex(message), account]));
    const network = new RegExp(`· chain ${devnet.chainId}$`);
    assert.match(await page.getByTestId("approval-network").textContent(), network);
    // The site switches the wallet to the second chain while the window is open.
    assert.deepEqual(await request(dapp, "wallet_switchEthereumChain", [{ chainId: toHex(second.chainId) }]), { result: null });
    // What the window is given for the request now (as on a reload) is still the first chain.
    const home = await wallet.openHome();
    const shown = await home.evaluate(
      () =>
        new Promise((resolve) => {
          const port = chrome.runtime.connect({ name: "ui" });
          port.onMessage.addListener((answer) => {
            port.disconnect();
            resolve(answer.body.approval.approval);
          });
          port.postMessage({ seq: 1, body: { getApproval: { approvalId: null } } });
        }),
    );
    await home.close();
    assert.equal(shown.chainId, devnet.chainId, "the window still shows the chain it signs for");
    await page.getByTestId("approve").click();
    const { result: signature } = await pending;
    assert.equal(await chain.verifyMessage({ address: account, message, signature }), true, "valid on the chain it was asked on");
    assert.equal(await secondChain.verifyMessage({ address: account, message, signature }), false, "not on the one selected at approval");
    assert.deepEqual(await request(dapp, "wallet_switchEthereumChain", [{ chainId: toHex(devnet.chainId) }]), { result: null });
  });
});

describe("networks in the home page's settings", () => {
  let wallet;
  let dapp;

  before(async () => {
    ({ wallet, dapp } = await Wallet.onboarded("1"));
  });
  after(async () => {
    await wallet?.close();
  });

  it("adds, edits, switches to and removes a network, with the same checks as a dapp's request", async () => {
    const home = await wallet.openHome({ tab: "settings" });
    const form = async ({ chainId, name, rpc, bundler = "", explorer = "" }) => {
      await home.getByTestId("network-chain-id").fill(String(chainId));
      await home.getByTestId("network-name").fill(name);
      await home.getByTestId("network-rpc").fill(rpc);
      await home.getByTestId("network-bundler").fill(bundler);
      await home.getByTestId("network-explorer").fill(explorer);
      await home.getByTestId("save-network").click();
      await home.locator('[data-testid="error"], [data-testid="notice"]').first().waitFor();
      return home.locator('[data-testid="error"], [data-testid="notice"]').first().textContent();
    };
    const row = (id) => home.locator(`[data-testid="network"][data-chain-id="${id}"]`);

    // The node behind the URL serves another chain; a URL that is not http(s); the shipped chain again.
    assert.match(await form({ chainId: 500, name: "Wrong", rpc: second.rpcUrl, bundler: second.bundlerUrl }), new RegExp(`serves chain ${second.chainId}`));
    assert.match(await form({ chainId: second.chainId, name: "Bad", rpc: "ftp://127.0.0.1:1" }), /must start with https:\/\/ or http:\/\//);
    assert.match(await form({ chainId: devnet.chainId, name: "Again", rpc: devnet.rpcUrl }), /already has a network with chain id/);
    assert.equal(await row(second.chainId).count(), 0);
    assert.equal(await row(devnet.chainId).getByTestId("remove-network").count(), 0, "shipped networks are fixed");

    assert.equal(
      await form({ chainId: second.chainId, name: "Second devnet", rpc: second.rpcUrl, bundler: second.bundlerUrl, explorer: "https://explorer.example" }),
      "Network saved.",
    );
    await row(second.chainId).waitFor();
    await row(second.chainId).getByTestId("edit-network").click();
    assert.equal(await home.getByTestId("network-rpc").inputValue(), second.rpcUrl);
    await home.getByTestId("network-name").fill("Second (edited)");
    await home.getByTestId("save-network").click();
    await row(second.chainId).filter({ hasText: "Second (edited)" }).waitFor();

    // Switching in the home page (on the Account tab) moves the dapp too.
    await showTab(home, "account");
    await home.getByTestId("network-select").selectOption(String(second.chainId));
    await dapp.waitForFunction((id) => window.ethereum.request({ method: "eth_chainId" }).then((c) => c === id), toHex(second.chainId), { polling: 200 });
    // The page reloads its view after the switch: it comes to show the new chain's balance.
    await home.getByTestId("native-balance").filter({ hasText: /^0 ETH$/ }).waitFor({ timeout: 10_000 });
    assert.equal(await home.getByTestId("native-balance").textContent(), "0 ETH");

    // Removing the selected network selects the default one again.
    await showTab(home, "settings");
    await row(second.chainId).getByTestId("remove-network").click();
    await row(second.chainId).waitFor({ state: "detached" });
    assert.deepEqual(await request(dapp, "eth_chainId"), { result: toHex(devnet.chainId) });
    await home.close();
  });
});

describe("shipped networks: presets, a bundler API key, and a chain without the contracts", () => {
  let wallet;
  let dapp;
  let account;
  let keyed; // a stand-in in front of the devnet's bundler that records the paths it was asked at
  let bare; // Sepolia's stand-in: a chain with id 11155111 where nothing is deployed

  before(async () => {
    const built = await builtNetworks();
    // The devnet as shipped, with the presets the build ships.
    ({ wallet, dapp, account } = await Wallet.onboarded("1", { networks: { ...devnet.networks, presets: built.presets } }));
    keyed = await startPublicRpc(devnet.bundlerUrl);
    bare = await startBareChain(11155111);
  });
  after(async () => {
    await wallet?.close();
    await keyed?.close();
    bare?.close();
  });

  it("fills in a known chain from its chain id, and takes the fill back when the id changes", async () => {
    const home = await wallet.openHome({ tab: "settings" });
    const built = await builtNetworks();
    const base = built.presets.find((p) => p.chainId === 8453);
    await home.getByTestId("network-chain-id").fill("8453");
    await home.waitForFunction((name) => document.querySelector('[data-testid="network-name"]').value === name, base.name);
    assert.equal(await home.getByTestId("network-rpc").inputValue(), base.rpcUrl);
    assert.equal(await home.getByTestId("network-bundler").inputValue(), base.bundlerUrl);
    assert.equal(await home.getByTestId("network-explorer").inputValue(), base.explorerUrl);
    await home.getByTestId("network-chain-id").fill("84539");
    await home.waitForFunction(() => document.querySelector('[data-testid="network-name"]').value === "");
    assert.equal(await home.getByTestId("network-rpc").inputValue(), "");
    await home.close();
  });

  it("edits the shipped network's bundler with an API key, sends through it, and resets it", async () => {
    const home = await wallet.openHome({ tab: "settings" });
    const row = home.locator(`[data-testid="network"][data-chain-id="${devnet.chainId}"]`);
    assert.equal(await row.getAttribute("data-source"), "shipped");
    const save = async () => {
      await home.getByTestId("save-network").click();
      const shown = home.locator('[data-testid="error"], [data-testid="notice"]').first();
      await shown.waitFor();
      return shown.textContent();
    };
    await row.getByTestId("edit-network").click();
    await home.getByTestId("network-bundler").fill(`${keyed.url}/rpc?apikey={apiKey}`);
    assert.match(await save(), /enter the bundler's API key/);
    await home.getByTestId("network-bundler-key").fill("bad key!");
    assert.match(await save(), /API key must be/);
    await home.getByTestId("network-bundler-key").fill("k3y-123");
    assert.equal(await save(), "Network saved.");
    await home.locator(`[data-testid="network"][data-chain-id="${devnet.chainId}"][data-source="edited"]`).waitFor();
    assert.equal(await home.locator(`[data-testid="network"][data-chain-id="${devnet.chainId}"]`).getByTestId("remove-network").textContent(), "Reset");

    const { page, pending } = await wallet.approval(() =>
      request(dapp, "eth_sendTransaction", [{ from: account, to: `0x${"77".repeat(20)}`, value: toHex(parseEther("0.001")) }]),
    );
    await page.getByTestId("approve").click();
    const { result, error } = await pending;
    assert.match(result ?? JSON.stringify(error), /^0x[0-9a-f]{64}$/);
    assert.ok([...keyed.stats.paths].includes("/rpc?apikey=k3y-123"), `the bundler was asked with the key: ${[...keyed.stats.paths]}`);

    await home.locator(`[data-testid="network"][data-chain-id="${devnet.chainId}"]`).getByTestId("remove-network").click();
    await home.locator(`[data-testid="network"][data-chain-id="${devnet.chainId}"][data-source="shipped"]`).waitFor();
    await home.locator(`[data-testid="network"][data-chain-id="${devnet.chainId}"]`).getByTestId("edit-network").click();
    assert.equal(await home.getByTestId("network-bundler").inputValue(), devnet.networks.networks[0].bundlerUrl);
    assert.equal(await home.getByTestId("network-bundler-key").inputValue(), "");
    await home.close();
  });

  it("a store build starts on Ethereum Sepolia and says plainly that SSO Wallet is not deployed there", async () => {
    // What the store zip ships (xtask's build tests check it is the dev list without the local
    // devnet, starting on Sepolia), with Sepolia's node played by a chain without the contracts.
    const built = await builtNetworks();
    const store = {
      ...built,
      defaultChainId: 11155111,
      networks: built.networks.filter((n) => !n.rpcUrl.startsWith("http://127.0.0.1")).map((n) => (n.chainId === 11155111 ? { ...n, rpcUrl: bare.url } : n)),
    };
    assert.deepEqual(store.networks.map((n) => n.chainId), [11155111, 84532, 11155420, 421614]);
    const fresh = await Wallet.launch({ networks: store });
    try {
      const home = await fresh.openHome();
      assert.match(await home.getByTestId("network-unusable").textContent(), /^SSO Wallet is not deployed on Ethereum Sepolia yet/);
      assert.equal(await home.getByTestId("create-passkey").isDisabled(), true, "no passkey is made for a network that cannot use it");
      await home.close();
      const page = await fresh.openDapp(DAPP);
      assert.deepEqual(await request(page, "eth_chainId"), { result: "0xaa36a7" });
      const { page: window, pending } = await fresh.approval(() => request(page, "eth_requestAccounts"));
      await window.getByTestId("create-passkey").click();
      await window.getByTestId("error").waitFor();
      assert.match(await window.getByTestId("error").textContent(), /SSO Wallet is not deployed on Ethereum Sepolia yet/);
      await window.getByTestId("reject").click();
      assert.equal((await pending).error.code, 4001);
    } finally {
      await fresh.close();
    }
  });
});
