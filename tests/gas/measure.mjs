// Gas figures for docs/gas.md, measured on a real devnet (anvil, default hardfork, P256VERIFY live).
//
// Every figure is the `gasUsed` of one real `EntryPoint.handleOps([op], beneficiary)` transaction, sent by
// the devnet's funder EOA (which is also the beneficiary, as a bundler's executor would be), with one UserOp.
// Passkey UserOps are signed in Node with a P-256 key exactly as the wallet signs them (WebAuthn
// authenticatorData + clientDataJSON for origin chrome-extension://<id>, low-s); session UserOps with a
// secp256k1 session key (spec: /work/shared/docs/onchain-spec.md).
//
// Usage:
//   cargo xtask devnet                       # or any devnet that wrote a devnet.json
//   SSO_DEVNET_JSON=target/devnet/devnet.json node tests/gas/measure.mjs [--markdown] [--json <file>]
//
// Output: a JSON object {figures: {name: gasUsed}, notMeasured: {name: reason}} on stdout, or with
// --markdown a table with the ZKsync SSO reference figures (measured the same way) and the ratios.
// Session figures need `contracts.sessionKeyValidator` in devnet.json (and the TestERC20 artifact in
// contracts/out for the ERC-20 figures); without them they are listed under notMeasured, never as figures.
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  concat,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  encodeFunctionData,
  encodePacked,
  http,
  keccak256,
  pad,
  parseAbi,
  parseAbiParameters,
  parseEther,
  toHex,
  zeroHash,
} from "viem";
import { generatePrivateKey, privateKeyToAccount, sign as signHash } from "viem/accounts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ORIGIN = "chrome-extension://klngkmfjbnaadpkilgflmhgafbgidbnj";
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** ZKsync SSO's figures, measured the same way (gasUsed of handleOps with one UserOp). */
const REFERENCE = {
  passkeyDeployment: 396_834,
  passkeyEthTransfer: 157_352,
  sessionEthTransfer: 128_378,
  sessionErc20Transfer: 142_988,
  createSession: 248_044,
  revokeKey: 158_446,
  // Guardian recovery: ZKsync SSO's GuardianExecutor (zksync-sso-contracts dbb2463), measured the same way
  // on this machine (docs/gas.md says what each of their steps is).
  recoveryInstall: 710_796, // install the module + propose 2 guardians (3 passkey UserOps)
  recoverySetGuardians: 471_104, // propose 2 guardians (2 passkey UserOps; each guardian then accepts)
  recoveryGuardianApprove: 259_208, // initializeRecovery by a guardian account's UserOp
  recoveryFinalize: 311_492, // finalizeRecovery as a UserOp
  recoveryCancel: 170_251, // discardRecovery, passkey UserOp
};
/** Goal: ours ≤ goal × reference. */
const GOAL = {
  passkeyDeployment: 0.5,
  recoveryInstall: 0.8,
  recoverySetGuardians: 0.8,
  recoveryGuardianApprove: 0.8,
  recoveryFinalize: 0.8,
  recoveryCancel: 0.8,
};
const DEFAULT_GOAL = 0.9;

const LABELS = {
  passkeyDeploymentRaw: "Passkey account deployment, raw (first op: initCode + 0-value call)",
  passkeyDeployment: "Passkey-only account deployment (first op − steady-state 0-value call)",
  passkeyZeroValueCall: "Passkey-validated 0-value call, steady state",
  passkeyEthTransfer: "Passkey-validated ETH transfer, steady state",
  sponsoredPasskeyEthTransfer: "The same, sponsored (devnet SponsorPaymaster, ERC-7677 service)",
  installSessionValidator: "Install SessionKeyValidator (passkey-signed)",
  createSession: "createSession, 2 constraints (passkey-signed)",
  sessionEthTransfer: "Session ETH transfer",
  sessionErc20Transfer: "Session ERC-20 transfer, one constraint",
  sessionBatch3: "Session batch of 3 ERC-20 transfers",
  revokeKey: "revokeKey (passkey-signed)",
  recoveryInstall: "Recovery: install the module with 2 guardians (passkey-signed)",
  recoverySetGuardians: "Recovery: change the guardians, 2 (passkey-signed)",
  recoveryGuardianApprove: "Recovery: a guardian approves (its own passkey-signed UserOp)",
  recoverySubmitSignature: "Recovery: an EOA guardian's signature submitted (finalizer-signed UserOp)",
  recoveryFinalize: "Recovery: finalize, adding the new passkey (finalizer-signed UserOp)",
  recoveryCancel: "Recovery: the owner cancels (passkey-signed)",
};

