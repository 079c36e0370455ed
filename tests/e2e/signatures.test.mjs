// personal_sign and eth_signTypedData_v4 from the passkey account: ERC-6492-wrapped while the
// account is counterfactual, plain ERC-1271 (ERC-7739-nested) once deployed — both verified by viem's
// verifyMessage / verifyTypedData against the real contracts on the devnet. Then what dapps send
// in the wild: a declared EIP712Domain type in another order than the standard one, Permit2's
// version-less domain with a stray version, personal_sign with a password, eth_signTypedData_v3,
// and the legacy v1. And what the window makes readable: Sign-In with Ethereum messages (viem's
// createSiweMessage; a sign-in for another site is warned about) and spending signatures — an
// unlimited ERC-2612 permit on a real token, a Permit2 allowance, a Seaport order.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { getAddress, maxUint256, parseAbi, parseEther } from "viem";
import { createSiweMessage, generateSiweNonce } from "viem/siwe";
import { DAPP, Wallet, chain, deployTestToken, dappPort, nodeRpc, request } from "./lib/harness.mjs";

const MAGIC_6492 = "6492".repeat(16);
const MAIL = {
  domain: { name: "Ether Mail", version: "1", chainId: 31337, verifyingContract: "0x" + "cc".repeat(20) },
  types: {
    Person: [
      { name: "name", type: "string" },
      { name: "wallet", type: "address" },
    ],
    Mail: [
      { name: "from", type: "Person" },
      { name: "to", type: "Person" },
      { name: "contents", type: "string" },
    ],
  },
  primaryType: "Mail",
  message: {
    from: { name: "Alice", wallet: "0x" + "aa".repeat(20) },
    to: { name: "Bob", wallet: "0x" + "bb".repeat(20) },
    contents: "Hello, Bob!",
  },
};

