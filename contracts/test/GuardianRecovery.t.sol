// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEntryPoint} from "account-abstraction/interfaces/IEntryPoint.sol";
import {PackedUserOperation as EpUserOp} from "account-abstraction/interfaces/PackedUserOperation.sol";
import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {IERC7579Execution} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {AccountFactory} from "../src/AccountFactory.sol";
import {SsoAccount} from "../src/SsoAccount.sol";
import {WebAuthnValidator} from "../src/WebAuthnValidator.sol";
import {GuardianRecovery} from "../src/recovery/GuardianRecovery.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev An ERC-1271 guardian (a contract wallet) that accepts exactly the digests it was told to.
contract ContractGuardian {
    mapping(bytes32 digest => bool) public signed;

    function sign(bytes32 digest) external {
        signed[digest] = true;
    }

    function isValidSignature(bytes32 digest, bytes calldata) external view returns (bytes4) {
        return signed[digest] ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}

/// @dev Shared set-up: an account owned by a passkey, the recovery module installed (executor and validator) with
/// guardians [EOA 1, EOA 2, contract guardian], threshold 2, delay 2 days; and a recovery request for a new passkey
/// in another browser, with its proof of possession.
abstract contract GuardianRecoveryBase is TestBase {
    address internal constant ENTRY_POINT = 0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108;
    address internal constant BUNDLER = address(0xB0B0);
    address internal constant BENEFICIARY = address(0xBEEF);
    uint256 internal constant GUARDIAN1_PK = 0x6a1;
    uint256 internal constant GUARDIAN2_PK = 0x6a2;
    uint256 internal constant FINALIZER_PK = 0xf1a;
    uint256 internal constant NEW_PASSKEY_PK = 0x9e3;
    bytes internal constant NEW_CRED_ID = hex"aabbccddeeff00112233445566778899aa";
    string internal constant NEW_ORIGIN = "moz-extension://0f4c1a33-7a39-4c55-9e86-2b2ad9b2f4a1";
    uint256 internal constant DELAY = 2 days;
    /// @dev The most one recovery UserOp may cost the account: above what `_op` asks for (1.85 M gas at 2 gwei).
    uint256 internal constant FEE_CAP = 0.01 ether;

    WebAuthnValidator internal validator;
    AccountFactory internal factory;
    SsoAccount internal account;
    GuardianRecovery internal recovery;
    ContractGuardian internal contractGuardian;
    address internal guardian1;
    address internal guardian2;

    function setUp() public virtual {
        _deployEntryPointAt(ENTRY_POINT);
        validator = new WebAuthnValidator();
        SsoAccount implementation = new SsoAccount(address(validator));
        factory = new AccountFactory(address(implementation), address(validator));
        account = _newAccount(keccak256("owner"));
        recovery = new GuardianRecovery(address(validator));
        contractGuardian = new ContractGuardian();
        guardian1 = vm.addr(GUARDIAN1_PK);
        guardian2 = vm.addr(GUARDIAN2_PK);
        vm.deal(address(account), 10 ether);
        vm.deal(BENEFICIARY, 1 wei);
        vm.warp(1_800_000_000);
        vm.startPrank(ENTRY_POINT);
        account.installModule(2, address(recovery), abi.encode(_guardians(), 2, DELAY, FEE_CAP));
        account.installModule(1, address(recovery), "");
        vm.stopPrank();
    }

    function _newAccount(bytes32 salt) internal returns (SsoAccount) {
        return SsoAccount(payable(factory.createAccount(salt, CRED_ID, publicKey(PASSKEY_PK), ORIGIN)));
    }

    function _guardians() internal view returns (address[] memory g) {
        g = new address[](3);
        g[0] = guardian1;
        g[1] = guardian2;
        g[2] = address(contractGuardian);
    }

    function _request() internal view returns (GuardianRecovery.RecoveryRequest memory) {
        return
            GuardianRecovery.RecoveryRequest(NEW_CRED_ID, publicKey(NEW_PASSKEY_PK), NEW_ORIGIN, vm.addr(FINALIZER_PK));
    }

    function _proof() internal view returns (bytes memory) {
        return keyProof(NEW_PASSKEY_PK, address(account), address(validator), NEW_CRED_ID, NEW_ORIGIN);
    }

    function _round() internal view returns (uint64 round) {
        (,,, round,,) = recovery.recoveryConfig(address(account));
    }

    function _ecdsa(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }

    function _approvalSig(uint256 pk, address acct, uint64 round, GuardianRecovery.RecoveryRequest memory request)
        internal
        view
        returns (bytes memory)
    {
        return _ecdsa(pk, recovery.approvalDigest(acct, round, request));
    }

    /// @dev Guardians 1 and 2 approve the request by their own transactions (the threshold is reached).
    function _approveByTwo() internal returns (uint256 readyAt) {
        uint64 round = _round();
        vm.prank(guardian1);
        recovery.approve(address(account), round, _request());
        vm.prank(guardian2);
        recovery.approve(address(account), round, _request());
        (, readyAt) =
            recovery.requestApprovals(address(account), recovery.requestHash(address(account), round, _request()));
    }

    function _newKey() internal view returns (bytes32[2] memory) {
        return validator.getAccountKey(NEW_ORIGIN, NEW_CRED_ID, address(account));
    }

    // ---- UserOps through the real EntryPoint ----

    function _op(bytes memory callData) internal view returns (EpUserOp memory op) {
        return _op(callData, 0);
    }

    /// @dev The recovery lane of the account's current round.
    function _lane() internal view returns (uint192) {
        return uint192((recovery.RECOVERY_NONCE_LANE() << 64) | _round());
    }

    function _op(bytes memory callData, uint192 key) internal view returns (EpUserOp memory op) {
        op.sender = address(account);
        op.nonce = IEntryPoint(ENTRY_POINT).getNonce(address(account), key);
        op.callData = callData;
        // Generous: the default profile's EVM has no P-256 precompile (Solidity verification of the proof).
        op.accountGasLimits = bytes32((uint256(300_000) << 128) | 1_500_000);
        op.preVerificationGas = 50_000;
        op.gasFees = bytes32((uint256(1 gwei) << 128) | 2 gwei);
    }

    function _moduleCall(bytes memory call) internal view returns (bytes memory) {
        return
            abi.encodeCall(
                IERC7579Execution.execute, (bytes32(0), abi.encodePacked(address(recovery), uint256(0), call))
            );
    }

    /// @dev A recovery UserOp: `call` on the module, signed by `signerPk` as the finalizer.
    function _recoveryOp(bytes memory call, uint256 signerPk) internal view returns (EpUserOp memory op) {
        op = _op(_moduleCall(call), _lane());
        op.signature = abi.encodePacked(address(recovery), _ecdsa(signerPk, IEntryPoint(ENTRY_POINT).getUserOpHash(op)));
    }

    function _handle(EpUserOp memory op) internal {
        EpUserOp[] memory ops = new EpUserOp[](1);
        ops[0] = op;
        vm.prank(BUNDLER, BUNDLER);
        IEntryPoint(ENTRY_POINT).handleOps(ops, payable(BENEFICIARY));
    }

    /// @dev `handleOps` must revert with `FailedOp(0, reason)` (a validation failure: nothing is paid).
    function _handleFails(EpUserOp memory op, string memory reason) internal {
        EpUserOp[] memory ops = new EpUserOp[](1);
        ops[0] = op;
        vm.prank(BUNDLER, BUNDLER);
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, reason));
        IEntryPoint(ENTRY_POINT).handleOps(ops, payable(BENEFICIARY));
    }

    function _finalizeCall(uint64 round) internal view returns (bytes memory) {
        return abi.encodeCall(GuardianRecovery.finalize, (address(account), round, _request(), _proof()));
    }
}