const markdown = process.argv.includes("--markdown");
// --json <file>: also write {figures, notMeasured, reference, goals, labels} there (cargo xtask bench).
const jsonOut = process.argv.includes("--json") ? process.argv[process.argv.indexOf("--json") + 1] : null;
const devnetPath = process.env.SSO_DEVNET_JSON;
if (!devnetPath) throw new Error("SSO_DEVNET_JSON is not set (path to a devnet.json written by `cargo xtask devnet`)");
const devnet = JSON.parse(readFileSync(devnetPath, "utf8"));

const chain = {
  id: devnet.chainId ?? 31337,
  name: "devnet",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [devnet.rpcUrl] } },
};
const client = createPublicClient({ chain, transport: http(devnet.rpcUrl) });
const funder = privateKeyToAccount(devnet.funder.privateKey);
const wallet = createWalletClient({ chain, account: funder, transport: http(devnet.rpcUrl) });
const entryPoint = devnet.entryPoint ?? devnet.contracts.entryPoint;
const { accountFactory, webauthnValidator } = devnet.contracts;
const sessionValidator = devnet.contracts.sessionKeyValidator;

// ---------------------------------------------------------------------------------------------------------
// ABIs
// ---------------------------------------------------------------------------------------------------------

const USER_OP = "(address sender,uint256 nonce,bytes initCode,bytes callData,bytes32 accountGasLimits,uint256 preVerificationGas,bytes32 gasFees,bytes paymasterAndData,bytes signature)";
const entryPointAbi = parseAbi([
  `function handleOps(${USER_OP}[] ops, address beneficiary)`,
  `function getUserOpHash(${USER_OP} op) view returns (bytes32)`,
  "function getNonce(address sender, uint192 key) view returns (uint256)",
  "event UserOperationEvent(bytes32 indexed userOpHash, address indexed sender, address indexed paymaster, uint256 nonce, bool success, uint256 actualGasCost, uint256 actualGasUsed)",
]);
const factoryAbi = parseAbi([
  "function getAddress(bytes32 salt, bytes credentialId, bytes32[2] publicKey, string originDomain) view returns (address)",
  "function createAccount(bytes32 salt, bytes credentialId, bytes32[2] publicKey, string originDomain) returns (address)",
]);
const accountAbi = parseAbi([
  "function execute(bytes32 mode, bytes executionCalldata)",
  "function installModule(uint256 moduleTypeId, address module, bytes initData)",
]);
const erc20Abi = parseAbi([
  "function mint(address to, uint256 amount)",
  "function transfer(address to, uint256 amount) returns (bool)",
]);
const USAGE_LIMIT = "(uint8 limitType,uint256 limit,uint48 period)";
const SESSION_SPEC = `(address signer,uint48 expiresAt,${USAGE_LIMIT} feeLimit,(address target,bytes4 selector,uint256 maxValuePerUse,${USAGE_LIMIT} valueLimit,(uint8 condition,uint64 index,bytes32 refValue,${USAGE_LIMIT} limit)[] constraints)[] callPolicies,(address target,uint256 maxValuePerUse,${USAGE_LIMIT} valueLimit)[] transferPolicies)`;
const sessionAbi = parseAbi([
  `function createSession(${SESSION_SPEC} spec, bytes proof)`,
  "function revokeKey(bytes32 sessionHash)",
  "function sessionStatus(address account, bytes32 sessionHash) view returns (uint8)",
]);

