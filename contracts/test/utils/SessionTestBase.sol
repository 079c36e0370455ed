// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {Execution, IERC7579Execution} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {AccountFactory} from "../../src/AccountFactory.sol";
import {SsoAccount} from "../../src/SsoAccount.sol";
import {WebAuthnValidator} from "../../src/WebAuthnValidator.sol";
import {SessionKeyValidator} from "../../src/SessionKeyValidator.sol";
import {SessionLib} from "../../src/libraries/SessionLib.sol";
import {TestBase} from "./TestBase.sol";
import {TestERC20} from "./TestERC20.sol";

/// @dev Call target for session tests.
contract SessionTarget {
    uint256 public value;
    uint256 public received;

    function set(uint256 v) external payable {
        value = v;
        received += msg.value;
    }

    function setTwo(uint256 a, uint256 b) external payable {
        value = a + b;
    }
}

/// @dev ERC-7579 module of any type that accepts install/uninstall (for target checks).
contract MockModule {
    function onInstall(bytes calldata) external {}
    function onUninstall(bytes calldata) external {}

    function isModuleType(uint256) external pure returns (bool) {
        return true;
    }
}

/// @dev Shared setup for {SessionKeyValidator} tests: EntryPoint v0.8 at its canonical address, factory-created
/// passkey account with the session validator installed, spec builders and session UserOp signing.
abstract contract SessionTestBase is TestBase {
    address internal constant ENTRY_POINT = 0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108;
    bytes32 internal constant MODE_SINGLE = bytes32(0);
    bytes32 internal constant MODE_BATCH = bytes32(uint256(0x01) << 248);
    bytes32 internal constant MODE_TRY_SINGLE = bytes32(uint256(0x01) << 240);
    bytes32 internal constant MODE_TRY_BATCH = bytes32((uint256(0x01) << 248) | (uint256(0x01) << 240));
    bytes32 internal constant MODE_DELEGATECALL = bytes32(uint256(0xff) << 248);

    uint256 internal constant SESSION_PK = 0x5e5510;
    uint256 internal constant VERIFICATION_GAS = 200_000;
    uint256 internal constant CALL_GAS = 100_000;
    uint256 internal constant PRE_VERIFICATION_GAS = 50_000;
    uint256 internal constant MAX_FEE = 2 gwei;
    /// @dev Fee charged per session UserOp without paymaster.
    uint256 internal constant OP_COST = MAX_FEE * (PRE_VERIFICATION_GAS + VERIFICATION_GAS + CALL_GAS);

    WebAuthnValidator internal webAuthn;
    SessionKeyValidator internal skv;
    AccountFactory internal factory;
    SessionTarget internal target;
    TestERC20 internal token;
    SsoAccount internal account;
    address internal signer;

    function setUp() public virtual {
        _deployEntryPointAt(ENTRY_POINT);

        webAuthn = new WebAuthnValidator();
        factory = new AccountFactory(address(new SsoAccount(address(webAuthn))), address(webAuthn));
        skv = new SessionKeyValidator();
        target = new SessionTarget();
        token = new TestERC20();
        account = SsoAccount(payable(factory.createAccount(keccak256("salt"), CRED_ID, publicKey(PASSKEY_PK), ORIGIN)));
        signer = vm.addr(SESSION_PK);
    }

    // ---- module / session setup ----

    function _install() internal {
        vm.prank(ENTRY_POINT);
        account.installModule(1, address(skv), "");
    }

    function _proof(uint256 pk, bytes32 sessionHash, address acct) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, keccak256(abi.encode(sessionHash, acct)));
        return abi.encodePacked(r, s, v);
    }

    function _hash(SessionLib.SessionSpec memory spec) internal pure returns (bytes32) {
        return keccak256(abi.encode(spec));
    }

    /// @dev Creates `spec` (signed by `pk`) for `account`, as the account.
    function _createSession(SessionLib.SessionSpec memory spec, uint256 pk) internal returns (bytes32 sessionHash) {
        sessionHash = _hash(spec);
        bytes memory proof = _proof(pk, sessionHash, address(account));
        vm.prank(address(account));
        skv.createSession(spec, proof);
    }

    function _createSession(SessionLib.SessionSpec memory spec) internal returns (bytes32) {
        return _createSession(spec, SESSION_PK);
    }

    // ---- spec builders ----

    function _unlimited() internal pure returns (SessionLib.UsageLimit memory) {
        return SessionLib.UsageLimit(SessionLib.LimitType.Unlimited, 0, 0);
    }

    function _lifetime(uint256 limit) internal pure returns (SessionLib.UsageLimit memory) {
        return SessionLib.UsageLimit(SessionLib.LimitType.Lifetime, limit, 0);
    }

    function _allowance(uint256 limit, uint48 period) internal pure returns (SessionLib.UsageLimit memory) {
        return SessionLib.UsageLimit(SessionLib.LimitType.Allowance, limit, period);
    }

    /// @dev A Stream limit: `initial` at `start`, then `perSecond` more each second, at most `cap`.
    function _stream(uint256 initial, uint256 perSecond, uint256 cap, uint48 start)
        internal
        pure
        returns (SessionLib.UsageLimit memory)
    {
        return SessionLib.UsageLimit(SessionLib.LimitType.Stream, (cap << 170) | (perSecond << 85) | initial, start);
    }

    /// @dev Spec with a lifetime fee limit of 1 ether, expiry in one day, no policies.
    function _emptySpec() internal view returns (SessionLib.SessionSpec memory spec) {
        spec.signer = signer;
        spec.expiresAt = uint48(block.timestamp + 1 days);
        spec.feeLimit = _lifetime(1 ether);
        spec.callPolicies = new SessionLib.CallSpec[](0);
        spec.transferPolicies = new SessionLib.TransferSpec[](0);
    }

    function _callPolicy(address to, bytes4 selector, uint256 maxValue, SessionLib.UsageLimit memory valueLimit)
        internal
        pure
        returns (SessionLib.CallSpec memory policy)
    {
        policy.target = to;
        policy.selector = selector;
        policy.maxValuePerUse = maxValue;
        policy.valueLimit = valueLimit;
        policy.constraints = new SessionLib.Constraint[](0);
    }

    function _withCall(SessionLib.SessionSpec memory spec, SessionLib.CallSpec memory policy)
        internal
        pure
        returns (SessionLib.SessionSpec memory)
    {
        SessionLib.CallSpec[] memory policies = new SessionLib.CallSpec[](spec.callPolicies.length + 1);
        for (uint256 i = 0; i < spec.callPolicies.length; ++i) {
            policies[i] = spec.callPolicies[i];
        }
        policies[spec.callPolicies.length] = policy;
        spec.callPolicies = policies;
        return spec;
    }

    function _withTransfer(
        SessionLib.SessionSpec memory spec,
        address to,
        uint256 maxValue,
        SessionLib.UsageLimit memory limit
    ) internal pure returns (SessionLib.SessionSpec memory) {
        SessionLib.TransferSpec[] memory policies = new SessionLib.TransferSpec[](spec.transferPolicies.length + 1);
        for (uint256 i = 0; i < spec.transferPolicies.length; ++i) {
            policies[i] = spec.transferPolicies[i];
        }
        policies[spec.transferPolicies.length] = SessionLib.TransferSpec(to, maxValue, limit);
        spec.transferPolicies = policies;
        return spec;
    }

    function _withConstraint(SessionLib.CallSpec memory policy, SessionLib.Constraint memory constraint)
        internal
        pure
        returns (SessionLib.CallSpec memory)
    {
        SessionLib.Constraint[] memory constraints = new SessionLib.Constraint[](policy.constraints.length + 1);
        for (uint256 i = 0; i < policy.constraints.length; ++i) {
            constraints[i] = policy.constraints[i];
        }
        constraints[policy.constraints.length] = constraint;
        policy.constraints = constraints;
        return policy;
    }

    function _constraint(SessionLib.Condition condition, uint64 index, bytes32 refValue)
        internal
        pure
        returns (SessionLib.Constraint memory)
    {
        return SessionLib.Constraint(condition, index, refValue, _unlimited());
    }

    // ---- call data ----

    function _execute(bytes32 mode, bytes memory executionCalldata) internal pure returns (bytes memory) {
        return abi.encodeCall(IERC7579Execution.execute, (mode, executionCalldata));
    }

    function _single(address to, uint256 value, bytes memory data) internal pure returns (bytes memory) {
        return _execute(MODE_SINGLE, abi.encodePacked(to, value, data));
    }

    function _batch(Execution[] memory calls) internal pure returns (bytes memory) {
        return _execute(MODE_BATCH, abi.encode(calls));
    }

    function _periods(uint256 n) internal pure returns (uint48[] memory ids) {
        ids = new uint48[](n);
    }

    function _periods(uint48 a, uint48 b) internal pure returns (uint48[] memory ids) {
        ids = new uint48[](2);
        ids[0] = a;
        ids[1] = b;
    }

    // ---- session UserOps ----

    /// @dev Unsigned UserOp of the session signer's nonce lane with the default gas fields.
    function _op(bytes memory callData) internal view returns (PackedUserOperation memory op) {
        op.sender = address(account);
        op.nonce = uint256(uint160(signer)) << 64;
        op.callData = callData;
        op.accountGasLimits = bytes32((VERIFICATION_GAS << 128) | CALL_GAS);
        op.preVerificationGas = PRE_VERIFICATION_GAS;
        op.gasFees = bytes32((uint256(1 gwei) << 128) | MAX_FEE);
    }

    /// @dev Session signature data `validator ‖ abi.encode(ecdsa(hash), spec, periodIds)`.
    function _sessionSignature(uint256 pk, bytes32 hash, SessionLib.SessionSpec memory spec, uint48[] memory periodIds)
        internal
        view
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, hash);
        return abi.encodePacked(address(skv), abi.encode(abi.encodePacked(r, s, v), spec, periodIds));
    }

    /// @dev A stand-in for the EntryPoint's userOpHash in unit tests (the validator never recomputes it).
    function _opHash(PackedUserOperation memory op) internal pure returns (bytes32) {
        bytes memory sig = op.signature;
        op.signature = "";
        bytes32 h = keccak256(abi.encode(op));
        op.signature = sig;
        return h;
    }

    /// @dev Signs `op` with `pk` and validates it as the account (msg.sender = account).
    function _validate(
        PackedUserOperation memory op,
        uint256 pk,
        SessionLib.SessionSpec memory spec,
        uint48[] memory ids
    ) internal returns (uint256) {
        bytes32 h = _opHash(op);
        op.signature = _sessionSignature(pk, h, spec, ids);
        vm.prank(op.sender);
        return skv.validateUserOp(op, h);
    }

    function _validate(PackedUserOperation memory op, SessionLib.SessionSpec memory spec, uint48[] memory ids)
        internal
        returns (uint256)
    {
        return _validate(op, SESSION_PK, spec, ids);
    }

    /// @dev ERC-4337 validation data for success within `[validAfter, validUntil]`.
    function _vd(uint256 validAfter, uint256 validUntil) internal pure returns (uint256) {
        return (validUntil << 160) | (validAfter << 208);
    }
}