/// @dev Set-up, approvals, the delay, cancelling and finalizing, called directly.
contract GuardianRecoveryTest is GuardianRecoveryBase {
    function test_install_recordsSetupAndBothTypes() public view {
        (address[] memory g, uint256 threshold, uint256 delay, uint64 round, uint256 pending, uint256 cap) =
            recovery.recoveryConfig(address(account));
        assertEq(cap, FEE_CAP, "fee cap");
        assertEq(g.length, 3, "three guardians");
        assertEq(g[2], address(contractGuardian), "order kept");
        assertEq(threshold, 2, "threshold");
        assertEq(delay, DELAY, "delay");
        assertEq(round, 1, "installing starts round 1");
        assertEq(pending, 0, "nothing pending");
        assertTrue(account.isModuleInstalled(1, address(recovery), ""), "validator");
        assertTrue(account.isModuleInstalled(2, address(recovery), ""), "executor");
        assertTrue(recovery.isModuleType(1) && recovery.isModuleType(2) && !recovery.isModuleType(3), "types");
    }

    function test_setGuardians_refusesBadSetups() public {
        address[] memory g = _guardians();
        vm.startPrank(address(account));
        vm.expectRevert(GuardianRecovery.InvalidRecoverySetup.selector);
        recovery.setGuardians(g, 0, DELAY, FEE_CAP);
        vm.expectRevert(GuardianRecovery.InvalidRecoverySetup.selector);
        recovery.setGuardians(g, 4, DELAY, FEE_CAP);
        vm.expectRevert(GuardianRecovery.InvalidRecoverySetup.selector);
        recovery.setGuardians(g, 2, 1 days - 1, FEE_CAP);
        vm.expectRevert(GuardianRecovery.InvalidRecoverySetup.selector);
        recovery.setGuardians(g, 2, 90 days + 1, FEE_CAP);
        vm.expectRevert(GuardianRecovery.InvalidRecoverySetup.selector);
        recovery.setGuardians(new address[](17), 1, DELAY, FEE_CAP);
        vm.expectRevert(GuardianRecovery.InvalidRecoverySetup.selector);
        recovery.setGuardians(new address[](0), 1, DELAY, FEE_CAP);
        g[1] = address(0);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.InvalidGuardian.selector, address(0)));
        recovery.setGuardians(g, 2, DELAY, FEE_CAP);
        g[1] = address(account);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.InvalidGuardian.selector, address(account)));
        recovery.setGuardians(g, 2, DELAY, FEE_CAP);
        g[1] = guardian1;
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.InvalidGuardian.selector, guardian1));
        recovery.setGuardians(g, 2, DELAY, FEE_CAP);
        // The bounds themselves are accepted; an empty list with threshold 0 turns recovery off.
        recovery.setGuardians(_guardians(), 3, 1 days, FEE_CAP);
        recovery.setGuardians(_guardians(), 1, 90 days, FEE_CAP);
        recovery.setGuardians(new address[](0), 0, 1 days, FEE_CAP);
        vm.stopPrank();
        (address[] memory after_, uint256 threshold,,,,) = recovery.recoveryConfig(address(account));
        assertEq(after_.length + threshold, 0, "off");
    }

    function test_setGuardians_shrinkingClearsOldSlots() public {
        address[] memory one = new address[](1);
        one[0] = guardian2;
        vm.prank(address(account));
        recovery.setGuardians(one, 1, DELAY, FEE_CAP);
        (address[] memory g,,,,,) = recovery.recoveryConfig(address(account));
        assertEq(g.length, 1, "one guardian");
        assertEq(g[0], guardian2, "guardian 2");
        uint64 current = _round();
        vm.prank(guardian1);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.NotGuardian.selector, guardian1));
        recovery.approve(address(account), current, _request());
    }

    function test_approve_onlyGuardiansOfThisAccountInThisRound() public {
        uint64 round = _round();
        vm.prank(address(0xbad));
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.NotGuardian.selector, address(0xbad)));
        recovery.approve(address(account), round, _request());
        vm.prank(guardian1);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.WrongRound.selector, round));
        recovery.approve(address(account), round + 1, _request());
        // A guardian of this account is nobody's guardian elsewhere.
        SsoAccount other = _newAccount(keccak256("other"));
        vm.prank(guardian1);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.NotGuardian.selector, guardian1));
        recovery.approve(address(other), 0, _request());
        GuardianRecovery.RecoveryRequest memory noFinalizer = _request();
        noFinalizer.finalizer = address(0);
        vm.prank(guardian1);
        vm.expectRevert(GuardianRecovery.NoFinalizer.selector);
        recovery.approve(address(account), round, noFinalizer);
    }

    function test_approve_eventsAndScheduleAtThreshold() public {
        uint64 round = _round();
        bytes32 hash = recovery.requestHash(address(account), round, _request());
        vm.expectEmit(address(recovery));
        emit GuardianRecovery.RecoveryRequested(address(account), round, hash, _request());
        vm.expectEmit(address(recovery));
        emit GuardianRecovery.RecoveryApproved(address(account), round, hash, guardian1);
        vm.prank(guardian1);
        recovery.approve(address(account), round, _request());
        (,,,, uint256 pending,) = recovery.recoveryConfig(address(account));
        assertEq(pending, block.number, "pending from this block");
        (uint256 by, uint256 readyAt) = recovery.requestApprovals(address(account), hash);
        assertEq(by, 1, "guardian 0 approved");
        assertEq(readyAt, 0, "one of two: not scheduled");

        // Approving twice counts once.
        vm.prank(guardian1);
        recovery.approve(address(account), round, _request());
        (, readyAt) = recovery.requestApprovals(address(account), hash);
        assertEq(readyAt, 0, "still one of two");

        vm.expectEmit(address(recovery));
        emit GuardianRecovery.RecoveryApproved(address(account), round, hash, address(contractGuardian));
        vm.expectEmit(address(recovery));
        emit GuardianRecovery.RecoveryScheduled(address(account), round, hash, block.timestamp + DELAY);
        vm.prank(address(contractGuardian));
        recovery.approve(address(account), round, _request());
        (by, readyAt) = recovery.requestApprovals(address(account), hash);
        assertEq(by, 5, "guardians 0 and 2");
        assertEq(readyAt, block.timestamp + DELAY, "ready after the delay");
    }

    function test_finalize_oneOfTwoCannot() public {
        bytes memory proof = _proof();
        uint64 current = _round();
        vm.prank(guardian1);
        recovery.approve(address(account), current, _request());
        vm.warp(block.timestamp + 30 days);
        vm.expectRevert(GuardianRecovery.RecoveryNotScheduled.selector);
        recovery.finalize(address(account), current, _request(), proof);
    }

    function test_finalize_notBeforeTheDelay_thenAddsThePasskey() public {
        bytes memory proof = _proof();
        uint256 readyAt = _approveByTwo();
        uint64 round = _round();
        vm.warp(readyAt - 1);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.RecoveryNotReady.selector, readyAt));
        recovery.finalize(address(account), round, _request(), proof);
        assertEq(_newKey()[0], bytes32(0), "no key yet");

        vm.warp(readyAt);
        bytes32 hash = recovery.requestHash(address(account), round, _request());
        vm.expectEmit(address(recovery));
        emit GuardianRecovery.RecoveryFinalized(address(account), round, hash);
        vm.prank(address(0xa11)); // anyone
        recovery.finalize(address(account), round, _request(), proof);
        assertEq(_newKey()[0], publicKey(NEW_PASSKEY_PK)[0], "the new passkey is the account's");
        assertEq(validator.keyCount(address(account)), 2, "old and new");
        address[] memory listed = validator.getAccountList(NEW_ORIGIN, NEW_CRED_ID);
        assertEq(listed.length, 1, "listed under the new credential (login elsewhere)");
        assertEq(listed[0], address(account), "this account");
        (,,, uint64 next, uint256 pending,) = recovery.recoveryConfig(address(account));
        assertEq(next, round + 1, "new round");
        assertEq(pending, 0, "nothing pending");
        // Not twice.
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.WrongRound.selector, round + 1));
        recovery.finalize(address(account), round, _request(), proof);
    }

    function test_finalize_badProofFailsInTheValidator() public {
        uint256 readyAt = _approveByTwo();
        vm.warp(readyAt);
        bytes memory wrong = keyProof(NEW_PASSKEY_PK, address(0xdead), address(validator), NEW_CRED_ID, NEW_ORIGIN);
        uint64 current = _round();
        vm.expectRevert(WebAuthnValidator.InvalidKeyProof.selector);
        recovery.finalize(address(account), current, _request(), wrong);
    }

    function test_finalize_needsTheExecutorInstalled() public {
        bytes memory proof = _proof();
        uint256 readyAt = _approveByTwo();
        uint64 round = _round();
        // Uninstalling the validator type alone turns recovery off (a new round).
        vm.prank(ENTRY_POINT);
        account.uninstallModule(1, address(recovery), "");
        vm.warp(readyAt);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.WrongRound.selector, round + 1));
        recovery.finalize(address(account), round, _request(), proof);
        (address[] memory g,,,,,) = recovery.recoveryConfig(address(account));
        assertEq(g.length, 0, "no guardians left");
    }

    function test_cancel_voidsTheRound() public {
        bytes memory proof = _proof();
        uint256 readyAt = _approveByTwo();
        uint64 round = _round();
        vm.expectEmit(address(recovery));
        emit GuardianRecovery.RecoveryCancelled(address(account), round);
        vm.prank(address(account));
        recovery.cancelRecovery();
        vm.warp(readyAt + 1);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.WrongRound.selector, round + 1));
        recovery.finalize(address(account), round, _request(), proof);
        // The old round's approvals do not carry over: the same request starts again from zero.
        vm.expectRevert(GuardianRecovery.RecoveryNotScheduled.selector);
        recovery.finalize(address(account), round + 1, _request(), proof);
        vm.prank(guardian1);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.WrongRound.selector, round + 1));
        recovery.approve(address(account), round, _request());
        assertEq(_newKey()[0], bytes32(0), "never added");
    }

    function test_setGuardians_voidsTheRoundToo() public {
        bytes memory proof = _proof();
        uint256 readyAt = _approveByTwo();
        uint64 round = _round();
        vm.prank(address(account));
        recovery.setGuardians(_guardians(), 2, DELAY, FEE_CAP);
        vm.warp(readyAt);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.WrongRound.selector, round + 1));
        recovery.finalize(address(account), round, _request(), proof);
    }

    // ---- EIP-712 approvals ----

    function test_approvalDigest_isTheDocumentedTypedData() public view {
        GuardianRecovery.RecoveryRequest memory r = _request();
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "RecoveryApproval(address account,uint64 round,bytes credentialId,bytes32[2] publicKey,string originDomain,address finalizer)"
                ),
                address(account),
                uint64(7),
                keccak256(r.credentialId),
                keccak256(abi.encodePacked(r.publicKey[0], r.publicKey[1])),
                keccak256(bytes(r.originDomain)),
                r.finalizer
            )
        );
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("SsoWalletGuardianRecovery"),
                keccak256("1"),
                block.chainid,
                address(recovery)
            )
        );
        assertEq(recovery.requestHash(address(account), 7, r), structHash, "struct hash");
        assertEq(
            recovery.approvalDigest(address(account), 7, r),
            keccak256(abi.encodePacked(hex"1901", domain, structHash)),
            "digest"
        );
    }

    function test_approveWithSignatures_eoaAndErc1271() public {
        uint64 round = _round();
        contractGuardian.sign(recovery.approvalDigest(address(account), round, _request()));
        address[] memory signers = new address[](2);
        signers[0] = guardian2;
        signers[1] = address(contractGuardian);
        bytes[] memory sigs = new bytes[](2);
        sigs[0] = _approvalSig(GUARDIAN2_PK, address(account), round, _request());
        vm.prank(address(0xa11)); // anyone submits
        recovery.approveWithSignatures(address(account), round, _request(), signers, sigs);
        (uint256 by, uint256 readyAt) =
            recovery.requestApprovals(address(account), recovery.requestHash(address(account), round, _request()));
        assertEq(by, 6, "guardians 1 and 2");
        assertEq(readyAt, block.timestamp + DELAY, "scheduled");
    }

    function test_approveWithSignatures_noReplayAcrossAccountsRoundsChainsOrRequests() public {
        uint64 round = _round();
        address[] memory signers = new address[](1);
        signers[0] = guardian1;
        bytes[] memory sigs = new bytes[](1);

        // Signed for another account that has the same guardians.
        SsoAccount other = _newAccount(keccak256("other"));
        vm.prank(address(other));
        recovery.setGuardians(_guardians(), 2, DELAY, FEE_CAP);
        sigs[0] = _approvalSig(GUARDIAN1_PK, address(other), 1, _request());
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.InvalidGuardianSignature.selector, guardian1));
        recovery.approveWithSignatures(address(account), round, _request(), signers, sigs);

        // Signed for an earlier round (after a cancel): the round is named, so it is refused as stale or invalid.
        sigs[0] = _approvalSig(GUARDIAN1_PK, address(account), round, _request());
        vm.prank(address(account));
        recovery.cancelRecovery();
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.WrongRound.selector, round + 1));
        recovery.approveWithSignatures(address(account), round, _request(), signers, sigs);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.InvalidGuardianSignature.selector, guardian1));
        recovery.approveWithSignatures(address(account), round + 1, _request(), signers, sigs);

        // Signed on another chain.
        round = _round();
        uint256 chain = block.chainid;
        vm.chainId(chain + 1);
        sigs[0] = _approvalSig(GUARDIAN1_PK, address(account), round, _request());
        vm.chainId(chain);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.InvalidGuardianSignature.selector, guardian1));
        recovery.approveWithSignatures(address(account), round, _request(), signers, sigs);

        // Signed for another passkey or another finalizer.
        sigs[0] = _approvalSig(GUARDIAN1_PK, address(account), round, _request());
        GuardianRecovery.RecoveryRequest memory swapped = _request();
        swapped.publicKey[1] = bytes32(uint256(swapped.publicKey[1]) ^ 1);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.InvalidGuardianSignature.selector, guardian1));
        recovery.approveWithSignatures(address(account), round, swapped, signers, sigs);
        swapped = _request();
        swapped.finalizer = address(0xbad);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.InvalidGuardianSignature.selector, guardian1));
        recovery.approveWithSignatures(address(account), round, swapped, signers, sigs);

        // A non-guardian's valid signature, and mismatched arrays.
        signers[0] = vm.addr(0x5ca);
        sigs[0] = _approvalSig(0x5ca, address(account), round, _request());
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.NotGuardian.selector, signers[0]));
        recovery.approveWithSignatures(address(account), round, _request(), signers, sigs);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.InvalidGuardianSignature.selector, address(0)));
        recovery.approveWithSignatures(address(account), round, _request(), signers, new bytes[](0));
    }
}