const MODE_SINGLE = zeroHash;
const MODE_BATCH = pad("0x01", { dir: "right", size: 32 });
const LimitType = { Unlimited: 0, Lifetime: 1, Allowance: 2 };
const Condition = { Unconstrained: 0, Equal: 1, LessOrEqual: 5 };

// ---------------------------------------------------------------------------------------------------------
// UserOps
// ---------------------------------------------------------------------------------------------------------

const packUints = (hi, lo) => concat([pad(toHex(hi), { size: 16 }), pad(toHex(lo), { size: 16 })]);

let fees;
async function userOp({ sender, nonce, initCode = "0x", callData, verificationGasLimit = 300_000n }) {
  fees ??= await client.estimateFeesPerGas();
  return {
    sender,
    nonce,
    initCode,
    callData,
    accountGasLimits: packUints(verificationGasLimit, 200_000n),
    preVerificationGas: 60_000n,
    gasFees: packUints(fees.maxPriorityFeePerGas, fees.maxFeePerGas),
    paymasterAndData: "0x",
    signature: "0x",
  };
}

const single = (target, value, data = "0x") =>
  encodeFunctionData({ abi: accountAbi, functionName: "execute", args: [MODE_SINGLE, encodePacked(["address", "uint256", "bytes"], [target, value, data])] });
const batch = (executions) =>
  encodeFunctionData({
    abi: accountAbi,
    functionName: "execute",
    args: [MODE_BATCH, encodeAbiParameters(parseAbiParameters("(address target,uint256 value,bytes callData)[]"), [executions])],
  });

const opHash = (op) => client.readContract({ address: entryPoint, abi: entryPointAbi, functionName: "getUserOpHash", args: [op] });

/** Sends handleOps([op]) from the funder; returns the transaction's gasUsed (throws if the op failed). */
async function send(op, what) {
  const hash = await wallet.writeContract({
    address: entryPoint,
    abi: entryPointAbi,
    functionName: "handleOps",
    args: [[op], funder.address],
    gas: 5_000_000n,
  });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${what}: handleOps reverted (${hash})`);
  const event = receipt.logs.find((l) => l.address.toLowerCase() === entryPoint.toLowerCase() && l.topics[0] === USER_OP_EVENT);
  if (!event) throw new Error(`${what}: no UserOperationEvent`);
  // data: nonce, success, actualGasCost, actualGasUsed
  const success = BigInt(`0x${event.data.slice(2 + 64, 2 + 128)}`) === 1n;
  if (!success) throw new Error(`${what}: the UserOp's call reverted (${hash})`);
  return Number(receipt.gasUsed);
}
const USER_OP_EVENT = keccak256(new TextEncoder().encode("UserOperationEvent(bytes32,address,address,uint256,bool,uint256,uint256)"));

// ---------------------------------------------------------------------------------------------------------
// Passkey (P-256, WebAuthn) signer
// ---------------------------------------------------------------------------------------------------------

const sha256 = (data) => createHash("sha256").update(data).digest();

function newPasskey() {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const xy = [jwk.x, jwk.y].map((c) => toHex(Buffer.from(c, "base64url")));
  return { privateKey, publicKey: xy, credentialId: toHex(randomBytes(32)) };
}

/** validator ‖ abi.encode(bytes authenticatorData, string clientDataJSON, bytes32[2] rs, bytes credentialId,
 * uint256 p256Verifier): the devnet (Osaka) has the P256VERIFY precompile, so verifier 1 as the wallet signs there. */
