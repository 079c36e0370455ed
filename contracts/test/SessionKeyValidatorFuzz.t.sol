// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SessionLib} from "../src/libraries/SessionLib.sol";
import {SessionTestBase, SessionTarget} from "./utils/SessionTestBase.sol";

/// @dev Property tests of limits, periods and constraint comparisons.
contract SessionKeyValidatorFuzzTest is SessionTestBase {
    uint256 internal constant FAIL = 1;
    address internal constant RECIPIENT = address(0xD00D);

    function setUp() public override {
        super.setUp();
        vm.warp(1_700_000_000);
        _install();
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (min == 0 && max == type(uint256).max) return x;
        return min + (x % (max - min + 1));
    }

    function testFuzz_lifetimeUsageNeverExceedsLimit(uint256 limit, uint256[8] memory amounts) public {
        limit = _bound(limit, 0, 10 ether);
        SessionLib.SessionSpec memory spec = _withTransfer(_emptySpec(), RECIPIENT, type(uint256).max, _lifetime(limit));
        _createSession(spec);
        uint256 used = 0;
        for (uint256 i = 0; i < amounts.length; ++i) {
            uint256 amount = _bound(amounts[i], 0, limit / 2 + 1);
            uint256 vd = _validate(_op(_single(RECIPIENT, amount, "")), spec, _periods(2));
            if (used + amount <= limit) {
                assertEq(vd, _vd(0, spec.expiresAt), "within limit accepted");
                used += amount;
            } else {
                assertEq(vd, FAIL, "over limit rejected");
            }
            assertEq(
                skv.sessionState(address(account), spec).transferValue[0].remaining, limit - used, "remaining tracks"
            );
        }
    }

    function testFuzz_allowanceResetsExactlyAtPeriodBoundary(uint256 period, uint256 limit, uint256 offset) public {
        period = _bound(period, 2, 30 days);
        limit = _bound(limit, 1, 100 ether);
        // forge-lint: disable-next-line(unsafe-typecast)
        uint48 period48 = uint48(period); // period <= 30 days
        SessionLib.SessionSpec memory spec = _withTransfer(_emptySpec(), RECIPIENT, limit, _allowance(limit, period48));
        spec.expiresAt = uint48(block.timestamp + 400 days);
        _createSession(spec);

        // forge-lint: disable-next-line(unsafe-typecast)
        uint48 id = uint48(block.timestamp / period); // < 2^48
        uint256 end = (uint256(id) + 1) * period; // first second of the next period
        vm.warp(end - 1 - _bound(offset, 0, end - 1 - block.timestamp)); // anywhere in the rest of period `id`
        assertEq(
            _validate(_op(_single(RECIPIENT, limit, "")), spec, _periods(0, id)),
            _vd(uint256(id) * period, end - 1),
            "whole allowance usable in period id"
        );
        assertEq(_validate(_op(_single(RECIPIENT, 1, "")), spec, _periods(0, id)), FAIL, "period id exhausted");

        vm.warp(end);
        assertEq(skv.sessionState(address(account), spec).transferValue[0].remaining, limit, "fresh at boundary");
        assertEq(
            _validate(_op(_single(RECIPIENT, limit, "")), spec, _periods(0, id + 1)),
            _vd(end, end + period - 1),
            "whole allowance again in period id + 1"
        );
        assertEq(_validate(_op(_single(RECIPIENT, 1, "")), spec, _periods(0, id)), FAIL, "old period still exhausted");
    }

    function testFuzz_constraintComparesUnsignedWords(bytes32 param, bytes32 refValue, uint8 conditionSeed) public {
        SessionLib.Condition condition = SessionLib.Condition(conditionSeed % 7);
        SessionLib.SessionSpec memory spec = _withCall(
            _emptySpec(),
            _withConstraint(
                _callPolicy(address(target), SessionTarget.set.selector, 0, _unlimited()),
                _constraint(condition, 0, refValue)
            )
        );
        _createSession(spec);
        uint256 a = uint256(param);
        uint256 b = uint256(refValue);
        bool expected;
        if (condition == SessionLib.Condition.Unconstrained) expected = true;
        else if (condition == SessionLib.Condition.Equal) expected = a == b;
        else if (condition == SessionLib.Condition.Greater) expected = a > b;
        else if (condition == SessionLib.Condition.Less) expected = a < b;
        else if (condition == SessionLib.Condition.GreaterOrEqual) expected = a >= b;
        else if (condition == SessionLib.Condition.LessOrEqual) expected = a <= b;
        else expected = a != b;

        uint256 vd =
            _validate(_op(_single(address(target), 0, abi.encodeCall(SessionTarget.set, (a)))), spec, _periods(3));
        assertTrue((vd != FAIL) == expected, "unsigned 32-byte comparison");
    }

    function testFuzz_constraintLimitChargesWordValue(uint256[4] memory words, uint256 limit) public {
        limit = _bound(limit, 0, type(uint128).max);
        SessionLib.Constraint memory c = _constraint(SessionLib.Condition.Unconstrained, 0, 0);
        c.limit = _lifetime(limit);
        SessionLib.SessionSpec memory spec = _withCall(
            _emptySpec(), _withConstraint(_callPolicy(address(target), SessionTarget.set.selector, 0, _unlimited()), c)
        );
        _createSession(spec);
        uint256 used = 0;
        for (uint256 i = 0; i < words.length; ++i) {
            uint256 w = i % 2 == 0 ? _bound(words[i], 0, limit / 2 + 1) : words[i]; // include huge words
            uint256 vd =
                _validate(_op(_single(address(target), 0, abi.encodeCall(SessionTarget.set, (w)))), spec, _periods(3));
            if (w <= limit - used) {
                assertTrue(vd != FAIL, "fits");
                used += w;
            } else {
                assertEq(vd, FAIL, "exceeds");
            }
        }
        assertEq(skv.sessionState(address(account), spec).callParams[0].remaining, limit - used, "remaining");
    }

    /// @dev Stream fields are bounded to their widths; the accrual is checked against a reference formula, and
    /// spending it all at one time leaves nothing more at that time.
    function testFuzz_streamAllowsExactlyTheAccrual(
        uint256 initial,
        uint256 perSecond,
        uint256 cap,
        uint256 elapsed,
        bool capped
    ) public {
        initial = _bound(initial, 0, 100 ether);
        perSecond = _bound(perSecond, 0, 1 ether);
        cap = capped ? _bound(cap, 0, 200 ether) : SessionLib.STREAM_NO_CAP;
        elapsed = _bound(elapsed, 0, 30 days);
        uint48 start = uint48(block.timestamp);
        SessionLib.SessionSpec memory spec = _withTransfer(
            _emptySpec(), SessionLib.ANY_RECIPIENT, type(uint256).max, _stream(initial, perSecond, cap, start)
        );
        spec.expiresAt = uint48(block.timestamp + 60 days);
        _createSession(spec);
        // forge-lint: disable-next-line(unsafe-typecast)
        uint48 t = uint48(start + elapsed); // < 2^48
        uint256 accrued = initial + perSecond * elapsed;
        if (capped && accrued > cap) accrued = cap;
        assertEq(SessionLib.streamAvailable(spec.transferPolicies[0].valueLimit.limit, start, t), accrued, "formula");
        assertEq(_validate(_op(_single(RECIPIENT, accrued + 1, "")), spec, _periods(0, t)), FAIL, "one wei more");
        assertEq(_validate(_op(_single(RECIPIENT, accrued, "")), spec, _periods(0, t)), _vd(t, spec.expiresAt), "all");
        assertEq(_validate(_op(_single(RECIPIENT, 1, "")), spec, _periods(0, t)), FAIL, "none left");
    }
}
