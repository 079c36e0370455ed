// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC7579ModuleConfig} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {SessionKeyValidator} from "../src/SessionKeyValidator.sol";
import {SessionLib} from "../src/libraries/SessionLib.sol";
import {SsoAccount} from "../src/SsoAccount.sol";
import {MockModule, SessionTestBase, SessionTarget} from "./utils/SessionTestBase.sol";

/// @dev Session lifecycle: creation rules, revocation, status, state, install/uninstall.
contract SessionKeyValidatorTest is SessionTestBase {
    function setUp() public override {
        super.setUp();
        _install();
    }

    function _callSpec() internal view returns (SessionLib.SessionSpec memory) {
        return _withCall(_emptySpec(), _callPolicy(address(target), SessionTarget.set.selector, 0, _unlimited()));
    }

    function _expectCreateRevert(SessionLib.SessionSpec memory spec, bytes memory proof, bytes memory err) internal {
        vm.prank(address(account));
        vm.expectRevert(err);
        skv.createSession(spec, proof);
    }

    function _expectCreateRevert(SessionLib.SessionSpec memory spec, bytes memory err) internal {
        _expectCreateRevert(spec, _proof(SESSION_PK, _hash(spec), address(account)), err);
    }

    // ---- module basics ----

    function test_isModuleType_onlyValidator() public view {
        assertTrue(skv.isModuleType(1), "validator");
        assertTrue(!skv.isModuleType(2) && !skv.isModuleType(3) && !skv.isModuleType(4), "others");
    }

    function test_isValidSignatureWithSender_alwaysInvalid() public {
        _createSession(_callSpec());
        bytes32 hash = keccak256("message");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(SESSION_PK, hash);
        vm.prank(address(account));
        assertTrue(skv.isValidSignatureWithSender(address(this), hash, abi.encodePacked(r, s, v)) == 0xffffffff, "1271");
        bytes memory sig = abi.encodePacked(address(skv), r, s, v);
        assertTrue(account.isValidSignature(hash, sig) == 0xffffffff, "through account");
    }

    // ---- createSession ----

    function test_createSession_activatesSessionAndEmitsSessionCreated() public {
        SessionLib.SessionSpec memory spec = _callSpec();
        bytes32 h = _hash(spec);
        bytes memory proof = _proof(SESSION_PK, h, address(account));
        vm.expectEmit(address(skv));
        emit SessionKeyValidator.SessionCreated(address(account), h, spec);
        vm.prank(address(account));
        skv.createSession(spec, proof);
        assertTrue(skv.sessionStatus(address(account), h) == SessionLib.Status.Active, "active");
        assertTrue(skv.signerUsed(signer), "signer used");
    }

    function test_createSession_viaAccountExecute() public {
        SessionLib.SessionSpec memory spec = _callSpec();
        bytes32 h = _hash(spec);
        bytes memory call =
            abi.encodeCall(SessionKeyValidator.createSession, (spec, _proof(SESSION_PK, h, address(account))));
        vm.prank(ENTRY_POINT);
        account.execute(MODE_SINGLE, abi.encodePacked(address(skv), uint256(0), call));
        assertTrue(skv.sessionStatus(address(account), h) == SessionLib.Status.Active, "active");
    }

    function test_createSession_revertsWhenModuleNotInstalled() public {
        vm.prank(ENTRY_POINT);
        account.uninstallModule(1, address(skv), "");
        _expectCreateRevert(_callSpec(), abi.encodeWithSelector(SessionKeyValidator.ValidatorNotInstalled.selector));
        // Not an account at all.
        SessionLib.SessionSpec memory spec = _callSpec();
        bytes memory proof = _proof(SESSION_PK, _hash(spec), address(this));
        vm.expectRevert(SessionKeyValidator.ValidatorNotInstalled.selector);
        skv.createSession(spec, proof);
    }

    function test_createSession_revertsWhenCallPolicyTargetsAccount() public {
        SessionLib.SessionSpec memory spec =
            _withCall(_callSpec(), _callPolicy(address(account), SessionTarget.set.selector, 0, _unlimited()));
        _expectCreateRevert(spec, abi.encodeWithSelector(SessionKeyValidator.CallPolicyTargetsAccount.selector, 1));
    }

    /// @dev The account executes target 0 as itself (`execute` and OZ's batch execution), so a policy for target
    /// 0 would let the session call the account (installModule, ...).
    function test_createSession_revertsWhenCallPolicyTargetsZero() public {
        SessionLib.SessionSpec memory spec =
            _withCall(_callSpec(), _callPolicy(address(0), SessionTarget.set.selector, 0, _unlimited()));
        _expectCreateRevert(spec, abi.encodeWithSelector(SessionKeyValidator.CallPolicyTargetsAccount.selector, 1));
        spec = _withCall(
            _emptySpec(), _callPolicy(address(0), IERC7579ModuleConfig.installModule.selector, 0, _unlimited())
        );
        _expectCreateRevert(spec, abi.encodeWithSelector(SessionKeyValidator.CallPolicyTargetsAccount.selector, 0));
    }

    /// @dev Target 0 used to be caught only by accident (`isModuleInstalled(3, address(0), selector)` is true for a
    /// selector without a fallback handler); with a handler installed for the selector it must still be refused.
    function test_createSession_revertsWhenCallPolicyTargetsZeroForSelectorWithFallbackHandler() public {
        MockModule handler = new MockModule();
        vm.prank(ENTRY_POINT);
        account.installModule(3, address(handler), abi.encodePacked(bytes4(0xaabbccdd)));
        SessionLib.SessionSpec memory spec =
            _withCall(_emptySpec(), _callPolicy(address(0), bytes4(0xaabbccdd), 0, _unlimited()));
        _expectCreateRevert(spec, abi.encodeWithSelector(SessionKeyValidator.CallPolicyTargetsAccount.selector, 0));
    }

    function test_onInstall_revertsWhenCallPolicyTargetsZero() public {
        vm.prank(ENTRY_POINT);
        account.uninstallModule(1, address(skv), "");
        SessionLib.SessionSpec[] memory specs = new SessionLib.SessionSpec[](1);
        specs[0] = _withCall(_emptySpec(), _callPolicy(address(0), SessionTarget.set.selector, 0, _unlimited()));
        bytes[] memory proofs = new bytes[](1);
        proofs[0] = _proof(SESSION_PK, _hash(specs[0]), address(account));
        vm.prank(ENTRY_POINT);
        vm.expectRevert(abi.encodeWithSelector(SessionKeyValidator.CallPolicyTargetsAccount.selector, 0));
        account.installModule(1, address(skv), abi.encode(specs, proofs));
    }

    function test_createSession_revertsWhenCallPolicyTargetsValidator() public {
        SessionLib.SessionSpec memory spec =
            _withCall(_emptySpec(), _callPolicy(address(skv), SessionKeyValidator.revokeKey.selector, 0, _unlimited()));
        _expectCreateRevert(spec, abi.encodeWithSelector(SessionKeyValidator.CallPolicyTargetsValidator.selector, 0));
    }

    function test_createSession_revertsWhenCallPolicyTargetsInstalledValidator() public {
        SessionLib.SessionSpec memory spec =
            _withCall(_emptySpec(), _callPolicy(address(webAuthn), bytes4(0x12345678), 0, _unlimited()));
        _expectCreateRevert(
            spec, abi.encodeWithSelector(SessionKeyValidator.CallPolicyTargetsModule.selector, 0, address(webAuthn))
        );
    }

    function test_createSession_revertsWhenCallPolicyTargetsInstalledExecutor() public {
        MockModule executor = new MockModule();
        vm.prank(ENTRY_POINT);
        account.installModule(2, address(executor), "");
        SessionLib.SessionSpec memory spec =
            _withCall(_emptySpec(), _callPolicy(address(executor), bytes4(0x12345678), 0, _unlimited()));
        _expectCreateRevert(
            spec, abi.encodeWithSelector(SessionKeyValidator.CallPolicyTargetsModule.selector, 0, address(executor))
        );
    }

    function test_createSession_revertsWhenCallPolicyTargetsFallbackHandlerOfItsSelector() public {
        MockModule handler = new MockModule();
        vm.prank(ENTRY_POINT);
        account.installModule(3, address(handler), abi.encodePacked(bytes4(0xaabbccdd)));
        SessionLib.SessionSpec memory spec =
            _withCall(_emptySpec(), _callPolicy(address(handler), bytes4(0xaabbccdd), 0, _unlimited()));
        _expectCreateRevert(
            spec, abi.encodeWithSelector(SessionKeyValidator.CallPolicyTargetsModule.selector, 0, address(handler))
        );
    }

    function test_createSession_revertsWhenSignerIsZero() public {
        SessionLib.SessionSpec memory spec = _callSpec();
        spec.signer = address(0);
        _expectCreateRevert(spec, hex"", abi.encodeWithSelector(SessionKeyValidator.ZeroSigner.selector));
    }

    function test_createSession_revertsWhenSignerAlreadyUsedByAnotherAccount() public {
        // The same signer on a second account, with a different spec.
        SessionLib.SessionSpec memory spec = _callSpec();
        _createSession(spec);
        address other = factory.createAccount(keccak256("other"), CRED_ID, publicKey(PASSKEY_PK), ORIGIN);
        vm.prank(ENTRY_POINT);
        SsoAccount(payable(other)).installModule(1, address(skv), "");
        spec.expiresAt += 1;
        bytes memory proof = _proof(SESSION_PK, _hash(spec), other);
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(SessionKeyValidator.SignerAlreadyUsed.selector, signer));
        skv.createSession(spec, proof);
        // Same account, different spec, same signer.
        _expectCreateRevert(spec, abi.encodeWithSelector(SessionKeyValidator.SignerAlreadyUsed.selector, signer));
    }

    function test_createSession_revertsWhenFeeLimitUnlimited() public {
        SessionLib.SessionSpec memory spec = _callSpec();
        spec.feeLimit = _unlimited();
        _expectCreateRevert(spec, abi.encodeWithSelector(SessionKeyValidator.UnlimitedFees.selector));
    }

    function test_createSession_revertsWhenSessionAlreadyExists() public {
        SessionLib.SessionSpec memory spec = _callSpec();
        bytes32 h = _createSession(spec);
        _expectCreateRevert(spec, abi.encodeWithSelector(SessionKeyValidator.SessionAlreadyExists.selector, h));
        // Also once closed: a revoked session can never come back.
        vm.prank(address(account));
        skv.revokeKey(h);
        _expectCreateRevert(spec, abi.encodeWithSelector(SessionKeyValidator.SessionAlreadyExists.selector, h));
    }

    function test_createSession_revertsWhenExpiringInLessThan60Seconds() public {
        vm.warp(1_000_000);
        SessionLib.SessionSpec memory spec = _callSpec();
        spec.expiresAt = uint48(block.timestamp + 59);
        _expectCreateRevert(
            spec,
            abi.encodeWithSelector(
                SessionKeyValidator.SessionExpiresTooSoon.selector, spec.expiresAt, block.timestamp + 60
            )
        );
        spec.expiresAt = uint48(block.timestamp + 60);
        _createSession(spec);
    }

    function test_createSession_revertsOnBadProof() public {
        SessionLib.SessionSpec memory spec = _callSpec();
        bytes32 h = _hash(spec);
        bytes memory err = abi.encodeWithSelector(SessionKeyValidator.InvalidSessionProof.selector);
        _expectCreateRevert(spec, _proof(0xbad, h, address(account)), err); // wrong key
        _expectCreateRevert(spec, _proof(SESSION_PK, h, address(0xdead)), err); // other account
        _expectCreateRevert(spec, _proof(SESSION_PK, keccak256("x"), address(account)), err); // other session
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(SESSION_PK, keccak256(abi.encode(h, address(account))));
        _expectCreateRevert(spec, abi.encodePacked(r, s), err); // 64 bytes
        _expectCreateRevert(spec, abi.encodePacked(r, s, v, uint8(0)), err); // 66 bytes
        _expectCreateRevert(spec, hex"", err);
    }

    function test_createSession_nonCanonicalSpecEncodingUsesCanonicalHash() public {
        SessionLib.SessionSpec memory spec = _withTransfer(_callSpec(), address(0xD00D), 1, _lifetime(1));
        bytes32 h = _hash(spec);
        bytes memory tuple = _slice(abi.encode(spec), 32, abi.encode(spec).length); // spec tuple encoding
        // Insert a zero word before the transferPolicies tail and shift its head offset: same decoded value.
        uint256 transfersOffset = uint256(bytes32(_slice(tuple, 192, 224)));
        bytes memory gapped = bytes.concat(
            _slice(tuple, 0, 192),
            bytes32(transfersOffset + 32),
            _slice(tuple, 224, transfersOffset),
            bytes32(0),
            _slice(tuple, transfersOffset, tuple.length)
        );
        bytes memory proofEncoding = abi.encode(_proof(SESSION_PK, h, address(account)));
        bytes memory callData = bytes.concat(
            SessionKeyValidator.createSession.selector,
            bytes32(uint256(64)),
            bytes32(64 + gapped.length),
            gapped,
            _slice(proofEncoding, 32, proofEncoding.length)
        );
        vm.expectEmit(address(skv));
        emit SessionKeyValidator.SessionCreated(address(account), h, spec);
        vm.prank(address(account));
        (bool ok,) = address(skv).call(callData);
        assertTrue(ok, "created");
        assertTrue(skv.sessionStatus(address(account), h) == SessionLib.Status.Active, "canonical hash");
    }

    function test_createSession_nonCanonicalSpecEncodingStillChecksPeriods() public {
        SessionLib.SessionSpec memory spec = _withTransfer(_callSpec(), address(0xD00D), 1, _allowance(1, 0));
        bytes memory tuple = _slice(abi.encode(spec), 32, abi.encode(spec).length);
        // Trailing word after the spec's tail: the spec is still well-formed but not followed by `proof` directly.
        bytes memory proofEncoding = abi.encode(_proof(SESSION_PK, _hash(spec), address(account)));
        bytes memory callData = bytes.concat(
            SessionKeyValidator.createSession.selector,
            bytes32(uint256(64)),
            bytes32(64 + tuple.length + 32),
            tuple,
            bytes32(0),
            _slice(proofEncoding, 32, proofEncoding.length)
        );
        // Canonical bytes with a gap after them are still copied as is; a shifted head offset is not.
        uint256 transfersOffset = uint256(bytes32(_slice(tuple, 192, 224)));
        bytes memory gapped = bytes.concat(
            _slice(tuple, 0, 192),
            bytes32(transfersOffset + 32),
            _slice(tuple, 224, transfersOffset),
            bytes32(0),
            _slice(tuple, transfersOffset, tuple.length)
        );
        bytes memory gappedCall = bytes.concat(
            SessionKeyValidator.createSession.selector,
            bytes32(uint256(64)),
            bytes32(64 + gapped.length),
            gapped,
            _slice(proofEncoding, 32, proofEncoding.length)
        );
        bytes memory err = abi.encodeWithSelector(SessionKeyValidator.ZeroAllowancePeriod.selector);
        vm.prank(address(account));
        (bool ok, bytes memory ret) = address(skv).call(callData);
        assertTrue(!ok && keccak256(ret) == keccak256(err), "canonical path");
        vm.prank(address(account));
        (ok, ret) = address(skv).call(gappedCall);
        assertTrue(!ok && keccak256(ret) == keccak256(err), "re-encoding path");
    }

    function test_createSession_revertsOnDirtySpecEncoding() public {
        SessionLib.SessionSpec memory spec = _callSpec();
        bytes memory tuple = _slice(abi.encode(spec), 32, abi.encode(spec).length);
        bytes memory proofEncoding = abi.encode(_proof(SESSION_PK, _hash(spec), address(account)));
        uint256[3] memory dirtyWords = [uint256(0), 1, 2]; // signer, expiresAt, fee limit type
        for (uint256 k = 0; k < dirtyWords.length; ++k) {
            bytes memory dirty = bytes.concat(tuple);
            dirty[32 * dirtyWords[k]] = 0x01; // set a high bit outside the value type's range
            bytes memory callData = bytes.concat(
                SessionKeyValidator.createSession.selector,
                bytes32(uint256(64)),
                bytes32(64 + dirty.length),
                dirty,
                _slice(proofEncoding, 32, proofEncoding.length)
            );
            vm.prank(address(account));
            (bool ok,) = address(skv).call(callData);
            assertTrue(!ok, "dirty spec rejected");
        }
        assertTrue(skv.sessionStatus(address(account), _hash(spec)) == SessionLib.Status.NotInitialized, "none");
    }

    function _slice(bytes memory data, uint256 start, uint256 end) internal pure returns (bytes memory out) {
        out = new bytes(end - start);
        for (uint256 i = start; i < end; ++i) {
            out[i - start] = data[i];
        }
    }

    function test_createSession_revertsOnZeroAllowancePeriod() public {
        bytes memory err = abi.encodeWithSelector(SessionKeyValidator.ZeroAllowancePeriod.selector);
        SessionLib.SessionSpec memory spec = _callSpec();
        spec.feeLimit = _allowance(1 ether, 0);
        _expectCreateRevert(spec, err);

        spec = _withTransfer(_emptySpec(), address(0xD00D), 1, _allowance(1, 0));
        _expectCreateRevert(spec, err);

        spec = _withCall(_emptySpec(), _callPolicy(address(target), SessionTarget.set.selector, 1, _allowance(1, 0)));
        _expectCreateRevert(spec, err);

        SessionLib.CallSpec memory policy = _callPolicy(address(target), SessionTarget.set.selector, 0, _unlimited());
        SessionLib.Constraint memory c = _constraint(SessionLib.Condition.Unconstrained, 0, 0);
        c.limit = _allowance(5, 0);
        spec = _withCall(_emptySpec(), _withConstraint(policy, c));
        _expectCreateRevert(spec, err);
    }

    // ---- install / uninstall ----

    function test_onInstall_createsInitialSessions() public {
        vm.prank(ENTRY_POINT);
        account.uninstallModule(1, address(skv), "");
        SessionLib.SessionSpec[] memory specs = new SessionLib.SessionSpec[](1);
        specs[0] = _callSpec();
        bytes[] memory proofs = new bytes[](1);
        proofs[0] = _proof(SESSION_PK, _hash(specs[0]), address(account));
        vm.expectEmit(address(skv));
        emit SessionKeyValidator.SessionCreated(address(account), _hash(specs[0]), specs[0]);
        vm.prank(ENTRY_POINT);
        account.installModule(1, address(skv), abi.encode(specs, proofs));
        assertTrue(skv.sessionStatus(address(account), _hash(specs[0])) == SessionLib.Status.Active, "active");
    }

    function test_onUninstall_revokesListedSessionsAndSkipsOthers() public {
        bytes32 h = _createSession(_callSpec());
        bytes32[] memory hashes = new bytes32[](2);
        hashes[0] = keccak256("never created");
        hashes[1] = h;
        vm.expectEmit(address(skv));
        emit SessionKeyValidator.SessionRevoked(address(account), h);
        vm.prank(ENTRY_POINT);
        account.uninstallModule(1, address(skv), abi.encode(hashes));
        assertTrue(skv.sessionStatus(address(account), h) == SessionLib.Status.Closed, "closed");
        assertTrue(skv.sessionStatus(address(account), hashes[0]) == SessionLib.Status.NotInitialized, "untouched");
    }

    function test_onUninstall_emptyDataKeepsSessions() public {
        bytes32 h = _createSession(_callSpec());
        vm.prank(ENTRY_POINT);
        account.uninstallModule(1, address(skv), "");
        assertTrue(skv.sessionStatus(address(account), h) == SessionLib.Status.Active, "still active (inert)");
    }

    // ---- revoke ----

    function test_revokeKey_closesSessionForeverAndEmits() public {
        bytes32 h = _createSession(_callSpec());
        vm.expectEmit(address(skv));
        emit SessionKeyValidator.SessionRevoked(address(account), h);
        vm.prank(address(account));
        skv.revokeKey(h);
        assertTrue(skv.sessionStatus(address(account), h) == SessionLib.Status.Closed, "closed");
    }

    function test_revokeKey_revertsWhenNotActive() public {
        bytes32 h = _hash(_callSpec());
        vm.prank(address(account));
        vm.expectRevert(abi.encodeWithSelector(SessionKeyValidator.SessionNotActive.selector, h));
        skv.revokeKey(h);
        _createSession(_callSpec());
        vm.prank(address(account));
        skv.revokeKey(h);
        vm.prank(address(account));
        vm.expectRevert(abi.encodeWithSelector(SessionKeyValidator.SessionNotActive.selector, h));
        skv.revokeKey(h);
    }

    function test_revokeKey_onlyAffectsCallerAccount() public {
        bytes32 h = _createSession(_callSpec());
        vm.expectRevert(abi.encodeWithSelector(SessionKeyValidator.SessionNotActive.selector, h));
        skv.revokeKey(h); // msg.sender is not the account
        assertTrue(skv.sessionStatus(address(account), h) == SessionLib.Status.Active, "still active");
    }

    function test_revokeKeys_closesAllListed() public {
        bytes32 h1 = _createSession(_callSpec());
        SessionLib.SessionSpec memory spec2 = _callSpec();
        spec2.signer = vm.addr(0x5e5511);
        bytes32 h2 = _createSession(spec2, 0x5e5511);
        bytes32[] memory hashes = new bytes32[](2);
        hashes[0] = h1;
        hashes[1] = h2;
        vm.prank(address(account));
        skv.revokeKeys(hashes);
        assertTrue(skv.sessionStatus(address(account), h1) == SessionLib.Status.Closed, "h1");
        assertTrue(skv.sessionStatus(address(account), h2) == SessionLib.Status.Closed, "h2");
    }

    function test_revokeKeys_revertsOnDuplicate() public {
        bytes32 h = _createSession(_callSpec());
        bytes32[] memory hashes = new bytes32[](2);
        hashes[0] = h;
        hashes[1] = h;
        vm.prank(address(account));
        vm.expectRevert(abi.encodeWithSelector(SessionKeyValidator.SessionNotActive.selector, h));
        skv.revokeKeys(hashes);
    }

    // ---- status / state ----

    function test_sessionStatus_isPerAccount() public {
        bytes32 h = _createSession(_callSpec());
        assertTrue(skv.sessionStatus(address(account), h) == SessionLib.Status.Active, "account");
        assertTrue(skv.sessionStatus(address(0xdead), h) == SessionLib.Status.NotInitialized, "other account");
    }

    function test_sessionState_reportsRemainingLimits() public {
        vm.warp(10_000);
        SessionLib.SessionSpec memory spec = _emptySpec();
        spec.feeLimit = _allowance(10 * OP_COST, 1 hours);
        spec = _withTransfer(spec, address(0xD00D), 1 ether, _lifetime(3 ether));
        SessionLib.CallSpec memory policy =
            _callPolicy(address(target), SessionTarget.setTwo.selector, 1 ether, _unlimited());
        SessionLib.Constraint memory c0 = _constraint(SessionLib.Condition.LessOrEqual, 0, bytes32(uint256(100)));
        c0.limit = _lifetime(250);
        policy = _withConstraint(policy, c0);
        policy = _withConstraint(policy, _constraint(SessionLib.Condition.Unconstrained, 1, 0));
        spec = _withCall(spec, policy);
        bytes32 h = _createSession(spec);

        uint48 period = uint48(block.timestamp / 1 hours);
        assertEq(
            _validate(_op(_single(address(0xD00D), 0.4 ether, "")), spec, _periods(period, 0)),
            _vd(uint256(period) * 1 hours, uint256(period + 1) * 1 hours - 1),
            "transfer"
        );
        uint48[] memory ids = new uint48[](4);
        ids[0] = period;
        assertEq(
            _validate(_op(_single(address(target), 0, abi.encodeCall(SessionTarget.setTwo, (60, 7)))), spec, ids),
            _vd(uint256(period) * 1 hours, uint256(period + 1) * 1 hours - 1),
            "call"
        );

        SessionLib.SessionState memory state = skv.sessionState(address(account), spec);
        assertTrue(state.status == SessionLib.Status.Active, "status");
        assertEq(state.feesRemaining, 8 * OP_COST, "fees");
        assertEq(state.transferValue.length, 1, "transfer entries");
        assertEq(state.transferValue[0].remaining, 2.6 ether, "transfer remaining");
        assertEq(state.transferValue[0].target, address(0xD00D), "transfer target");
        assertEq(state.callValue.length, 1, "call entries");
        assertEq(state.callValue[0].remaining, type(uint256).max, "unlimited call value");
        assertTrue(state.callValue[0].selector == SessionTarget.setTwo.selector, "selector");
        assertEq(state.callParams.length, 2, "param entries");
        assertEq(state.callParams[0].remaining, 190, "param 0 remaining");
        assertEq(state.callParams[1].remaining, type(uint256).max, "param 1 unlimited");
        assertEq(state.callParams[1].index, 1, "param 1 index");
        assertEq(state.callParams[0].target, address(target), "param target");

        // The fee allowance is per period: next period, full budget again.
        vm.warp((uint256(period) + 1) * 1 hours);
        assertEq(skv.sessionState(address(account), spec).feesRemaining, 10 * OP_COST, "fees next period");

        vm.prank(address(account));
        skv.revokeKey(h);
        assertTrue(skv.sessionState(address(account), spec).status == SessionLib.Status.Closed, "closed");
    }
}