function passkeySignature(passkey, hash) {
  const authenticatorData = Buffer.concat([sha256(ORIGIN), Buffer.from([0x05]), Buffer.alloc(4)]);
  const challenge = Buffer.from(hash.slice(2), "hex").toString("base64url");
  const clientDataJSON = `{"type":"webauthn.get","challenge":"${challenge}","origin":"${ORIGIN}","crossOrigin":false}`;
  // node:crypto hashes the message with sha256: the digest is sha256(authData ‖ sha256(clientDataJSON)).
  const rs = sign("sha256", Buffer.concat([authenticatorData, sha256(clientDataJSON)]), { key: passkey.privateKey, dsaEncoding: "ieee-p1363" });
  const r = BigInt(`0x${rs.subarray(0, 32).toString("hex")}`);
  let s = BigInt(`0x${rs.subarray(32).toString("hex")}`);
  if (s > P256_N / 2n) s = P256_N - s;
  const data = encodeAbiParameters(parseAbiParameters("bytes, string, bytes32[2], bytes, uint256"), [
    toHex(authenticatorData),
    clientDataJSON,
    [pad(toHex(r)), pad(toHex(s))],
    passkey.credentialId,
    1n,
  ]);
  return concat([webauthnValidator, data]);
}

async function passkeyOp(passkey, fields) {
  const op = await userOp(fields);
  op.signature = passkeySignature(passkey, await opHash(op));
  return op;
}

// ---------------------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------------------

const figures = {};
const notMeasured = {};
const setBalance = (address, wei) => client.request({ method: "anvil_setBalance", params: [address, toHex(wei)] });
const nonceOf = (sender, key = 0n) => client.readContract({ address: entryPoint, abi: entryPointAbi, functionName: "getNonce", args: [sender, key] });

const recipient = privateKeyToAccount(generatePrivateKey()).address;
await setBalance(recipient, parseEther("1"));

const passkey = newPasskey();
const factoryArgs = [zeroHash, passkey.credentialId, passkey.publicKey, ORIGIN];
const account = await client.readContract({ address: accountFactory, abi: factoryAbi, functionName: "getAddress", args: factoryArgs });
await setBalance(account, parseEther("10"));

// 1. Deployment: initCode + a 0-value call.
{
  const initCode = concat([accountFactory, encodeFunctionData({ abi: factoryAbi, functionName: "createAccount", args: factoryArgs })]);
  const op = await passkeyOp(passkey, { sender: account, nonce: 0n, initCode, callData: single(recipient, 0n), verificationGasLimit: 1_000_000n });
  figures.passkeyDeploymentRaw = await send(op, "deployment");
}
// 2. Steady state: the account's 2nd operation is an ETH transfer to a funded recipient.
figures.passkeyEthTransfer = await send(
  await passkeyOp(passkey, { sender: account, nonce: await nonceOf(account), callData: single(recipient, parseEther("0.001")) }),
  "passkey ETH transfer",
);
// 3. The same 0-value call as the deployment op, in steady state.
figures.passkeyZeroValueCall = await send(
  await passkeyOp(passkey, { sender: account, nonce: await nonceOf(account), callData: single(recipient, 0n) }),
  "passkey 0-value call",
);
figures.passkeyDeployment = figures.passkeyDeploymentRaw - figures.passkeyZeroValueCall;

// 3b. The ETH transfer again, its fees paid by the devnet's sponsor: the paymaster data comes from the
// devnet's ERC-7677 service (pm_getPaymasterData), as the wallet asks it.
if (!devnet.paymaster) {
  notMeasured.sponsoredPasskeyEthTransfer = "not yet measured: devnet.json has no paymaster";
} else {
  const op = await userOp({ sender: account, nonce: await nonceOf(account), callData: single(recipient, parseEther("0.001")) });
  const PM_VERIFICATION_GAS = 60_000n;
  const unpack = (word) => [BigInt(`0x${word.slice(2, 34)}`), BigInt(`0x${word.slice(34)}`)];
  const [verificationGasLimit, callGasLimit] = unpack(op.accountGasLimits);
  const [maxPriorityFeePerGas, maxFeePerGas] = unpack(op.gasFees);
  const unpacked = {
    sender: op.sender,
    nonce: toHex(op.nonce),
    callData: op.callData,
    callGasLimit: toHex(callGasLimit),
    verificationGasLimit: toHex(verificationGasLimit),
    preVerificationGas: toHex(op.preVerificationGas),
    maxFeePerGas: toHex(maxFeePerGas),
    maxPriorityFeePerGas: toHex(maxPriorityFeePerGas),
    signature: "0x",
    paymaster: devnet.paymaster.address,
    paymasterVerificationGasLimit: toHex(PM_VERIFICATION_GAS),
    paymasterPostOpGasLimit: "0x0",
    paymasterData: "0x",
  };
  const answer = await (
    await fetch(devnet.paymaster.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "pm_getPaymasterData", params: [unpacked, entryPoint, toHex(chain.id), {}] }),
    })
  ).json();
  if (!answer.result) throw new Error(`the paymaster service refused: ${JSON.stringify(answer.error)}`);
  op.paymasterAndData = concat([devnet.paymaster.address, packUints(PM_VERIFICATION_GAS, 0n), answer.result.paymasterData]);
  op.signature = passkeySignature(passkey, await opHash(op));
  figures.sponsoredPasskeyEthTransfer = await send(op, "sponsored passkey ETH transfer");
}