describe("message signatures", () => {
  let wallet;
  let dapp;
  let account;

  async function signMessage(message) {
    const { page, pending } = await wallet.approval(() =>
      dapp.evaluate(({ account, message }) => window.dapp.wallet.signMessage({ account, message }), { account, message }),
    );
    assert.equal(await page.getByTestId("sign-message").textContent(), message);
    await page.getByTestId("approve").click();
    return pending;
  }

  async function signTypedData() {
    const { page, pending } = await wallet.approval(() =>
      dapp.evaluate(({ account, typed }) => window.dapp.wallet.signTypedData({ account, ...typed }), { account, typed: MAIL }),
    );
    assert.match(await page.getByTestId("sign-typed-domain").textContent(), /Ether Mail/);
    assert.equal(await page.getByTestId("sign-typed-type").textContent(), "Mail");
    assert.match(await page.getByTestId("sign-typed-message").textContent(), /Hello, Bob!/);
    await page.getByTestId("approve").click();
    return pending;
  }

  before(async () => {
    wallet = await Wallet.launch();
    dapp = await wallet.openDapp(DAPP);
    account = await wallet.connect(dapp);
  });
  after(async () => {
    await wallet?.close();
  });

  it("signs messages and typed data before deployment (ERC-6492), verified by viem", async () => {
    assert.equal(await chain.getCode({ address: account }), undefined);
    const signature = await signMessage("Sign in to the demo dapp\nnonce: 42");
    assert.ok(signature.endsWith(MAGIC_6492), "counterfactual signatures are ERC-6492-wrapped");
    assert.equal(await chain.verifyMessage({ address: account, message: "Sign in to the demo dapp\nnonce: 42", signature }), true);
    assert.equal(await chain.verifyMessage({ address: account, message: "something else", signature }), false);
    const typed = await signTypedData();
    assert.ok(typed.endsWith(MAGIC_6492));
    assert.equal(await chain.verifyTypedData({ address: account, ...MAIL, signature: typed }), true);
    const other = { ...MAIL, message: { ...MAIL.message, contents: "Pay Mallory" } };
    assert.equal(await chain.verifyTypedData({ address: account, ...other, signature: typed }), false);
  });

  it("signs with plain ERC-1271 once the account is deployed", async () => {
    await nodeRpc("anvil_setBalance", [account, `0x${parseEther("1").toString(16)}`]);
    const { page, pending } = await wallet.approval(() => request(dapp, "eth_sendTransaction", [{ from: account, to: "0x000000000000000000000000000000000000dEaD", value: "0x0" }]));
    await page.getByTestId("approve").click();
    assert.match((await pending).result, /^0x[0-9a-f]{64}$/);
    assert.ok((await chain.getCode({ address: account }))?.length > 2);

    const signature = await signMessage("after deployment");
    assert.ok(!signature.endsWith(MAGIC_6492));
    assert.equal(await chain.verifyMessage({ address: account, message: "after deployment", signature }), true);
    const magic = await chain.readContract({
      address: account,
      abi: parseAbi(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]),
      functionName: "isValidSignature",
      args: [(await import("viem")).hashMessage("after deployment"), signature],
    });
    assert.equal(magic, "0x1626ba7e");
    const typed = await signTypedData();
    assert.equal(await chain.verifyTypedData({ address: account, ...MAIL, signature: typed }), true);
  });

  it("refuses a signer that is not the account and typed data for another chain", async () => {
    const wrongSigner = await request(dapp, "personal_sign", ["0x68656c6c6f", "0x" + "11".repeat(20)]);
    assert.equal(wrongSigner.error.code, 4100);
    const otherChain = { ...MAIL, domain: { ...MAIL.domain, chainId: 1 }, types: { EIP712Domain: [{ name: "name", type: "string" }, { name: "version", type: "string" }, { name: "chainId", type: "uint256" }, { name: "verifyingContract", type: "address" }], ...MAIL.types } };
    const wrongChain = await request(dapp, "eth_signTypedData_v4", [account, JSON.stringify(otherChain)]);
    assert.equal(wrongChain.error.code, -32602);
  });
  /** Sends a raw signing request from the dapp page and approves its window. */
  async function approveRaw(method, params) {
    const { page, pending } = await wallet.approval(() => request(dapp, method, params));
    await page.getByTestId("approve").click();
    return pending;
  }

  it("signs typed data over its declared domain type, in the declared order, as verifiers hash it", async () => {
    // The declared type lists chainId first: the standard order would give another digest.
    const domain = { name: "Out of Order", chainId: 31337, verifyingContract: "0x" + "dd".repeat(20) };
    const types = {
      EIP712Domain: [
        { name: "chainId", type: "uint256" },
        { name: "verifyingContract", type: "address" },
        { name: "name", type: "string" },
      ],
      ...MAIL.types,
    };
    const typed = { ...MAIL, domain, types };
    const { result: signature, error } = await approveRaw("eth_signTypedData_v4", [account, JSON.stringify(typed)]);
    assert.ok(signature, JSON.stringify(error));
    assert.equal(await chain.verifyTypedData({ address: account, ...typed, signature }), true);
    // eth_signTypedData_v3: the same payload (no arrays) hashes the same.
    const v3 = await approveRaw("eth_signTypedData_v3", [account, typed]);
    assert.equal(await chain.verifyTypedData({ address: account, ...typed, signature: v3.result }), true);
  });

  it("refuses a domain that does not match its declared type, and the legacy v1 format, with the reason", async () => {
    // Permit2's domain type has no version; a dapp sent one anyway.
    const permit2 = {
      ...MAIL,
      domain: { name: "Permit2", version: "1", chainId: 31337, verifyingContract: "0x000000000022D473030F116dDEE9F6B43aC78BA3" },
      types: { EIP712Domain: [{ name: "name", type: "string" }, { name: "chainId", type: "uint256" }, { name: "verifyingContract", type: "address" }], ...MAIL.types },
    };
    const mismatch = await request(dapp, "eth_signTypedData_v4", [account, JSON.stringify(permit2)]);
    assert.equal(mismatch.error.code, -32602);
    assert.match(mismatch.error.message, /the domain has name, version, chainId, verifyingContract but its EIP712Domain type declares name, chainId, verifyingContract/);
    for (const method of ["eth_signTypedData", "eth_signTypedData_v1"]) {
      const legacy = await request(dapp, method, [[{ type: "string", name: "message", value: "hi" }], account]);
      assert.equal(legacy.error.code, 4200, method);
      assert.match(legacy.error.message, /legacy format has no domain/);
    }
    const arrays = await request(dapp, "eth_signTypedData_v3", [account, { ...MAIL, types: { ...MAIL.types, Mail: [...MAIL.types.Mail, { name: "cc", type: "Person[]" }] } }]);
    assert.equal(arrays.error.code, -32602);
  });

  it("takes personal_sign with a password parameter, as MetaMask does", async () => {
    const message = "Sign in\nnonce: 7";
    const { result: signature } = await approveRaw("personal_sign", [`0x${Buffer.from(message).toString("hex")}`, account, "ignored password"]);
    assert.equal(await chain.verifyMessage({ address: account, message, signature }), true);
  });

  it("shows a Sign-In with Ethereum message as a sign-in, and warns when it is for another site", async () => {
    const expirationTime = new Date(Date.now() + 3_600_000);
    const resources = ["urn:recap:eyJhdHQiOnt9fQ", "https://example.com/terms"];
    const fields = { address: account, chainId: 31337, nonce: generateSiweNonce(), uri: DAPP, version: "1", statement: "Sign in to the demo dapp.", expirationTime, requestId: "req-7", resources };
    const message = createSiweMessage({ ...fields, domain: `127.0.0.1:${dappPort}` });
    const { page, pending } = await wallet.approval(() => request(dapp, "personal_sign", [`0x${Buffer.from(message).toString("hex")}`, account]));
    await page.getByTestId("siwe-title").waitFor();
    assert.equal(await page.getByTestId("siwe-domain").textContent(), `127.0.0.1:${dappPort}`);
    assert.equal((await page.getByTestId("siwe-address").textContent()).toLowerCase(), account.toLowerCase());
    assert.equal(await page.getByTestId("siwe-nonce").textContent(), fields.nonce);
    assert.equal(await page.getByTestId("siwe-chain").textContent(), "31337");
    assert.match(await page.getByTestId("siwe-expires").textContent(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    assert.equal(await page.getByTestId("siwe-request-id").textContent(), "req-7");
    assert.deepEqual(await page.getByTestId("siwe-resource").allTextContents(), resources, "what else it grants is listed");
    assert.equal(await page.getByTestId("siwe-warning").count(), 0, "the site asks for its own sign-in");
    assert.equal(await page.getByTestId("approve").textContent(), "Sign in with passkey");
    await page.getByTestId("approve").click();
    const { result: signature } = await pending;
    assert.equal(await chain.verifySiweMessage({ message, signature, domain: `127.0.0.1:${dappPort}`, nonce: fields.nonce }), true);

    // The same page asks for a sign-in to another site: a phishing page's move.
    const phishing = createSiweMessage({ ...fields, domain: "app.uniswap.org", nonce: generateSiweNonce() });
    const other = await wallet.approval(() => request(dapp, "personal_sign", [`0x${Buffer.from(phishing).toString("hex")}`, account]));
    await other.page.getByTestId("siwe-title").waitFor();
    assert.match(await other.page.getByTestId("siwe-warning").first().textContent(), new RegExp(`for app\\.uniswap\\.org, but http://127\\.0\\.0\\.1:${dappPort} is asking`));
    await other.page.getByTestId("reject").click();
    assert.equal((await other.pending).error.code, 4001);
  });

  it("says what a permit, a Permit2 allowance and a Seaport order let others take", async () => {
    const token = await deployTestToken();
    // The symbol is the token's own claim: the contract is named with it (as `0x1234…abcd`).
    const short = (address) => `${getAddress(address).slice(0, 6)}…${getAddress(address).slice(-4)}`;
    const spender = "0x" + "5e".repeat(20);
    const sign = (typed) => wallet.approval(() => request(dapp, "eth_signTypedData_v4", [account, JSON.stringify(typed, (_, v) => (typeof v === "bigint" ? v.toString() : v))]));
    const texts = (page, id) => page.getByTestId(id).allTextContents();

    // ERC-2612, unlimited and endless, on a real token: its symbol is read from the chain.
    const permit = {
      types: {
        EIP712Domain: [{ name: "name", type: "string" }, { name: "version", type: "string" }, { name: "chainId", type: "uint256" }, { name: "verifyingContract", type: "address" }],
        Permit: [{ name: "owner", type: "address" }, { name: "spender", type: "address" }, { name: "value", type: "uint256" }, { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" }],
      },
      primaryType: "Permit",
      domain: { name: "Test Token", version: "1", chainId: 31337, verifyingContract: token },
      message: { owner: account, spender, value: maxUint256, nonce: 0n, deadline: maxUint256 },
    };
    {
      const { page, pending } = await sign(permit);
      await page.getByTestId("permit").waitFor();
      assert.equal(await page.getByTestId("permit").getAttribute("data-kind"), "erc2612");
      assert.equal(await page.getByTestId("permit-title").textContent(), "Token spending permit");
      assert.equal((await page.getByTestId("permit-spender").textContent()).toLowerCase(), spender);
      assert.deepEqual(await texts(page, "permit-gives"), [`Unlimited TST (token ${short(token)})`]);
      assert.equal(await page.getByTestId("permit-valid-until").textContent(), "Never expires");
      const warnings = (await texts(page, "permit-warning")).join(" | ");
      assert.match(warnings, /Unlimited: the spender can take all of your TST/);
      assert.match(warnings, /never expires/);
      await page.getByTestId("approve").click();
      const { result: signature } = await pending;
      assert.equal(await chain.verifyTypedData({ address: account, ...permit, signature }), true);
    }

    // Permit2: uint160's maximum is unlimited there; 40 days is long-lived.
    const in40Days = BigInt(Math.floor(Date.now() / 1000) + 40 * 86_400);
    const permit2 = {
      types: {
        EIP712Domain: [{ name: "name", type: "string" }, { name: "chainId", type: "uint256" }, { name: "verifyingContract", type: "address" }],
        PermitDetails: [{ name: "token", type: "address" }, { name: "amount", type: "uint160" }, { name: "expiration", type: "uint48" }, { name: "nonce", type: "uint48" }],
        PermitSingle: [{ name: "details", type: "PermitDetails" }, { name: "spender", type: "address" }, { name: "sigDeadline", type: "uint256" }],
      },
      primaryType: "PermitSingle",
      domain: { name: "Permit2", chainId: 31337, verifyingContract: "0x000000000022D473030F116dDEE9F6B43aC78BA3" },
      message: { details: { token, amount: (1n << 160n) - 1n, expiration: in40Days, nonce: 0n }, spender, sigDeadline: in40Days },
    };
    {
      const { page, pending } = await sign(permit2);
      await page.getByTestId("permit").waitFor();
      assert.equal(await page.getByTestId("permit").getAttribute("data-kind"), "permit2-allowance");
      assert.deepEqual(await texts(page, "permit-gives"), [`Unlimited TST (token ${short(token)})`]);
      assert.match(await page.getByTestId("permit-valid-until").textContent(), /UTC$/);
      assert.match((await texts(page, "permit-warning")).join(" | "), /more than 30 days/);
      await page.getByTestId("reject").click();
      assert.equal((await pending).error.code, 4001);
    }

    // Permit2's batch allowance and a one-time transfer with a witness (as UniswapX signs them).
    const details = [{ name: "token", type: "address" }, { name: "amount", type: "uint160" }, { name: "expiration", type: "uint48" }, { name: "nonce", type: "uint48" }];
    const batch = {
      ...permit2,
      types: { ...permit2.types, PermitDetails: details, PermitBatch: [{ name: "details", type: "PermitDetails[]" }, { name: "spender", type: "address" }, { name: "sigDeadline", type: "uint256" }] },
      primaryType: "PermitBatch",
      message: { details: [{ token, amount: 5n * 10n ** 18n, expiration: in40Days, nonce: 0n }, { token: "0x" + "66".repeat(20), amount: 9n, expiration: 0n, nonce: 0n }], spender, sigDeadline: in40Days },
    };
    delete batch.types.PermitSingle;
    const transfer = {
      types: {
        EIP712Domain: permit2.types.EIP712Domain,
        TokenPermissions: [{ name: "token", type: "address" }, { name: "amount", type: "uint256" }],
        Order: [{ name: "minOut", type: "uint256" }],
        PermitWitnessTransferFrom: [{ name: "permitted", type: "TokenPermissions" }, { name: "spender", type: "address" }, { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" }, { name: "witness", type: "Order" }],
      },
      primaryType: "PermitWitnessTransferFrom",
      domain: permit2.domain,
      message: { permitted: { token, amount: 3n * 10n ** 18n }, spender, nonce: 1n, deadline: BigInt(Math.floor(Date.now() / 1000) + 600), witness: { minOut: 1n } },
    };
    for (const [typed, kind, gives] of [
      [batch, "permit2-allowance", [`5 TST (token ${short(token)})`, `9 of token ${getAddress("0x" + "66".repeat(20))} (raw units)`]],
      [transfer, "permit2-transfer", [`3 TST (token ${short(token)})`]],
    ]) {
      const { page, pending } = await sign(typed);
      await page.getByTestId("permit").waitFor();
      assert.equal(await page.getByTestId("permit").getAttribute("data-kind"), kind);
      assert.deepEqual(await texts(page, "permit-gives"), gives);
      await page.getByTestId("reject").click();
      assert.equal((await pending).error.code, 4001);
    }

    // Seaport: an NFT for 0.5 ETH to the account, 0.01 ETH of it as a fee to someone else.
    const item = [{ name: "itemType", type: "uint8" }, { name: "token", type: "address" }, { name: "identifierOrCriteria", type: "uint256" }, { name: "startAmount", type: "uint256" }, { name: "endAmount", type: "uint256" }];
    const zero = "0x0000000000000000000000000000000000000000";
    const order = {
      types: {
        EIP712Domain: [{ name: "name", type: "string" }, { name: "version", type: "string" }, { name: "chainId", type: "uint256" }, { name: "verifyingContract", type: "address" }],
        OrderComponents: [
          { name: "offerer", type: "address" }, { name: "zone", type: "address" }, { name: "offer", type: "OfferItem[]" }, { name: "consideration", type: "ConsiderationItem[]" },
          { name: "orderType", type: "uint8" }, { name: "startTime", type: "uint256" }, { name: "endTime", type: "uint256" }, { name: "zoneHash", type: "bytes32" },
          { name: "salt", type: "uint256" }, { name: "conduitKey", type: "bytes32" }, { name: "counter", type: "uint256" },
        ],
        OfferItem: item,
        ConsiderationItem: [...item, { name: "recipient", type: "address" }],
      },
      primaryType: "OrderComponents",
      domain: { name: "Seaport", version: "1.6", chainId: 31337, verifyingContract: "0x0000000000000068F116a894984e2DB1123eB395" },
      message: {
        offerer: account, zone: zero, orderType: 0, startTime: 0n, endTime: in40Days, zoneHash: "0x" + "00".repeat(32), salt: 1n, conduitKey: "0x" + "00".repeat(32), counter: 0n,
        offer: [{ itemType: 2, token: "0x" + "77".repeat(20), identifierOrCriteria: 42n, startAmount: 1n, endAmount: 1n }],
        consideration: [
          { itemType: 0, token: zero, identifierOrCriteria: 0n, startAmount: parseEther("0.49"), endAmount: parseEther("0.49"), recipient: account },
          { itemType: 0, token: zero, identifierOrCriteria: 0n, startAmount: parseEther("0.01"), endAmount: parseEther("0.01"), recipient: spender },
        ],
      },
    };
    {
      const { page, pending } = await sign(order);
      await page.getByTestId("permit").waitFor();
      assert.equal(await page.getByTestId("permit").getAttribute("data-kind"), "seaport-order");
      assert.deepEqual(await texts(page, "permit-gives"), [`NFT #42 of ${"0x" + "77".repeat(20)}`]);
      assert.deepEqual(await texts(page, "permit-receives"), ["0.49 ETH (the chain's currency)"]);
      await page.getByTestId("reject").click();
      assert.equal((await pending).error.code, 4001);
    }
  });
});