/// @dev The module as a validator: recovery UserOps through the real EntryPoint v0.8, and nothing else.
contract GuardianRecoveryUserOpTest is GuardianRecoveryBase {
    function _approveCall(uint256 pk, address signer) internal view returns (bytes memory) {
        address[] memory signers = new address[](1);
        signers[0] = signer;
        bytes[] memory sigs = new bytes[](1);
        sigs[0] = _approvalSig(pk, address(account), _round(), _request());
        return
            abi.encodeCall(
                GuardianRecovery.approveWithSignatures, (address(account), _round(), _request(), signers, sigs)
            );
    }

    function test_userOps_wholeRecoveryPaidByTheAccount() public {
        uint64 round = _round();
        // Guardian 1 approves by its own transaction; the recovering user submits guardian 2's signature.
        vm.prank(guardian1);
        recovery.approve(address(account), round, _request());
        uint256 balance = address(account).balance;
        _handle(_recoveryOp(_approveCall(GUARDIAN2_PK, guardian2), FINALIZER_PK));
        assertTrue(address(account).balance < balance, "the account paid");
        (, uint256 readyAt) =
            recovery.requestApprovals(address(account), recovery.requestHash(address(account), round, _request()));
        assertEq(readyAt, block.timestamp + DELAY, "scheduled by the UserOp");

        // Before the delay the EntryPoint refuses the finalize UserOp (validAfter).
        vm.warp(readyAt - 1);
        _handleFails(_recoveryOp(_finalizeCall(round), FINALIZER_PK), "AA22 expired or not due");

        vm.warp(readyAt);
        _handle(_recoveryOp(_finalizeCall(round), FINALIZER_PK));
        assertEq(_newKey()[1], publicKey(NEW_PASSKEY_PK)[1], "added");

        // The new passkey now signs for the account.
        EpUserOp memory op = _op(
            abi.encodeCall(
                IERC7579Execution.execute, (bytes32(0), abi.encodePacked(address(0x5eed), uint256(1 ether), ""))
            )
        );
        bytes32 userOpHash = IEntryPoint(ENTRY_POINT).getUserOpHash(op);
        op.signature = abi.encodePacked(
            address(validator),
            passkeySig(
                NEW_PASSKEY_PK,
                authenticatorData(0x05),
                clientDataJSON(userOpHash, NEW_ORIGIN, ',"crossOrigin":false}'),
                NEW_CRED_ID
            )
        );
        _handle(op);
        assertEq(address(0x5eed).balance, 1 ether, "sent with the new passkey");
    }

    function test_userOps_onlyTheFinalizerSigns() public {
        _approveByTwo();
        vm.warp(block.timestamp + DELAY);
        _handleFails(_recoveryOp(_finalizeCall(_round()), GUARDIAN1_PK), "AA24 signature error");
    }

    function test_userOps_nothingButRecoveryCalls() public {
        _approveByTwo();
        vm.warp(block.timestamp + DELAY);
        // A transfer out, signed by the finalizer through the module: refused.
        EpUserOp memory op = _op(
            abi.encodeCall(
                IERC7579Execution.execute, (bytes32(0), abi.encodePacked(address(0xbad), uint256(1 ether), ""))
            )
        );
        op.signature =
            abi.encodePacked(address(recovery), _ecdsa(FINALIZER_PK, IEntryPoint(ENTRY_POINT).getUserOpHash(op)));
        _handleFails(op, "AA24 signature error");
        // Other module functions (cancel, setGuardians) through the module: refused.
        _handleFails(
            _recoveryOp(abi.encodeCall(GuardianRecovery.cancelRecovery, ()), FINALIZER_PK), "AA24 signature error"
        );
        // The finalize call with a value, or wrapped in a batch: refused.
        op = _op(
            abi.encodeCall(
                IERC7579Execution.execute,
                (bytes32(0), abi.encodePacked(address(recovery), uint256(1), _finalizeCall(_round())))
            )
        );
        op.signature =
            abi.encodePacked(address(recovery), _ecdsa(FINALIZER_PK, IEntryPoint(ENTRY_POINT).getUserOpHash(op)));
        _handleFails(op, "AA24 signature error");
    }

    function test_userOps_finalizeOnlyWhenScheduled() public {
        uint64 current = _round();
        vm.prank(guardian1);
        recovery.approve(address(account), current, _request());
        vm.warp(block.timestamp + 30 days);
        _handleFails(_recoveryOp(_finalizeCall(_round()), FINALIZER_PK), "AA24 signature error");
    }

    function test_userOps_approvalsMustBeNewGuardianEcdsa() public {
        uint64 current = _round();
        vm.prank(guardian1);
        recovery.approve(address(account), current, _request());
        // Guardian 1 already approved: submitting its signature again moves nothing, so the account does not pay.
        _handleFails(_recoveryOp(_approveCall(GUARDIAN1_PK, guardian1), FINALIZER_PK), "AA24 signature error");
        // A non-guardian's signature.
        _handleFails(_recoveryOp(_approveCall(0x5ca, vm.addr(0x5ca)), FINALIZER_PK), "AA24 signature error");
        // An ERC-1271 guardian cannot be checked within ERC-7562 validation: submit it by a transaction instead.
        contractGuardian.sign(recovery.approvalDigest(address(account), _round(), _request()));
        address[] memory signers = new address[](1);
        signers[0] = address(contractGuardian);
        bytes[] memory sigs = new bytes[](1);
        bytes memory call = abi.encodeCall(
            GuardianRecovery.approveWithSignatures, (address(account), _round(), _request(), signers, sigs)
        );
        _handleFails(_recoveryOp(call, FINALIZER_PK), "AA24 signature error");
    }

    function test_validateUserOp_otherAccountsRequestIsRefused() public {
        // The account asks the module to validate a finalize naming another account.
        SsoAccount other = _newAccount(keccak256("other"));
        vm.prank(address(other));
        recovery.setGuardians(_guardians(), 1, DELAY, FEE_CAP);
        vm.prank(guardian1);
        recovery.approve(address(other), 1, _request());
        bytes memory call = abi.encodeCall(GuardianRecovery.finalize, (address(other), 1, _request(), _proof()));
        PackedUserOperation memory op;
        op.nonce = ((recovery.RECOVERY_NONCE_LANE() << 64) | 1) << 64; // both accounts are in round 1
        op.callData = _moduleCall(call);
        op.signature = abi.encodePacked(address(recovery), _ecdsa(FINALIZER_PK, bytes32(uint256(1))));
        vm.prank(address(account));
        assertEq(recovery.validateUserOp(op, bytes32(uint256(1))), 1, "refused");
        vm.prank(address(other));
        assertTrue(recovery.validateUserOp(op, bytes32(uint256(1))) != 1, "the other account's own op passes");
    }

    function _twoSignatures() internal view returns (bytes memory) {
        address[] memory signers = new address[](2);
        signers[0] = guardian1;
        signers[1] = guardian2;
        bytes[] memory sigs = new bytes[](2);
        sigs[0] = _approvalSig(GUARDIAN1_PK, address(account), _round(), _request());
        sigs[1] = _approvalSig(GUARDIAN2_PK, address(account), _round(), _request());
        return
            abi.encodeCall(
                GuardianRecovery.approveWithSignatures, (address(account), _round(), _request(), signers, sigs)
            );
    }

    function test_userOps_theAccountPaysOnlyForApprovalsThatReachTheThreshold() public {
        // One guardian's signature of a request nobody else approved (threshold 2): the account pays nothing.
        _handleFails(_recoveryOp(_approveCall(GUARDIAN2_PK, guardian2), FINALIZER_PK), "AA24 signature error");
        // Both together schedule it.
        _handle(_recoveryOp(_twoSignatures(), FINALIZER_PK));
        (, uint256 readyAt) =
            recovery.requestApprovals(address(account), recovery.requestHash(address(account), _round(), _request()));
        assertEq(readyAt, block.timestamp + DELAY, "scheduled");
    }

    function test_userOps_feesAboveTheCapAreRefused() public {
        EpUserOp memory op = _op(_moduleCall(_twoSignatures()), _lane());
        op.gasFees = bytes32((uint256(1 gwei) << 128) | 1000 gwei); // 1.85 M gas at 1,000 gwei: 1.85 ETH
        op.signature =
            abi.encodePacked(address(recovery), _ecdsa(FINALIZER_PK, IEntryPoint(ENTRY_POINT).getUserOpHash(op)));
        _handleFails(op, "AA24 signature error");
        op = _op(_moduleCall(_twoSignatures()), _lane());
        op.preVerificationGas = 10_000_000; // charged in full whatever is used
        op.signature =
            abi.encodePacked(address(recovery), _ecdsa(FINALIZER_PK, IEntryPoint(ENTRY_POINT).getUserOpHash(op)));
        _handleFails(op, "AA24 signature error");
        // With a paymaster, the account pays nothing: the cap does not apply (checked at the module).
        PackedUserOperation memory sponsored;
        sponsored.nonce = uint256(_lane()) << 64;
        sponsored.callData = _moduleCall(_twoSignatures());
        sponsored.gasFees = bytes32(uint256(1000 gwei));
        sponsored.accountGasLimits = bytes32((uint256(10_000_000) << 128) | 10_000_000);
        sponsored.paymasterAndData = abi.encodePacked(address(0x9a1d));
        sponsored.signature = abi.encodePacked(address(recovery), _ecdsa(FINALIZER_PK, bytes32(uint256(7))));
        vm.prank(address(account));
        assertEq(recovery.validateUserOp(sponsored, bytes32(uint256(7))), 0, "sponsored: valid");
    }

    function test_userOps_onTheRoundsLaneAndAtMostFourPerRound() public {
        uint256 readyAt = _approveByTwo();
        vm.warp(readyAt);
        // Another lane (the passkeys' lane 0, or another round's): refused.
        EpUserOp memory op = _op(_moduleCall(_finalizeCall(_round())), 0);
        op.signature =
            abi.encodePacked(address(recovery), _ecdsa(FINALIZER_PK, IEntryPoint(ENTRY_POINT).getUserOpHash(op)));
        _handleFails(op, "AA24 signature error");
        op = _op(_moduleCall(_finalizeCall(_round())), _lane() + 1);
        op.signature =
            abi.encodePacked(address(recovery), _ecdsa(FINALIZER_PK, IEntryPoint(ENTRY_POINT).getUserOpHash(op)));
        _handleFails(op, "AA24 signature error");
        // Four paid finalize attempts whose proof is bad (each validates, reverts, and is paid for)...
        bytes memory bad = abi.encodeCall(
            GuardianRecovery.finalize,
            (
                address(account),
                _round(),
                _request(),
                keyProof(NEW_PASSKEY_PK, address(0xdead), address(validator), NEW_CRED_ID, NEW_ORIGIN)
            )
        );
        uint256 balance = address(account).balance;
        for (uint256 i = 0; i < recovery.MAX_RECOVERY_OPS(); ++i) {
            _handle(_recoveryOp(bad, FINALIZER_PK));
        }
        assertTrue(address(account).balance < balance, "paid for");
        assertEq(_newKey()[0], bytes32(0), "nothing added");
        // ...and the round's budget is spent: the account pays for no fifth.
        _handleFails(_recoveryOp(_finalizeCall(_round()), FINALIZER_PK), "AA24 signature error");
        // Anyone can still finalize by a transaction.
        recovery.finalize(address(account), _round(), _request(), _proof());
        assertEq(_newKey()[0], publicKey(NEW_PASSKEY_PK)[0], "added");
    }

    function test_approveWithSignatures_anEoaWithCodeSignsWithItsKey() public {
        // An EIP-7702 EOA: code at its address, its key still signs; as in a recovery UserOp's validation.
        vm.etch(guardian1, hex"00");
        address[] memory signers = new address[](1);
        signers[0] = guardian1;
        bytes[] memory sigs = new bytes[](1);
        sigs[0] = _approvalSig(GUARDIAN1_PK, address(account), _round(), _request());
        recovery.approveWithSignatures(address(account), _round(), _request(), signers, sigs);
        (uint256 by,) =
            recovery.requestApprovals(address(account), recovery.requestHash(address(account), _round(), _request()));
        assertEq(by, 1, "guardian 1 approved");
    }

    function test_isValidSignatureWithSender_neverValid() public view {
        assertEq(
            uint32(recovery.isValidSignatureWithSender(address(this), bytes32(0), "")), 0xffffffff, "no signatures"
        );
    }
}