// 4. Sessions.
const SESSION_FIGURES = ["installSessionValidator", "createSession", "sessionEthTransfer", "sessionErc20Transfer", "sessionBatch3", "revokeKey"];
const erc20Artifact = join(ROOT, "contracts/out/TestERC20.sol/TestERC20.json");
if (!sessionValidator) {
  for (const name of SESSION_FIGURES) notMeasured[name] = "not yet measured: devnet.json has no contracts.sessionKeyValidator";
} else if (!existsSync(erc20Artifact)) {
  for (const name of SESSION_FIGURES) notMeasured[name] = `not yet measured: ${erc20Artifact} is missing (forge build)`;
} else {
  await measureSessions();
}

async function measureSessions() {
  // Test token, minted to the account.
  const artifact = JSON.parse(readFileSync(erc20Artifact, "utf8"));
  const deployHash = await wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode.object ?? artifact.bytecode, args: [] });
  const token = (await client.waitForTransactionReceipt({ hash: deployHash })).contractAddress;
  await client.waitForTransactionReceipt({
    hash: await wallet.writeContract({ address: token, abi: erc20Abi, functionName: "mint", args: [account, parseEther("1000")] }),
  });
  // Recipient already holds tokens (steady state: no zero-to-nonzero balance write).
  await client.waitForTransactionReceipt({
    hash: await wallet.writeContract({ address: token, abi: erc20Abi, functionName: "mint", args: [recipient, parseEther("1")] }),
  });

  const passkeyCall = async (target, data, what) =>
    send(await passkeyOp(passkey, { sender: account, nonce: await nonceOf(account), callData: single(target, 0n, data) }), what);

  // Install the session validator (passkey-signed; callData calls installModule directly, EntryPoint-only).
  figures.installSessionValidator = await send(
    await passkeyOp(passkey, {
      sender: account,
      nonce: await nonceOf(account),
      callData: encodeFunctionData({ abi: accountAbi, functionName: "installModule", args: [1n, sessionValidator, "0x"] }),
    }),
    "installModule(SessionKeyValidator)",
  );

  const now = Number((await client.getBlock()).timestamp);
  const limit = (limitType, value = 0n, period = 0) => ({ limitType, limit: value, period });
  const unlimited = limit(LimitType.Unlimited);
  const transferSelector = encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [recipient, 0n] }).slice(0, 10);
  const specFor = (signer, constraints) => ({
    signer,
    expiresAt: now + 86_400,
    feeLimit: limit(LimitType.Lifetime, parseEther("1")),
    callPolicies: [{ target: token, selector: transferSelector, maxValuePerUse: 0n, valueLimit: unlimited, constraints }],
    transferPolicies: [{ target: recipient, maxValuePerUse: parseEther("0.01"), valueLimit: limit(LimitType.Lifetime, parseEther("1")) }],
  });
  const toRecipient = { condition: Condition.Equal, index: 0n, refValue: pad(recipient), limit: unlimited };
  const amountCap = { condition: Condition.LessOrEqual, index: 1n, refValue: pad(toHex(parseEther("10"))), limit: limit(LimitType.Lifetime, parseEther("100")) };
  const sessionHash = (spec) => keccak256(encodeAbiParameters([{ type: "tuple", ...specParam() }], [spec]));
  const createSession = async (key, spec, what) => {
    const proof = await signHash({ hash: keccak256(encodeAbiParameters(parseAbiParameters("bytes32, address"), [sessionHash(spec), account])), privateKey: key, to: "hex" });
    return passkeyCall(sessionValidator, encodeFunctionData({ abi: sessionAbi, functionName: "createSession", args: [spec, proof] }), what);
  };

  // Session used for the session-signed figures: ERC-20 transfer policy with one constraint (recipient).
  const sessionKey = generatePrivateKey();
  const spec = specFor(privateKeyToAccount(sessionKey).address, [toRecipient]);
  await createSession(sessionKey, spec, "createSession (1 constraint)");
  // createSession figure: 2 constraints (recipient and amount), as in the reference.
  const otherKey = generatePrivateKey();
  const spec2 = specFor(privateKeyToAccount(otherKey).address, [toRecipient, amountCap]);
  figures.createSession = await createSession(otherKey, spec2, "createSession (2 constraints)");

  const signer = BigInt(spec.signer);
  const sessionOp = async (callData, periodIds, what) => {
    const op = await userOp({ sender: account, nonce: await nonceOf(account, signer), callData });
    const ecdsa = await signHash({ hash: await opHash(op), privateKey: sessionKey, to: "hex" });
    const data = encodeAbiParameters([{ type: "bytes" }, { type: "tuple", ...specParam() }, { type: "uint48[]" }], [ecdsa, spec, periodIds]);
    op.signature = concat([sessionValidator, data]);
    return send(op, what);
  };
  const transferData = encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [recipient, parseEther("1")] });
  // Warm-up op on the session's nonce lane, so every measured session op is a steady-state one.
  await sessionOp(single(recipient, parseEther("0.001")), [0, 0], "session warm-up");
  figures.sessionEthTransfer = await sessionOp(single(recipient, parseEther("0.001")), [0, 0], "session ETH transfer");
  figures.sessionErc20Transfer = await sessionOp(single(token, 0n, transferData), [0, 0, 0], "session ERC-20 transfer");
  const execution = { target: token, value: 0n, callData: transferData };
  figures.sessionBatch3 = await sessionOp(batch([execution, execution, execution]), [0, 0, 0, 0, 0, 0, 0], "session batch of 3");

  figures.revokeKey = await passkeyCall(sessionValidator, encodeFunctionData({ abi: sessionAbi, functionName: "revokeKey", args: [sessionHash(spec2)] }), "revokeKey");
  const status = await client.readContract({ address: sessionValidator, abi: sessionAbi, functionName: "sessionStatus", args: [account, sessionHash(spec2)] });
  if (status !== 2) throw new Error(`revokeKey: session status ${status}, expected Closed (2)`);
}

