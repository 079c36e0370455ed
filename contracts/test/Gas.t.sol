// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEntryPoint} from "account-abstraction/interfaces/IEntryPoint.sol";
import {PackedUserOperation as EpUserOp} from "account-abstraction/interfaces/PackedUserOperation.sol";
import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {IERC7579Execution} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {AccountFactory} from "../src/AccountFactory.sol";
import {SsoAccount} from "../src/SsoAccount.sol";
import {WebAuthnValidator} from "../src/WebAuthnValidator.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev Gas of deployment and passkey registration (execution gas of the call, every touched contract cold, as
/// `vm.lastCallGas`; the transaction adds 21000 + calldata). Printed by `forge test --match-contract GasTest -vv`;
/// run it under both profiles (prague: OZ P256's Solidity fallback; `FOUNDRY_PROFILE=osaka`: P256VERIFY).
contract GasTest is TestBase {
    event log_named_uint(string key, uint256 val);

    address internal constant ENTRY_POINT = 0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108;
    WebAuthnValidator internal validator;
    AccountFactory internal factory;

    function setUp() public {
        _deployEntryPointAt(ENTRY_POINT);
        validator = new WebAuthnValidator();
        factory = new AccountFactory(address(new SsoAccount(address(validator))), address(validator));
    }

    function _coolAll() internal {
        vm.cool(ENTRY_POINT);
        vm.cool(address(validator));
        vm.cool(address(factory));
        vm.cool(factory.accountImplementation());
    }

    function test_gas_createAccount() public {
        bytes memory data =
            abi.encodeCall(AccountFactory.createAccount, (bytes32(0), CRED_ID, publicKey(PASSKEY_PK), ORIGIN));
        _coolAll();
        (bool ok,) = address(factory).call(data);
        require(ok, "createAccount");
        emit log_named_uint("createAccount execution gas", vm.lastCallGas().gasTotalUsed);
    }

    function test_gas_deployThroughEntryPoint() public {
        bytes32[2] memory key = publicKey(PASSKEY_PK);
        address sender = factory.getAddress(bytes32(0), CRED_ID, key, ORIGIN);
        vm.deal(sender, 1 ether);
        EpUserOp memory op;
        op.sender = sender;
        op.initCode = abi.encodePacked(
            address(factory), abi.encodeCall(AccountFactory.createAccount, (bytes32(0), CRED_ID, key, ORIGIN))
        );
        op.callData =
            abi.encodeCall(IERC7579Execution.execute, (bytes32(0), abi.encodePacked(address(0xD00D), uint256(0), "")));
        op.accountGasLimits = bytes32((uint256(2_000_000) << 128) | 300_000);
        op.preVerificationGas = 60_000;
        op.gasFees = bytes32((uint256(1 gwei) << 128) | 2 gwei);
        op.signature = abi.encodePacked(address(validator), passkeySig(IEntryPoint(ENTRY_POINT).getUserOpHash(op)));
        EpUserOp[] memory ops = new EpUserOp[](1);
        ops[0] = op;
        bytes memory data = abi.encodeCall(IEntryPoint.handleOps, (ops, payable(address(0xBEEF))));
        _coolAll();
        vm.cool(sender);
        vm.prank(address(0xB0B0), address(0xB0B0));
        (bool ok,) = ENTRY_POINT.call(data);
        require(ok && sender.code.length != 0, "handleOps");
        emit log_named_uint("deploy handleOps execution gas", vm.lastCallGas().gasTotalUsed);
    }

    function _add(address account, bytes memory credId, uint256 pk, string memory label) internal {
        bytes memory proof = keyProof(pk, account, address(validator), credId, ORIGIN);
        bytes memory data = abi.encodeCall(WebAuthnValidator.addValidationKey, (credId, publicKey(pk), ORIGIN, proof));
        _coolAll();
        vm.prank(account);
        (bool ok,) = address(validator).call(data);
        require(ok, "addValidationKey");
        emit log_named_uint(label, vm.lastCallGas().gasTotalUsed);
    }

    function test_gas_addValidationKey() public {
        _add(address(0xA1), CRED_ID, 7, "addValidationKey, new credential (first list entry)");
        _add(address(0xA2), CRED_ID, 7, "addValidationKey, listed credential (second list entry)");
    }

    /// @dev The hot path: a passkey-signed UserOp validated by the validator, called as a deployed account.
    function test_gas_validateUserOp() public {
        address account = factory.createAccount(bytes32(0), CRED_ID, publicKey(PASSKEY_PK), ORIGIN);
        bytes32 userOpHash = keccak256("userOpHash");
        PackedUserOperation memory op;
        op.sender = account;
        op.signature = abi.encodePacked(address(validator), passkeySig(userOpHash));
        bytes memory data = abi.encodeCall(WebAuthnValidator.validateUserOp, (op, userOpHash));
        _coolAll();
        vm.prank(account);
        (bool ok, bytes memory ret) = address(validator).call(data);
        require(ok && abi.decode(ret, (uint256)) == 0, "validateUserOp");
        emit log_named_uint("validateUserOp execution gas", vm.lastCallGas().gasTotalUsed);
    }

    /// @dev What the wallet's gas-estimation dummy signature skips, per P-256 verifier: the dummy (zero challenge,
    /// r = s = 0x11…11, the real credential) fails at the challenge, before the key lookup, the hashing and the P-256
    /// check the real signature goes through. The wallet adds this to the bundler's estimate
    /// (`sso_wallet::webauthn::P256Verifier::headroom`, the same numbers — `tests/abi_artifacts.rs` compares them); this test fails if the real path outgrows it.
    function _skippedByDummy(uint256 verifier) internal returns (uint256) {
        address account = factory.createAccount(bytes32(0), CRED_ID, publicKey(PASSKEY_PK), ORIGIN);
        bytes32 userOpHash = keccak256("userOpHash");
        uint256 real = _validationGas(account, userOpHash, _realSig(userOpHash, verifier), 0);
        uint256 dummy = _validationGas(account, userOpHash, _dummySig(verifier), 1);
        return real - dummy;
    }

    function _realSig(bytes32 userOpHash, uint256 verifier) internal pure returns (bytes memory) {
        bytes memory authData = authenticatorData(0x05);
        string memory cd = clientDataJSON(userOpHash);
        (bytes32 r, bytes32 s) = signLowS(PASSKEY_PK, sha256(abi.encodePacked(authData, sha256(bytes(cd)))));
        return abi.encode(authData, cd, [r, s], CRED_ID, verifier);
    }

    /// @dev The wallet's dummy (`sso_wallet::webauthn::dummy_user_op_signature`).
    function _dummySig(uint256 verifier) internal pure returns (bytes memory) {
        bytes32 eleven = bytes32(0x1111111111111111111111111111111111111111111111111111111111111111);
        bytes memory dummyAuth = new bytes(37);
        dummyAuth[32] = 0x05;
        return abi.encode(dummyAuth, clientDataJSON(bytes32(0)), [eleven, eleven], CRED_ID, verifier);
    }

    function _validationGas(address account, bytes32 userOpHash, bytes memory sig, uint256 expected)
        internal
        returns (uint256)
    {
        PackedUserOperation memory op;
        op.sender = account;
        op.signature = abi.encodePacked(address(validator), sig);
        bytes memory data = abi.encodeCall(WebAuthnValidator.validateUserOp, (op, userOpHash));
        _coolAll();
        vm.cool(account);
        vm.prank(account);
        (bool ok, bytes memory ret) = address(validator).call(data);
        require(ok && abi.decode(ret, (uint256)) == expected, "real passes, dummy fails");
        return vm.lastCallGas().gasTotalUsed;
    }

    /// @dev `P256Verifier::Solidity.headroom()` in the wallet.
    uint256 internal constant SOLIDITY_HEADROOM = 300_000;

    function test_gas_dummySkips_solidityVerifier() public {
        uint256 skipped = _skippedByDummy(VERIFIER_SOLIDITY);
        emit log_named_uint("skipped by the dummy signature (Solidity P-256)", skipped);
        assertTrue(skipped <= SOLIDITY_HEADROOM, "the wallet's Solidity head-room is too small");
    }
}

/// @dev The same with the P256VERIFY precompile (osaka profile; skipped where it is missing).
contract GasPrecompileTest is GasTest {
    /// @dev `P256Verifier::Precompile.headroom()` in the wallet.
    uint256 internal constant PRECOMPILE_HEADROOM = 35_000;

    function test_gas_dummySkips_precompile() public {
        (bool ok, bytes memory ret) = address(0x100)
            .staticcall(
                abi.encode(
                    0xbb5a52f42f9c9261ed4361f59422a1e30036e7c32b270c8807a419feca605023,
                    uint256(5),
                    uint256(1),
                    0xa71af64de5126a4a4e02b7922d66ce9415ce88a4c9d25514d91082c8725ac957,
                    0x5d47723c8fbe580bb369fec9c2665d8e30a435b9932645482e7c9f11e872296b
                )
            );
        require(ok && ret.length == 32, "osaka: P256VERIFY missing");
        uint256 skipped = _skippedByDummy(VERIFIER_PRECOMPILE);
        emit log_named_uint("skipped by the dummy signature (P256VERIFY)", skipped);
        assertTrue(skipped <= PRECOMPILE_HEADROOM, "the wallet's precompile head-room is too small");
    }
}
