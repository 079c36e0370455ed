// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {Execution} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SessionLib} from "../src/libraries/SessionLib.sol";
import {SessionTestBase, SessionTarget} from "./utils/SessionTestBase.sol";

/// @dev `validateUserOp` rules, called directly as the account (unit level).
contract SessionKeyValidatorValidationTest is SessionTestBase {
    uint256 internal constant FAIL = 1;
    address internal constant RECIPIENT = address(0xD00D);

    SessionLib.SessionSpec internal spec;
    uint48 internal expiresAt;

    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
        _install();
        // One transfer policy, one call policy (set) and one ERC-20 transfer policy with a recipient constraint.
        SessionLib.SessionSpec memory s = _emptySpec();
        s = _withTransfer(s, RECIPIENT, 1 ether, _lifetime(2 ether));
        s = _withCall(s, _callPolicy(address(target), SessionTarget.set.selector, 0.5 ether, _lifetime(1 ether)));
        SessionLib.CallSpec memory erc20 = _callPolicy(address(token), IERC20.transfer.selector, 0, _unlimited());
        erc20 = _withConstraint(erc20, _constraint(SessionLib.Condition.Equal, 0, bytes32(uint256(uint160(RECIPIENT)))));
        SessionLib.Constraint memory amount = _constraint(SessionLib.Condition.LessOrEqual, 1, bytes32(uint256(100)));
        amount.limit = _lifetime(250);
        erc20 = _withConstraint(erc20, amount);
        s = _withCall(s, erc20);
        _store(s);
        _createSession(s);
        expiresAt = s.expiresAt;
    }

    /// @dev Copies a memory spec into storage (nested arrays need element-wise copies).
    function _store(SessionLib.SessionSpec memory s) internal {
        delete spec;
        spec.signer = s.signer;
        spec.expiresAt = s.expiresAt;
        spec.feeLimit = s.feeLimit;
        for (uint256 i = 0; i < s.transferPolicies.length; ++i) {
            spec.transferPolicies.push(s.transferPolicies[i]);
        }
        for (uint256 i = 0; i < s.callPolicies.length; ++i) {
            SessionLib.CallSpec storage p = spec.callPolicies.push();
            p.target = s.callPolicies[i].target;
            p.selector = s.callPolicies[i].selector;
            p.maxValuePerUse = s.callPolicies[i].maxValuePerUse;
            p.valueLimit = s.callPolicies[i].valueLimit;
            for (uint256 j = 0; j < s.callPolicies[i].constraints.length; ++j) {
                p.constraints.push(s.callPolicies[i].constraints[j]);
            }
        }
    }

    function _ok() internal view returns (uint256) {
        return _vd(0, expiresAt);
    }

    function _erc20(address to, uint256 amount) internal view returns (bytes memory) {
        return _single(address(token), 0, abi.encodeCall(IERC20.transfer, (to, amount)));
    }

    function _check(bytes memory callData, uint48[] memory ids) internal returns (uint256) {
        return _validate(_op(callData), spec, ids);
    }

    // ---- allowed ----

    function test_validate_allowsSingleCall() public {
        assertEq(
            _check(_single(address(target), 0.1 ether, abi.encodeCall(SessionTarget.set, (1))), _periods(2)),
            _ok(),
            "call"
        );
    }

    function test_validate_allowsTransferPolicy() public {
        assertEq(_check(_single(RECIPIENT, 1 ether, ""), _periods(2)), _ok(), "transfer");
    }

    function test_validate_allowsErc20TransferWithConstraints() public {
        assertEq(_check(_erc20(RECIPIENT, 100), _periods(4)), _ok(), "erc20");
    }

    function test_validate_allowsBatchOfThreeCalls() public {
        Execution[] memory calls = new Execution[](3);
        calls[0] = Execution(address(target), 0.1 ether, abi.encodeCall(SessionTarget.set, (1)));
        calls[1] = Execution(RECIPIENT, 0.5 ether, "");
        calls[2] = Execution(address(token), 0, abi.encodeCall(IERC20.transfer, (RECIPIENT, 50)));
        // fee, [value], [value], [value, c0, c1]
        assertEq(_check(_batch(calls), _periods(6)), _ok(), "batch");
    }

    function test_validate_batchChargesEveryExecution() public {
        Execution[] memory two = new Execution[](2);
        two[0] = Execution(RECIPIENT, 0.75 ether, "");
        two[1] = two[0];
        assertEq(_check(_batch(two), _periods(3)), _ok(), "2 x 0.75 fits the 2 ether lifetime");
        Execution[] memory three = new Execution[](3);
        for (uint256 i = 0; i < 3; ++i) {
            three[i] = Execution(RECIPIENT, 0.2 ether, "");
        }
        assertEq(_check(_batch(three), _periods(4)), FAIL, "1.5 + 3 x 0.2 > 2");
    }

    function test_validate_batchRejectsOneDisallowedCall() public {
        Execution[] memory calls = new Execution[](2);
        calls[0] = Execution(RECIPIENT, 0.1 ether, "");
        calls[1] = Execution(address(0xBAD), 0.1 ether, "");
        assertEq(_check(_batch(calls), _periods(3)), FAIL, "second call has no policy");
    }

    function test_validate_emptyBatchOnlyChargesFee() public {
        assertEq(_check(_batch(new Execution[](0)), _periods(1)), _ok(), "empty batch");
    }

    // ---- signature / session ----

    function test_validate_rejectsWrongSigner() public {
        assertEq(_validate(_op(_single(RECIPIENT, 1, "")), 0xbad, spec, _periods(2)), FAIL, "wrong key");
    }

    function test_validate_rejectsMalformedSignatureWithoutReverting() public {
        PackedUserOperation memory op = _op(_single(RECIPIENT, 1, ""));
        bytes32 h = _opHash(op);
        bytes[] memory bad = new bytes[](5);
        bad[0] = hex"01";
        bad[1] = abi.encodePacked(address(skv));
        bad[2] = abi.encodePacked(address(skv), hex"deadbeef");
        bad[3] = abi.encodePacked(address(skv), abi.encode(uint256(1 << 200), uint256(0), uint256(0)));
        (, bytes32 r, bytes32 s) = vm.sign(SESSION_PK, h);
        bad[4] = abi.encodePacked(address(skv), abi.encode(abi.encodePacked(r, s), spec, _periods(2))); // 64-byte sig
        for (uint256 i = 0; i < bad.length; ++i) {
            op.signature = bad[i];
            vm.prank(address(account));
            assertEq(skv.validateUserOp(op, h), FAIL, "malformed");
        }
    }

    function test_validate_rejectsNonCanonicalSpecEncoding() public {
        PackedUserOperation memory op = _op(_single(RECIPIENT, 1, ""));
        bytes32 h = _opHash(op);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(SESSION_PK, h);
        bytes memory data = abi.encode(abi.encodePacked(r, s, v), spec, _periods(2));
        // Move periodIds 32 bytes further (junk word between spec and periodIds): the spec still decodes the
        // same, but its bytes are no longer exactly the canonical encoding.
        uint256 o2;
        assembly ("memory-safe") {
            o2 := mload(add(data, 96))
        }
        bytes memory tail = new bytes(data.length - o2);
        for (uint256 i = 0; i < tail.length; ++i) {
            tail[i] = data[o2 + i];
        }
        bytes memory head = new bytes(o2);
        for (uint256 i = 0; i < o2; ++i) {
            head[i] = data[i];
        }
        assembly ("memory-safe") {
            mstore(add(head, 96), add(o2, 32))
        }
        op.signature = abi.encodePacked(address(skv), head, bytes32(0), tail);
        vm.prank(address(account));
        assertEq(skv.validateUserOp(op, h), FAIL, "junk between spec and periodIds");
        // Sanity: the canonical encoding is accepted.
        op.signature = abi.encodePacked(address(skv), data);
        vm.prank(address(account));
        assertEq(skv.validateUserOp(op, h), _ok(), "canonical");
    }

    function test_validate_rejectsSignatureOverOtherHash() public {
        PackedUserOperation memory op = _op(_single(RECIPIENT, 1, ""));
        op.signature = _sessionSignature(SESSION_PK, keccak256("other"), spec, _periods(2));
        vm.prank(address(account));
        assertEq(skv.validateUserOp(op, _opHash(op)), FAIL, "other hash");
    }

    function test_validate_rejectsWrongNonceKey() public {
        PackedUserOperation memory op = _op(_single(RECIPIENT, 1, ""));
        op.nonce = 0; // the passkey lane
        assertEq(_validate(op, spec, _periods(2)), FAIL, "key 0");
        op.nonce = (uint256(uint160(signer)) + 1) << 64;
        assertEq(_validate(op, spec, _periods(2)), FAIL, "other key");
        op.nonce = (uint256(uint160(signer)) << 64) | 7; // sequence is irrelevant
        assertEq(_validate(op, spec, _periods(2)), _ok(), "own key");
    }

    function test_validate_rejectsSessionNotActive() public {
        SessionLib.SessionSpec memory other = spec;
        other.expiresAt += 1; // a spec that was never created (same signer)
        assertEq(_validate(_op(_single(RECIPIENT, 1, "")), other, _periods(2)), FAIL, "unknown session");
        // Another account with the same (created) spec.
        PackedUserOperation memory op = _op(_single(RECIPIENT, 1, ""));
        op.sender = address(0xdead);
        assertEq(_validate(op, spec, _periods(2)), FAIL, "other account");
    }

    function test_validate_rejectsRevokedSession() public {
        vm.prank(address(account));
        skv.revokeKey(_hash(spec));
        assertEq(_check(_single(RECIPIENT, 1, ""), _periods(2)), FAIL, "revoked");
    }

    function test_validate_returnsExpiryAsValidUntil() public {
        vm.warp(uint256(expiresAt) + 1000); // no timestamp opcode: expiry is left to the EntryPoint
        uint256 vd = _check(_single(RECIPIENT, 1, ""), _periods(2));
        assertEq(vd, _vd(0, expiresAt), "validUntil = expiresAt");
        assertEq(vd & type(uint160).max, 0, "not a signature failure");
    }

    // ---- policies ----

    function test_validate_rejectsNoMatchingCallPolicy() public {
        assertEq(_check(_single(address(0xBAD), 0, abi.encodeCall(SessionTarget.set, (1))), _periods(2)), FAIL, "t");
        assertEq(
            _check(_single(address(target), 0, abi.encodeCall(SessionTarget.setTwo, (1, 2))), _periods(2)),
            FAIL,
            "selector"
        );
    }

    function test_validate_rejectsNoMatchingTransferPolicy() public {
        assertEq(_check(_single(address(0xBAD), 1, ""), _periods(2)), FAIL, "transfer target");
        // A call policy target does not allow plain transfers.
        assertEq(_check(_single(address(target), 1, ""), _periods(2)), FAIL, "call target");
    }

    function test_validate_rejectsValueAboveMaxValuePerUse() public {
        assertEq(_check(_single(RECIPIENT, 1 ether + 1, ""), _periods(2)), FAIL, "transfer");
        assertEq(
            _check(_single(address(target), 0.5 ether + 1, abi.encodeCall(SessionTarget.set, (1))), _periods(2)),
            FAIL,
            "call"
        );
        assertEq(
            _check(_single(address(token), 1, abi.encodeCall(IERC20.transfer, (RECIPIENT, 1))), _periods(4)),
            FAIL,
            "0 max"
        );
    }

    function test_validate_rejectsLifetimeLimitExceeded() public {
        assertEq(_check(_single(RECIPIENT, 1 ether, ""), _periods(2)), _ok(), "1");
        assertEq(_check(_single(RECIPIENT, 0.6 ether, ""), _periods(2)), _ok(), "1.6");
        assertEq(_check(_single(RECIPIENT, 0.5 ether, ""), _periods(2)), FAIL, "2.1 > 2");
        assertEq(_check(_single(RECIPIENT, 0.4 ether, ""), _periods(2)), _ok(), "exactly 2");
        assertEq(_check(_single(RECIPIENT, 1, ""), _periods(2)), FAIL, "over by 1 wei");
        assertEq(_check(_single(RECIPIENT, 0, ""), _periods(2)), _ok(), "zero still fine");
    }

    /// @dev Transfer policy 0's Lifetime value counter lives in the session's state word next to the fee counter;
    /// transfer policy 1's uses its own slot: all three are independent, survive revocation and are reported by
    /// `sessionState`.
    function test_validate_transferPolicy0CounterSharesStateWord() public {
        uint256 pk = 0x7a1;
        signer = vm.addr(pk);
        address other = address(0xD11D);
        SessionLib.SessionSpec memory s = _withTransfer(_emptySpec(), RECIPIENT, 2 ether, _lifetime(2 ether));
        s = _withTransfer(s, other, 1 ether, _lifetime(1 ether));
        bytes32 h = _createSession(s, pk);
        uint256 ok = _vd(0, s.expiresAt);

        assertEq(_validate(_op(_single(RECIPIENT, 1.5 ether, "")), pk, s, _periods(2)), ok, "policy 0: 1.5");
        assertEq(_validate(_op(_single(other, 0.75 ether, "")), pk, s, _periods(2)), ok, "policy 1: 0.75");
        SessionLib.SessionState memory state = skv.sessionState(address(account), s);
        assertEq(state.transferValue[0].remaining, 0.5 ether, "policy 0 remaining");
        assertEq(state.transferValue[1].remaining, 0.25 ether, "policy 1 remaining");
        assertEq(state.feesRemaining, 1 ether - 2 * OP_COST, "fees remaining");

        // Two transfers of policy 0 in one batch are charged one after the other.
        Execution[] memory two = new Execution[](2);
        two[0] = Execution(RECIPIENT, 0.25 ether, "");
        two[1] = two[0];
        assertEq(_validate(_op(_batch(two)), pk, s, _periods(3)), ok, "2 x 0.25 fits");
        assertEq(_validate(_op(_single(RECIPIENT, 1, "")), pk, s, _periods(2)), FAIL, "policy 0 exhausted");
        assertEq(_validate(_op(_single(other, 0.25 ether + 1, "")), pk, s, _periods(2)), FAIL, "policy 1 over");
        assertEq(_validate(_op(_single(other, 0.25 ether, "")), pk, s, _periods(2)), ok, "policy 1 exactly");
        two[1] = Execution(RECIPIENT, 1, "");
        two[0] = Execution(other, 0, "");
        assertEq(_validate(_op(_batch(two)), pk, s, _periods(3)), FAIL, "a failing batch charges nothing");
        state = skv.sessionState(address(account), s);
        assertEq(state.transferValue[0].remaining, 0, "policy 0 used up");
        assertEq(state.transferValue[1].remaining, 0, "policy 1 used up");
        assertEq(state.feesRemaining, 1 ether - 4 * OP_COST, "fees of the accepted ops only");

        vm.prank(address(account));
        skv.revokeKey(h);
        state = skv.sessionState(address(account), s);
        assertTrue(state.status == SessionLib.Status.Closed, "closed");
        assertEq(state.transferValue[0].remaining, 0, "value counter kept");
        assertEq(state.feesRemaining, 1 ether - 4 * OP_COST, "fee counter kept");
    }

    /// @dev The state-word value counter of transfer policy 0 holds at most `2^120 - 1` wei in total: a larger
    /// Lifetime limit is capped there (which only refuses more), without touching the fee counter or the status.
    function test_validate_transferPolicy0LifetimeValueCappedAt2Pow120() public {
        uint256 pk = 0x7a2;
        signer = vm.addr(pk);
        uint256 cap = (uint256(1) << 120) - 1;
        SessionLib.SessionSpec memory s =
            _withTransfer(_emptySpec(), RECIPIENT, type(uint256).max, _lifetime(type(uint256).max));
        _createSession(s, pk);
        uint256 ok = _vd(0, s.expiresAt);
        assertEq(skv.sessionState(address(account), s).transferValue[0].remaining, cap, "capped");
        assertEq(_validate(_op(_single(RECIPIENT, cap + 1, "")), pk, s, _periods(2)), FAIL, "2^120");
        assertEq(_validate(_op(_single(RECIPIENT, cap - 1, "")), pk, s, _periods(2)), ok, "2^120 - 2");
        assertEq(_validate(_op(_single(RECIPIENT, 2, "")), pk, s, _periods(2)), FAIL, "over the cap");
        assertEq(_validate(_op(_single(RECIPIENT, 1, "")), pk, s, _periods(2)), ok, "exactly the cap");
        SessionLib.SessionState memory state = skv.sessionState(address(account), s);
        assertEq(state.transferValue[0].remaining, 0, "used up");
        assertEq(state.feesRemaining, 1 ether - 2 * OP_COST, "fees untouched by the value counter");
        assertTrue(state.status == SessionLib.Status.Active, "still active");
    }

    function test_validate_rejectsConstraintLimitExceeded() public {
        assertEq(_check(_erc20(RECIPIENT, 100), _periods(4)), _ok(), "100");
        assertEq(_check(_erc20(RECIPIENT, 100), _periods(4)), _ok(), "200");
        assertEq(_check(_erc20(RECIPIENT, 51), _periods(4)), FAIL, "251 > 250");
        assertEq(_check(_erc20(RECIPIENT, 50), _periods(4)), _ok(), "250");
    }

    function test_validate_rejectsConstraintConditionViolation() public {
        assertEq(_check(_erc20(address(0xBAD), 1), _periods(4)), FAIL, "recipient != RECIPIENT");
        assertEq(_check(_erc20(RECIPIENT, 101), _periods(4)), FAIL, "amount > 100");
    }

    function test_validate_rejectsCalldataTooShortForConstraint() public {
        bytes memory data = abi.encodeCall(IERC20.transfer, (RECIPIENT, 1));
        bytes memory truncated = new bytes(data.length - 1);
        for (uint256 i = 0; i < truncated.length; ++i) {
            truncated[i] = data[i];
        }
        assertEq(_check(_single(address(token), 0, truncated), _periods(4)), FAIL, "word 1 cut");
    }

    function test_validate_rejectsOneToThreeByteCalldata() public {
        // Even with a transfer policy for the target, 1–3 bytes of call data are neither a transfer nor a call.
        assertEq(_check(_single(RECIPIENT, 0, hex"aa"), _periods(2)), FAIL, "1");
        assertEq(_check(_single(RECIPIENT, 0, hex"aabb"), _periods(2)), FAIL, "2");
        assertEq(_check(_single(address(target), 0, hex"40c10f"), _periods(2)), FAIL, "3");
    }

    function test_validate_rejectsTooFewPeriodIds() public {
        assertEq(_check(_single(RECIPIENT, 1, ""), _periods(0)), FAIL, "none");
        assertEq(_check(_single(RECIPIENT, 1, ""), _periods(1)), FAIL, "no value entry");
        assertEq(_check(_erc20(RECIPIENT, 1), _periods(3)), FAIL, "missing constraint 1 entry");
        Execution[] memory calls = new Execution[](2);
        calls[0] = Execution(RECIPIENT, 1, "");
        calls[1] = Execution(RECIPIENT, 1, "");
        assertEq(_check(_batch(calls), _periods(2)), FAIL, "batch needs 3");
        assertEq(_check(_batch(calls), _periods(3)), _ok(), "batch with 3");
        assertEq(_check(_single(RECIPIENT, 1, ""), _periods(5)), _ok(), "extra entries ignored");
    }

    function test_validate_rejectsPeriodIdNotFittingUint48() public {
        PackedUserOperation memory op = _op(_single(RECIPIENT, 1, ""));
        bytes32 h = _opHash(op);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(SESSION_PK, h);
        uint256[] memory ids = new uint256[](2);
        ids[1] = uint256(1) << 48;
        op.signature = abi.encodePacked(address(skv), abi.encode(abi.encodePacked(r, s, v), spec, ids));
        vm.prank(address(account));
        assertEq(skv.validateUserOp(op, h), FAIL, "dirty period id");
    }

    // ---- fee limit ----

    function test_validate_chargesFeeOnMaxFeePerGas() public {
        _check(_single(RECIPIENT, 1, ""), _periods(2));
        assertEq(skv.sessionState(address(account), spec).feesRemaining, 1 ether - OP_COST, "fee charged");
    }

    function test_validate_rejectsFeeLimitExceeded() public {
        PackedUserOperation memory op = _op(_single(RECIPIENT, 1, ""));
        // 1 ether budget: maxFeePerGas high enough that the cost exceeds it.
        uint256 gas = PRE_VERIFICATION_GAS + VERIFICATION_GAS + CALL_GAS;
        uint256 maxFee = 1 ether / gas + 1;
        op.gasFees = bytes32((uint256(1) << 128) | maxFee);
        assertEq(_validate(op, spec, _periods(2)), FAIL, "over fee budget");
        op.gasFees = bytes32((uint256(1) << 128) | (1 ether / gas));
        assertEq(_validate(op, spec, _periods(2)), _ok(), "within fee budget");
    }

    function test_validate_rejectsFeeOverflow() public {
        PackedUserOperation memory op = _op(_single(RECIPIENT, 1, ""));
        op.preVerificationGas = type(uint256).max;
        assertEq(_validate(op, spec, _periods(2)), FAIL, "overflow");
    }

    function test_validate_lifetimeFeesAtOrAbove2Pow128Rejected() public {
        uint256 pk = 0xfee2;
        signer = vm.addr(pk);
        SessionLib.SessionSpec memory s = _withTransfer(_emptySpec(), RECIPIENT, 1 ether, _unlimited());
        s.feeLimit = _lifetime(type(uint256).max);
        bytes32 h = _createSession(s, pk);
        // (2^128 - 1) × gas >= 2^128: rejected even though the limit is type(uint256).max.
        PackedUserOperation memory op = _op(_single(RECIPIENT, 1, ""));
        op.gasFees = bytes32((uint256(1) << 128) | uint256(type(uint128).max));
        assertEq(_validate(op, pk, s, _periods(2)), FAIL, "fees >= 2^128");
        assertEq(skv.sessionState(address(account), s).feesRemaining, (uint256(1) << 128) - 1, "not charged");
        // A normal op is charged; revoking keeps the counter and closes the session.
        assertEq(_validate(_op(_single(RECIPIENT, 1, "")), pk, s, _periods(2)), _ok(), "normal fee");
        assertEq(skv.sessionState(address(account), s).feesRemaining, (uint256(1) << 128) - 1 - OP_COST, "charged");
        vm.prank(address(account));
        skv.revokeKey(h);
        assertTrue(skv.sessionStatus(address(account), h) == SessionLib.Status.Closed, "closed");
        assertEq(skv.sessionState(address(account), s).feesRemaining, (uint256(1) << 128) - 1 - OP_COST, "kept");
        assertEq(_validate(_op(_single(RECIPIENT, 1, "")), pk, s, _periods(2)), FAIL, "revoked");
    }

    function test_validate_paymasterSkipsFeeLimit() public {
        PackedUserOperation memory op = _op(_single(RECIPIENT, 1, ""));
        op.gasFees = bytes32((uint256(1) << 128) | uint256(type(uint128).max));
        op.paymasterAndData = abi.encodePacked(address(0x9a7), uint128(100_000), uint128(50_000));
        assertEq(_validate(op, spec, _periods(2)), _ok(), "paymaster pays");
        assertEq(skv.sessionState(address(account), spec).feesRemaining, 1 ether, "not charged");
    }

    // ---- call data shape ----

    function test_validate_rejectsNonExecuteSelector() public {
        bytes memory callData = _single(RECIPIENT, 1, "");
        callData[0] = 0x00;
        assertEq(_check(callData, _periods(2)), FAIL, "selector");
        assertEq(
            _check(abi.encodeWithSignature("installModule(uint256,address,bytes)", 1, address(1), ""), _periods(2)),
            FAIL,
            "installModule"
        );
        assertEq(_check("", _periods(2)), FAIL, "empty");
    }

    function test_validate_rejectsDelegatecallMode() public {
        bytes memory callData = _execute(MODE_DELEGATECALL, abi.encodePacked(RECIPIENT, ""));
        assertEq(_check(callData, _periods(2)), FAIL, "delegatecall");
    }

    function test_validate_rejectsTryMode() public {
        assertEq(
            _check(_execute(MODE_TRY_SINGLE, abi.encodePacked(RECIPIENT, uint256(1))), _periods(2)), FAIL, "single"
        );
        Execution[] memory calls = new Execution[](1);
        calls[0] = Execution(RECIPIENT, 1, "");
        assertEq(_check(_execute(MODE_TRY_BATCH, abi.encode(calls)), _periods(2)), FAIL, "batch");
    }

    function test_validate_rejectsUnknownCallType() public {
        bytes32 mode = bytes32(uint256(0x02) << 248);
        assertEq(_check(_execute(mode, abi.encodePacked(RECIPIENT, uint256(1))), _periods(2)), FAIL, "0x02");
    }

    function test_validate_rejectsSingleExecutionShorterThan52Bytes() public {
        assertEq(_check(_execute(MODE_SINGLE, abi.encodePacked(RECIPIENT, uint128(1))), _periods(2)), FAIL, "short");
    }

    function test_validate_rejectsMalformedBatchWithoutReverting() public {
        // Array offset out of bounds.
        assertEq(_check(_execute(MODE_BATCH, abi.encode(uint256(1 << 100))), _periods(3)), FAIL, "offset");
        // Length larger than the data.
        assertEq(_check(_execute(MODE_BATCH, abi.encode(uint256(32), uint256(5))), _periods(3)), FAIL, "length");
        // Element call data pointing past the end.
        Execution[] memory calls = new Execution[](1);
        calls[0] = Execution(RECIPIENT, 1, "");
        bytes memory exec = abi.encode(calls);
        // layout: [0]=0x20, [1]=len, [2]=elem offset, elem: target, value, dataOffset, dataLen
        assembly ("memory-safe") {
            mstore(add(exec, add(32, mul(32, 5))), 0x10000)
        }
        assertEq(_check(_execute(MODE_BATCH, exec), _periods(3)), FAIL, "call data offset");
    }

    function test_validate_rejectsDirtyBatchTarget() public {
        Execution[] memory calls = new Execution[](1);
        calls[0] = Execution(RECIPIENT, 1, "");
        bytes memory exec = abi.encode(calls);
        assembly ("memory-safe") {
            let p := add(exec, add(32, mul(32, 3))) // target word
            mstore(p, or(mload(p), shl(200, 1)))
        }
        assertEq(_check(_execute(MODE_BATCH, exec), _periods(2)), FAIL, "dirty target");
    }

    // ---- conditions (unsigned 32-byte compare) ----

    uint256 internal constant HALF = 1 << 255;
    uint256 internal constant MAX = type(uint256).max;

    /// @dev Session with a single `set(uint256)` policy constrained by `condition` against `ref`; returns whether
    /// `set(param)` validates.
    function _conditionHolds(SessionLib.Condition condition, uint256 ref, uint256 param) internal returns (bool) {
        uint256 pk = uint256(keccak256(abi.encode(condition, ref, param, "pk")));
        signer = vm.addr(pk);
        SessionLib.SessionSpec memory s = _emptySpec();
        s = _withCall(
            s,
            _withConstraint(
                _callPolicy(address(target), SessionTarget.set.selector, 0, _unlimited()),
                _constraint(condition, 0, bytes32(ref))
            )
        );
        if (skv.sessionStatus(address(account), _hash(s)) == SessionLib.Status.NotInitialized) _createSession(s, pk);
        uint256 vd =
            _validate(_op(_single(address(target), 0, abi.encodeCall(SessionTarget.set, (param)))), pk, s, _periods(3));
        return vd != FAIL;
    }

    function test_condition_unconstrained() public {
        assertTrue(_conditionHolds(SessionLib.Condition.Unconstrained, 0, MAX), "any");
        assertTrue(_conditionHolds(SessionLib.Condition.Unconstrained, MAX, 0), "any 2");
    }

    function test_condition_equal() public {
        assertTrue(_conditionHolds(SessionLib.Condition.Equal, HALF, HALF), "eq");
        assertTrue(!_conditionHolds(SessionLib.Condition.Equal, HALF, HALF - 1), "ne");
        assertTrue(_conditionHolds(SessionLib.Condition.Equal, 0, 0), "0");
        assertTrue(_conditionHolds(SessionLib.Condition.Equal, MAX, MAX), "max");
    }

    function test_condition_greater() public {
        assertTrue(_conditionHolds(SessionLib.Condition.Greater, 0, HALF), "2^255 > 0 (unsigned)");
        assertTrue(_conditionHolds(SessionLib.Condition.Greater, HALF, MAX), "max > 2^255");
        assertTrue(!_conditionHolds(SessionLib.Condition.Greater, HALF, HALF), "not strictly");
        assertTrue(!_conditionHolds(SessionLib.Condition.Greater, 1, 0), "0 > 1");
    }

    function test_condition_less() public {
        assertTrue(_conditionHolds(SessionLib.Condition.Less, HALF, 0), "0 < 2^255");
        assertTrue(!_conditionHolds(SessionLib.Condition.Less, HALF, MAX), "max not < 2^255 (unsigned)");
        assertTrue(!_conditionHolds(SessionLib.Condition.Less, 0, 0), "not strictly");
        assertTrue(_conditionHolds(SessionLib.Condition.Less, MAX, MAX - 1), "max-1 < max");
    }

    function test_condition_greaterOrEqual() public {
        assertTrue(_conditionHolds(SessionLib.Condition.GreaterOrEqual, HALF, HALF), "equal");
        assertTrue(_conditionHolds(SessionLib.Condition.GreaterOrEqual, 0, MAX), "max");
        assertTrue(!_conditionHolds(SessionLib.Condition.GreaterOrEqual, HALF, 0), "0 < 2^255");
        assertTrue(_conditionHolds(SessionLib.Condition.GreaterOrEqual, 0, 0), "0 >= 0");
    }

    function test_condition_lessOrEqual() public {
        assertTrue(_conditionHolds(SessionLib.Condition.LessOrEqual, MAX, MAX), "max");
        assertTrue(_conditionHolds(SessionLib.Condition.LessOrEqual, HALF, 0), "0");
        assertTrue(!_conditionHolds(SessionLib.Condition.LessOrEqual, HALF, HALF + 1), "2^255+1");
        assertTrue(!_conditionHolds(SessionLib.Condition.LessOrEqual, 0, MAX), "max > 0");
    }

    function test_condition_notEqual() public {
        assertTrue(_conditionHolds(SessionLib.Condition.NotEqual, 0, MAX), "0 vs max");
        assertTrue(!_conditionHolds(SessionLib.Condition.NotEqual, HALF, HALF), "equal");
        assertTrue(!_conditionHolds(SessionLib.Condition.NotEqual, MAX, MAX), "max");
    }

    // ---- allowance ----

    function _allowanceSpec(uint48 period) internal returns (SessionLib.SessionSpec memory s, uint256 pk) {
        pk = uint256(keccak256(abi.encode("allowance", period)));
        signer = vm.addr(pk);
        s = _withTransfer(_emptySpec(), RECIPIENT, 1 ether, _allowance(1 ether, period));
        s.expiresAt = uint48(block.timestamp + 10 days);
        _createSession(s, pk);
    }

    function test_validate_allowanceReturnsPeriodRange() public {
        (SessionLib.SessionSpec memory s, uint256 pk) = _allowanceSpec(1 days);
        uint48 id = uint48(block.timestamp / 1 days);
        assertEq(
            _validate(_op(_single(RECIPIENT, 1, "")), pk, s, _periods(0, id)),
            _vd(uint256(id) * 1 days, uint256(id + 1) * 1 days - 1),
            "range of the period"
        );
    }

    function test_validate_allowanceRangeCappedByExpiry() public {
        (SessionLib.SessionSpec memory s, uint256 pk) = _allowanceSpec(365 days);
        uint48 id = uint48(block.timestamp / 365 days);
        assertEq(
            _validate(_op(_single(RECIPIENT, 1, "")), pk, s, _periods(0, id)),
            _vd(uint256(id) * 365 days, s.expiresAt),
            "validUntil = expiresAt"
        );
    }

    function test_validate_rejectsAllowanceExceeded() public {
        (SessionLib.SessionSpec memory s, uint256 pk) = _allowanceSpec(1 days);
        uint48 id = uint48(block.timestamp / 1 days);
        uint256 range = _vd(uint256(id) * 1 days, uint256(id + 1) * 1 days - 1);
        assertEq(_validate(_op(_single(RECIPIENT, 0.7 ether, "")), pk, s, _periods(0, id)), range, "0.7");
        assertEq(_validate(_op(_single(RECIPIENT, 0.3 ether + 1, "")), pk, s, _periods(0, id)), FAIL, "1 ether + 1");
        assertEq(_validate(_op(_single(RECIPIENT, 0.3 ether, "")), pk, s, _periods(0, id)), range, "exactly 1 ether");
    }

    function test_validate_allowanceResetsAtPeriodBoundary() public {
        (SessionLib.SessionSpec memory s, uint256 pk) = _allowanceSpec(1 days);
        uint48 id = uint48(block.timestamp / 1 days);
        vm.warp(uint256(id + 1) * 1 days - 1); // last second of period `id`
        assertEq(
            _validate(_op(_single(RECIPIENT, 1 ether, "")), pk, s, _periods(0, id)),
            _vd(uint256(id) * 1 days, uint256(id + 1) * 1 days - 1),
            "full allowance in period id"
        );
        assertEq(_validate(_op(_single(RECIPIENT, 1, "")), pk, s, _periods(0, id)), FAIL, "exhausted");
        vm.warp(uint256(id + 1) * 1 days); // first second of the next period
        assertEq(
            _validate(_op(_single(RECIPIENT, 1 ether, "")), pk, s, _periods(0, id + 1)),
            _vd(uint256(id + 1) * 1 days, uint256(id + 2) * 1 days - 1),
            "fresh allowance in period id + 1"
        );
    }

    function test_validate_wrongPeriodIdGivesRangeExcludingNow() public {
        (SessionLib.SessionSpec memory s, uint256 pk) = _allowanceSpec(1 days);
        uint48 id = uint48(block.timestamp / 1 days);
        uint256 vd = _validate(_op(_single(RECIPIENT, 1, "")), pk, s, _periods(0, id - 1));
        uint256 time = block.timestamp;
        assertTrue((vd >> 160) & type(uint48).max < time, "past period: EntryPoint rejects (expired)");
        vd = _validate(_op(_single(RECIPIENT, 1, "")), pk, s, _periods(0, id + 1));
        assertTrue(vd >> 208 >= time, "future period: EntryPoint rejects (not due)");
    }

    function test_validate_allowanceWithPeriodIdZeroNeverReturnsOpenEndedRange() public {
        // period 1 s and period id 0 would give validUntil = 0 ("no expiry" to the EntryPoint).
        (SessionLib.SessionSpec memory s, uint256 pk) = _allowanceSpec(1);
        assertEq(_validate(_op(_single(RECIPIENT, 1, "")), pk, s, _periods(0, 0)), FAIL, "validUntil 0");
    }

    function test_validate_feeAllowanceUsesPeriodIdZeroSlot() public {
        uint256 pk = 0xfee;
        signer = vm.addr(pk);
        SessionLib.SessionSpec memory s = _withTransfer(_emptySpec(), RECIPIENT, 1 ether, _unlimited());
        s.feeLimit = _allowance(OP_COST, 1 hours);
        _createSession(s, pk);
        uint48 id = uint48(block.timestamp / 1 hours);
        uint256 range = _vd(uint256(id) * 1 hours, uint256(id + 1) * 1 hours - 1);
        assertEq(_validate(_op(_single(RECIPIENT, 1, "")), pk, s, _periods(id, 0)), range, "first op");
        assertEq(_validate(_op(_single(RECIPIENT, 1, "")), pk, s, _periods(id, 0)), FAIL, "fee allowance used");
        assertEq(
            _validate(_op(_single(RECIPIENT, 1, "")), pk, s, _periods(id + 1, 0)),
            _vd(uint256(id + 1) * 1 hours, uint256(id + 2) * 1 hours - 1),
            "next period"
        );
    }

    // ---- any recipient ----

    /// @dev A named transfer policy for RECIPIENT first, then one for any recipient (0.5 ether per day).
    function _anyRecipientSpec() internal returns (SessionLib.SessionSpec memory s, uint256 pk) {
        pk = uint256(keccak256("any recipient"));
        signer = vm.addr(pk);
        s = _withTransfer(_emptySpec(), RECIPIENT, 1 ether, _lifetime(1 ether));
        s = _withTransfer(s, SessionLib.ANY_RECIPIENT, 0.5 ether, _allowance(0.5 ether, 1 days));
        _createSession(s, pk);
    }

    function test_validate_anyRecipientPolicyMatchesEveryRecipient() public {
        (SessionLib.SessionSpec memory s, uint256 pk) = _anyRecipientSpec();
        uint48 id = uint48(block.timestamp / 1 days);
        uint256 range = _vd(uint256(id) * 1 days, uint256(id + 1) * 1 days - 1);
        assertEq(_validate(_op(_single(address(0xBEEF), 0.3 ether, "")), pk, s, _periods(0, id)), range, "0xBEEF");
        assertEq(_validate(_op(_single(address(0xCAFE), 0.2 ether, "")), pk, s, _periods(0, id)), range, "0xCAFE");
        assertEq(_validate(_op(_single(address(0xF00D), 1, "")), pk, s, _periods(0, id)), FAIL, "0.5 per day used");
        assertEq(_validate(_op(_single(address(0xBEEF), 0.6 ether, "")), pk, s, _periods(0, id + 1)), FAIL, "per use");
    }

    function test_validate_namedTransferPolicyWinsOverAnyRecipient() public {
        (SessionLib.SessionSpec memory s, uint256 pk) = _anyRecipientSpec();
        // 0.9 ether to RECIPIENT is over the any-recipient policy's 0.5 per use, so only the named policy allows it.
        assertEq(_validate(_op(_single(RECIPIENT, 0.9 ether, "")), pk, s, _periods(2)), _vd(0, s.expiresAt), "named");
    }

    function test_validate_anyRecipientCoversNoCall() public {
        (SessionLib.SessionSpec memory s, uint256 pk) = _anyRecipientSpec();
        uint48 id = uint48(block.timestamp / 1 days);
        bytes memory call = _single(address(target), 1, abi.encodeCall(SessionTarget.set, (1)));
        assertEq(_validate(_op(call), pk, s, _periods(0, id)), FAIL, "a call is no transfer");
    }

    // ---- stream ----

    /// @dev Any recipient, streaming 1 ether at `start`, then 0.001 ether a second, at most `cap`.
    function _streamSpec(uint256 cap, uint48 start) internal returns (SessionLib.SessionSpec memory s, uint256 pk) {
        pk = uint256(keccak256(abi.encode("stream", cap, start)));
        signer = vm.addr(pk);
        s = _withTransfer(
            _emptySpec(), SessionLib.ANY_RECIPIENT, type(uint256).max, _stream(1 ether, 0.001 ether, cap, start)
        );
        _createSession(s, pk);
    }

    function test_validate_streamAllowsWhatAccruedAtTheClaimedTime() public {
        uint48 start = uint48(block.timestamp);
        (SessionLib.SessionSpec memory s, uint256 pk) = _streamSpec(SessionLib.STREAM_NO_CAP, start);
        assertEq(
            _validate(_op(_single(address(0xBEEF), 1 ether + 1, "")), pk, s, _periods(0, start)), FAIL, "over initial"
        );
        assertEq(
            _validate(_op(_single(address(0xBEEF), 1 ether, "")), pk, s, _periods(0, start)),
            _vd(start, s.expiresAt),
            "the initial amount, valid after the claimed time"
        );
        vm.warp(start + 101);
        assertEq(
            _validate(_op(_single(address(0xBEEF), 0.1 ether + 1, "")), pk, s, _periods(0, start + 100)),
            FAIL,
            "100 s accrue 0.1 ether"
        );
        assertEq(
            _validate(_op(_single(address(0xBEEF), 0.1 ether, "")), pk, s, _periods(0, start + 100)),
            _vd(start + 100, s.expiresAt),
            "exactly what accrued"
        );
        assertEq(skv.sessionState(address(account), s).transferValue[0].remaining, 0.001 ether, "1 s more accrued");
    }

    function test_validate_streamIsCapped() public {
        uint48 start = uint48(block.timestamp);
        (SessionLib.SessionSpec memory s, uint256 pk) = _streamSpec(1.5 ether, start);
        vm.warp(start + 10_001);
        uint48 t = start + 10_000; // 11 ether accrued, capped at 1.5
        assertEq(_validate(_op(_single(address(0xBEEF), 1.5 ether + 1, "")), pk, s, _periods(0, t)), FAIL, "cap");
        assertEq(
            _validate(_op(_single(address(0xBEEF), 1.5 ether, "")), pk, s, _periods(0, t)),
            _vd(t, s.expiresAt),
            "the cap"
        );
        assertEq(skv.sessionState(address(account), s).transferValue[0].remaining, 0, "capped: nothing left");
    }

    function test_validate_streamGivesNothingBeforeItsStart() public {
        uint48 start = uint48(block.timestamp + 1 hours);
        (SessionLib.SessionSpec memory s, uint256 pk) = _streamSpec(SessionLib.STREAM_NO_CAP, start);
        assertEq(_validate(_op(_single(address(0xBEEF), 1, "")), pk, s, _periods(0, start - 1)), FAIL, "before start");
        assertEq(skv.sessionState(address(account), s).transferValue[0].remaining, 0, "nothing accrued yet");
    }

    function test_validate_streamClaimInTheFutureIsNotYetValid() public {
        uint48 start = uint48(block.timestamp);
        (SessionLib.SessionSpec memory s, uint256 pk) = _streamSpec(SessionLib.STREAM_NO_CAP, start);
        uint256 vd = _validate(_op(_single(address(0xBEEF), 2 ether, "")), pk, s, _periods(0, start + 1000));
        assertEq(vd, _vd(start + 1000, s.expiresAt), "allowed only from the claimed time on");
        assertTrue(vd >> 208 >= block.timestamp, "the EntryPoint rejects it now");
    }
}