// 5. Guardian recovery: the owner sets two guardians (an SSO account and an EOA), the SSO guardian approves with
// its own UserOp, the recovering user submits the EOA's EIP-712 signature and, 48 h later, finalizes (both
// recovery UserOps of the account, validated by the module and signed by the request's finalizer); then a second
// request is approved once and the owner cancels it.
const RECOVERY_FIGURES = ["recoveryInstall", "recoverySetGuardians", "recoveryGuardianApprove", "recoverySubmitSignature", "recoveryFinalize", "recoveryCancel"];
if (!devnet.contracts.guardianRecovery) {
  for (const name of RECOVERY_FIGURES) notMeasured[name] = "not yet measured: devnet.json has no contracts.guardianRecovery";
} else {
  await measureRecovery(devnet.contracts.guardianRecovery);
}

async function measureRecovery(module) {
  const REQUEST = "(bytes credentialId,bytes32[2] publicKey,string originDomain,address finalizer)";
  const recoveryAbi = parseAbi([
    "function setGuardians(address[] guardians, uint256 threshold, uint256 delay, uint256 maxRecoveryFee)",
    "function cancelRecovery()",
    `function approve(address account, uint64 round, ${REQUEST} request)`,
    `function approveWithSignatures(address account, uint64 round, ${REQUEST} request, address[] signers, bytes[] signatures)`,
    `function finalize(address account, uint64 round, ${REQUEST} request, bytes proof)`,
    "function recoveryConfig(address account) view returns (address[] guardians, uint256 threshold, uint256 delay, uint64 round, uint256 pendingSinceBlock, uint256 maxRecoveryFee)",
    `function approvalDigest(address account, uint64 round, ${REQUEST} request) view returns (bytes32)`,
  ]);
  const validatorAbi = parseAbi([
    "function registrationChallenge(address account, bytes credentialId, bytes32[2] publicKey, string originDomain) view returns (bytes32)",
    "function getAccountKey(string originDomain, bytes credentialId, address account) view returns (bytes32[2])",
  ]);
  const DELAY = 48n * 3600n;
  const FEE_CAP = parseEther("0.1"); // above what these measured UserOps may cost at the devnet's fees
  const RECOVERY_NONCE_LANE = 0x7265636f76657279n;
  const moduleCall = (name, args) => single(module, 0n, encodeFunctionData({ abi: recoveryAbi, functionName: name, args }));
  const ownerOp = async (callData, what) => send(await passkeyOp(passkey, { sender: account, nonce: await nonceOf(account), callData }), what);
  const round = async () => (await client.readContract({ address: module, abi: recoveryAbi, functionName: "recoveryConfig", args: [account] }))[3];

  // The SSO guardian: another passkey account, deployed (steady state).
  const guardianKey = newPasskey();
  const guardianArgs = [zeroHash, guardianKey.credentialId, guardianKey.publicKey, ORIGIN];
  const guardian = await client.readContract({ address: accountFactory, abi: factoryAbi, functionName: "getAddress", args: guardianArgs });
  await setBalance(guardian, parseEther("10"));
  const guardianInit = concat([accountFactory, encodeFunctionData({ abi: factoryAbi, functionName: "createAccount", args: guardianArgs })]);
  await send(await passkeyOp(guardianKey, { sender: guardian, nonce: 0n, initCode: guardianInit, callData: single(recipient, 0n), verificationGasLimit: 1_000_000n }), "guardian deployment");
  const eoaKey = generatePrivateKey();
  const eoa = privateKeyToAccount(eoaKey).address;
  const formerEoa = privateKeyToAccount(generatePrivateKey()).address;

  // Install with [guardian, formerEoa], then change the second guardian (a realistic change of the setup).
  const installData = encodeAbiParameters(parseAbiParameters("address[], uint256, uint256, uint256"), [[guardian, formerEoa], 2n, DELAY, FEE_CAP]);
  figures.recoveryInstall = await ownerOp(
    batch([
      { target: account, value: 0n, callData: encodeFunctionData({ abi: accountAbi, functionName: "installModule", args: [2n, module, installData] }) },
      { target: account, value: 0n, callData: encodeFunctionData({ abi: accountAbi, functionName: "installModule", args: [1n, module, "0x"] }) },
    ]),
    "install the recovery module",
  );
  figures.recoverySetGuardians = await ownerOp(moduleCall("setGuardians", [[guardian, eoa], 2n, DELAY, FEE_CAP]), "setGuardians");

  // The request: a new passkey, its proof of possession for the account, and a finalizer key.
  const newKey = newPasskey();
  const finalizerKey = generatePrivateKey();
  const request = { credentialId: newKey.credentialId, publicKey: newKey.publicKey, originDomain: ORIGIN, finalizer: privateKeyToAccount(finalizerKey).address };
  let current = await round();
  figures.recoveryGuardianApprove = await send(
    await passkeyOp(guardianKey, { sender: guardian, nonce: await nonceOf(guardian), callData: moduleCall("approve", [account, current, request]) }),
    "guardian approve",
  );
  // Recovery UserOps go on the round's lane: key (RECOVERY_NONCE_LANE << 64) | round.
  const recoveryOp = async (callData, what) => {
    const op = await userOp({ sender: account, nonce: await nonceOf(account, (RECOVERY_NONCE_LANE << 64n) | current), callData });
    op.signature = concat([module, await signHash({ hash: await opHash(op), privateKey: finalizerKey, to: "hex" })]);
    return send(op, what);
  };
  const digest = await client.readContract({ address: module, abi: recoveryAbi, functionName: "approvalDigest", args: [account, current, request] });
  const eoaSignature = await signHash({ hash: digest, privateKey: eoaKey, to: "hex" });
  figures.recoverySubmitSignature = await recoveryOp(moduleCall("approveWithSignatures", [account, current, request, [eoa], [eoaSignature]]), "submit the EOA's approval");

  await client.request({ method: "evm_increaseTime", params: [toHex(DELAY)] });
  await client.request({ method: "evm_mine", params: [] });
  const challenge = await client.readContract({ address: webauthnValidator, abi: validatorAbi, functionName: "registrationChallenge", args: [account, newKey.credentialId, newKey.publicKey, ORIGIN] });
  const proof = `0x${passkeySignature(newKey, challenge).slice(42)}`;
  figures.recoveryFinalize = await recoveryOp(moduleCall("finalize", [account, current, request, proof]), "finalize");
  const added = await client.readContract({ address: webauthnValidator, abi: validatorAbi, functionName: "getAccountKey", args: [ORIGIN, newKey.credentialId, account] });
  if (added[0] !== newKey.publicKey[0]) throw new Error("finalize: the new passkey was not added");

  // A second request, approved once: the owner cancels it.
  current = await round();
  const other = { ...request, credentialId: newPasskey().credentialId };
  await send(
    await passkeyOp(guardianKey, { sender: guardian, nonce: await nonceOf(guardian), callData: moduleCall("approve", [account, current, other]) }),
    "guardian approve (second request)",
  );
  figures.recoveryCancel = await ownerOp(moduleCall("cancelRecovery", []), "cancelRecovery");
  if ((await round()) !== current + 1n) throw new Error("cancelRecovery: the round did not move on");
}

