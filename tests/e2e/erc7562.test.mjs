// The devnet's bundler refuses what a public bundler refuses (ERC-7562): a real deploying
// UserOperation through a second, unstaked instance of the project's factory writes the new
// account's storage in the passkey validator during validation — allowed only with a staked
// factory (STO-022) — and is refused with −32502 naming the rule; the same operation through the
// devnet's staked factory passes the rules (and is refused by alto only for its dummy signature).
// Every operation the wallet itself sends goes through the same guard in the other tests.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { concat, encodeAbiParameters, encodeFunctionData, pad, parseAbi, toHex, zeroHash } from "viem";
import { chain, devnet, jsonRpc, nodeRpc } from "./lib/harness.mjs";

const FACTORY = parseAbi([
  "function getAddress(bytes32 salt, bytes credentialId, bytes32[2] publicKey, string originDomain) view returns (address)",
  "function createAccount(bytes32 salt, bytes credentialId, bytes32[2] publicKey, string originDomain) returns (address)",
]);
const ACCOUNT = parseAbi(["function execute(bytes32 mode, bytes executionCalldata)"]);

/** Deploys another AccountFactory (same code, same implementation and validator) by plain CREATE: not staked. */
async function unstakedFactory() {
  const artifact = JSON.parse(await readFile(new URL("../../contracts/out/AccountFactory.sol/AccountFactory.json", import.meta.url), "utf8"));
  const args = encodeAbiParameters(
    [{ type: "address" }, { type: "address" }],
    [devnet.contracts.accountImplementation, devnet.contracts.webauthnValidator],
  );
  const hash = await nodeRpc("eth_sendTransaction", [{ from: devnet.funder.address, data: concat([artifact.bytecode.object, args]), gas: "0x2dc6c0" }]);
  return (await chain.waitForTransactionReceipt({ hash })).contractAddress;
}

/** A deploying UserOperation through `factory` for a made-up passkey, with a signature of the right shape. */
async function deployingOp(factory, seed) {
  const credentialId = pad(toHex(seed), { size: 20 });
  const publicKey = [pad("0x1234", { size: 32 }), pad(toHex(seed), { size: 32 })];
  const origin = "chrome-extension://erc7562test";
  const args = [zeroHash, credentialId, publicKey, origin];
  const sender = await chain.readContract({ address: factory, abi: FACTORY, functionName: "getAddress", args });
  const signatureData = encodeAbiParameters(
    [{ type: "bytes" }, { type: "string" }, { type: "bytes32[2]" }, { type: "bytes" }, { type: "uint256" }],
    [pad("0x05", { size: 37, dir: "right" }), `{"type":"webauthn.get","challenge":"AA","origin":"${origin}"}`, [pad("0x11", { size: 32 }), pad("0x11", { size: 32 })], credentialId, 0n],
  );
  return {
    sender,
    nonce: "0x0",
    factory,
    factoryData: encodeFunctionData({ abi: FACTORY, functionName: "createAccount", args }),
    callData: encodeFunctionData({ abi: ACCOUNT, functionName: "execute", args: [zeroHash, concat(["0x000000000000000000000000000000000000dEaD", pad("0x0", { size: 32 })])] }),
    callGasLimit: "0x186a0",
    verificationGasLimit: "0x1e8480",
    preVerificationGas: "0x186a0",
    maxFeePerGas: "0x77359400",
    maxPriorityFeePerGas: "0x3b9aca00",
    signature: concat([devnet.contracts.webauthnValidator, signatureData]),
  };
}

async function send(op) {
  const response = await fetch(devnet.bundlerUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendUserOperation", params: [op, devnet.entryPoint] }),
  });
  return (await response.json()).error;
}

describe("ERC-7562 at the devnet's bundler", () => {
  it("refuses a deployment through an unstaked factory (STO-022), and lets the staked factory's through", async () => {
    const unstaked = await unstakedFactory();
    const refused = await send(await deployingOp(unstaked, 1));
    assert.equal(refused?.code, -32502, JSON.stringify(refused));
    assert.match(refused.message, /STO-022/);
    assert.match(refused.message.toLowerCase(), new RegExp(devnet.contracts.webauthnValidator.toLowerCase().slice(2)));
    // The same operation through the devnet's staked factory breaks no rule: what refuses it is
    // the dummy signature (AA24), not the guard.
    const checked = await send(await deployingOp(devnet.contracts.accountFactory, 2));
    assert.notEqual(checked?.code, -32502, JSON.stringify(checked));
    assert.match(checked?.message ?? "", /AA2/);
  });
});