/// @dev Properties over random inputs.
contract GuardianRecoveryFuzzTest is GuardianRecoveryBase {
    /// @dev Random calldata and signatures never validate (the only passing UserOps are recovery calls signed by an
    /// approved finalizer, which random bytes do not produce).
    function testFuzz_validateUserOp_randomOpsFail(bytes calldata callData, bytes calldata signature, bytes32 hash)
        public
    {
        _approveByTwo();
        PackedUserOperation memory op;
        op.nonce = uint256(_lane()) << 64; // on the round's lane, costing nothing: only the call and signature decide
        op.callData = callData;
        op.signature = abi.encodePacked(address(recovery), signature);
        vm.prank(address(account));
        try recovery.validateUserOp(op, hash) returns (uint256 result) {
            assertEq(result, 1, "fails");
        } catch {}
    }

    /// @dev Random module calls inside a well-formed execute, signed by the real finalizer, only pass when they are
    /// the scheduled finalize.
    function testFuzz_validateUserOp_randomModuleCallsFail(bytes calldata call, bytes32 hash) public {
        _approveByTwo();
        PackedUserOperation memory op;
        op.nonce = uint256(_lane()) << 64; // on the round's lane, costing nothing: only the call decides
        op.callData = _moduleCall(call);
        op.signature = abi.encodePacked(address(recovery), _ecdsa(FINALIZER_PK, hash));
        vm.prank(address(account));
        try recovery.validateUserOp(op, hash) returns (uint256 result) {
            assertEq(result, 1, "fails");
        } catch {}
    }

    /// @dev Whatever subset of guardians approves, the request is scheduled exactly when the subset reaches the
    /// threshold, and outsiders never count.
    function testFuzz_threshold(uint8 n, uint8 k, uint16 approvers, address outsider) public {
        n = uint8(bound(n, 1, 16));
        k = uint8(bound(k, 1, n));
        address[] memory g = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            g[i] = address(uint160(0x1000 + i));
        }
        vm.assume(outsider < address(0x1000) || outsider >= address(0x1010));
        vm.assume(outsider != address(account) && outsider != address(0));
        vm.prank(address(account));
        recovery.setGuardians(g, k, DELAY, FEE_CAP);
        uint64 round = _round();
        vm.prank(outsider);
        vm.expectRevert(abi.encodeWithSelector(GuardianRecovery.NotGuardian.selector, outsider));
        recovery.approve(address(account), round, _request());
        uint256 count = 0;
        for (uint256 i = 0; i < n; ++i) {
            if (approvers & (1 << i) == 0) continue;
            vm.prank(g[i]);
            recovery.approve(address(account), round, _request());
            ++count;
        }
        (, uint256 readyAt) =
            recovery.requestApprovals(address(account), recovery.requestHash(address(account), round, _request()));
        assertEq(readyAt != 0 ? 1 : 0, count >= k ? 1 : 0, "scheduled iff k approvals");
    }

    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}