/** The SessionSpec tuple parameter (components) for encodeAbiParameters. */
function specParam() {
  return sessionAbi.find((f) => f.name === "createSession").inputs[0];
}

// ---------------------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------------------

if (jsonOut) {
  const goals = Object.fromEntries(Object.keys(REFERENCE).map((name) => [name, GOAL[name] ?? DEFAULT_GOAL]));
  writeFileSync(jsonOut, `${JSON.stringify({ figures, notMeasured, reference: REFERENCE, goals, labels: LABELS }, null, 2)}\n`);
}
if (!markdown) {
  console.log(JSON.stringify({ figures, notMeasured }, null, 2));
} else {
  const fmt = (n) => n.toLocaleString("en-US");
  const lines = ["| operation | gasUsed | ZKsync SSO | ours / ref | goal |", "|---|---:|---:|---:|---|"];
  for (const [name, label] of Object.entries(LABELS)) {
    const ref = REFERENCE[name];
    const goal = GOAL[name] ?? DEFAULT_GOAL;
    if (name in figures) {
      const ratio = ref ? figures[name] / ref : undefined;
      const verdict = ratio === undefined ? "" : ratio <= goal ? `≤ ${goal}× ✓` : `≤ ${goal}× ✗`;
      lines.push(`| ${label} | ${fmt(figures[name])} | ${ref ? fmt(ref) : "—"} | ${ratio ? ratio.toFixed(2) : "—"} | ${verdict} |`);
    } else if (name in notMeasured) {
      lines.push(`| ${label} | not yet measured | ${ref ? fmt(ref) : "—"} | — | ${ref ? `≤ ${goal}×` : ""} |`);
    }
  }
  console.log(lines.join("\n"));
  const reasons = [...new Set(Object.values(notMeasured))];
  if (reasons.length) console.log(`\n${reasons.join("\n")}`);
}
