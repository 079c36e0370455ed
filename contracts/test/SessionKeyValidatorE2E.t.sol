// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEntryPoint} from "account-abstraction/interfaces/IEntryPoint.sol";
import {PackedUserOperation as EpUserOp} from "account-abstraction/interfaces/PackedUserOperation.sol";
import {Execution, IERC7579ModuleConfig} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SessionKeyValidator} from "../src/SessionKeyValidator.sol";
import {SessionLib} from "../src/libraries/SessionLib.sol";
import {SessionTestBase, SessionTarget} from "./utils/SessionTestBase.sol";

/// @dev Session UserOps through the real EntryPoint v0.8 `handleOps`, with gas figures.
contract SessionKeyValidatorE2ETest is SessionTestBase {
    /// @dev DSTest-style log, printed by `forge test -vv`.
    event log_named_uint(string key, uint256 val);

    address internal constant RECIPIENT = address(0xD00D);
    address internal constant BENEFICIARY = address(0xBEEF);
    address internal constant BUNDLER = address(0xB0B0);

    SessionLib.SessionSpec internal spec;

    function setUp() public override {
        super.setUp();
        vm.deal(address(account), 10 ether);
        vm.deal(RECIPIENT, 1 wei); // existing recipient and bundler (steady state)
        vm.deal(BENEFICIARY, 1 wei);
        token.mint(address(account), 1_000_000);
        token.mint(RECIPIENT, 1);

        SessionLib.SessionSpec memory s = _emptySpec();
        s = _withTransfer(s, RECIPIENT, 1 ether, _lifetime(10 ether));
        SessionLib.CallSpec memory erc20 = _callPolicy(address(token), IERC20.transfer.selector, 0, _unlimited());
        erc20 = _withConstraint(erc20, _constraint(SessionLib.Condition.Equal, 0, bytes32(uint256(uint160(RECIPIENT)))));
        s = _withCall(s, erc20);
        s = _withCall(s, _callPolicy(address(target), SessionTarget.set.selector, 0, _unlimited()));
        _store(s);

        // Real path: one passkey-signed UserOp installs the module and creates the session (batch to self + module).
        bytes32 sessionHash = _hash(s);
        Execution[] memory calls = new Execution[](2);
        calls[0] =
            Execution(address(account), 0, abi.encodeCall(IERC7579ModuleConfig.installModule, (1, address(skv), "")));
        calls[1] = Execution(
            address(skv),
            0,
            abi.encodeCall(SessionKeyValidator.createSession, (s, _proof(SESSION_PK, sessionHash, address(account))))
        );
        EpUserOp memory op = _epOp(0, _batch(calls));
        op.accountGasLimits = bytes32((uint256(2_000_000) << 128) | 1_000_000); // P-256 without precompile
        op.signature = abi.encodePacked(address(webAuthn), passkeySig(IEntryPoint(ENTRY_POINT).getUserOpHash(op)));
        _handle(op);
        require(skv.sessionStatus(address(account), sessionHash) == SessionLib.Status.Active, "session created");
    }

    function _store(SessionLib.SessionSpec memory s) internal {
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

    function _epOp(uint192 key, bytes memory callData) internal view returns (EpUserOp memory op) {
        op.sender = address(account);
        op.nonce = IEntryPoint(ENTRY_POINT).getNonce(address(account), key);
        op.callData = callData;
        op.accountGasLimits = bytes32((VERIFICATION_GAS << 128) | CALL_GAS);
        op.preVerificationGas = PRE_VERIFICATION_GAS;
        op.gasFees = bytes32((uint256(1 gwei) << 128) | MAX_FEE);
    }

    /// @dev Session UserOp on the signer's nonce lane, signed over the EntryPoint's userOpHash.
    function _sessionOp(bytes memory callData, uint48[] memory ids) internal view returns (EpUserOp memory op) {
        op = _epOp(uint192(uint160(signer)), callData);
        op.signature = _sessionSignature(SESSION_PK, IEntryPoint(ENTRY_POINT).getUserOpHash(op), spec, ids);
    }

    function _ops(EpUserOp memory op) internal pure returns (EpUserOp[] memory ops) {
        ops = new EpUserOp[](1);
        ops[0] = op;
    }

    function _handle(EpUserOp memory op) internal {
        vm.prank(BUNDLER, BUNDLER);
        IEntryPoint(ENTRY_POINT).handleOps(_ops(op), payable(BENEFICIARY));
    }

    /// @dev Runs `handleOps` as a fresh transaction would see state (all touched accounts cold) and returns the
    /// estimated transaction gas: 21000 + calldata (EIP-2028, EIP-7623 floor) + execution gas of the call.
    function _handleMeasured(EpUserOp memory op, string memory label) internal returns (uint256 total) {
        bytes memory data = abi.encodeCall(IEntryPoint.handleOps, (_ops(op), payable(BENEFICIARY)));
        address[9] memory touched = [
            ENTRY_POINT,
            address(account),
            factory.accountImplementation(),
            address(skv),
            address(target),
            address(token),
            RECIPIENT,
            BENEFICIARY,
            BUNDLER
        ];
        for (uint256 i = 0; i < touched.length; ++i) {
            vm.cool(touched[i]);
        }
        vm.prank(BUNDLER, BUNDLER);
        (bool ok,) = ENTRY_POINT.call(data);
        require(ok, "handleOps");
        uint256 execution = vm.lastCallGas().gasTotalUsed;
        uint256 zeros = 0;
        for (uint256 i = 0; i < data.length; ++i) {
            if (data[i] == 0) ++zeros;
        }
        uint256 nonZeros = data.length - zeros;
        uint256 standard = 21_000 + 4 * zeros + 16 * nonZeros + execution;
        uint256 floor = 21_000 + 10 * (zeros + 4 * nonZeros);
        total = standard > floor ? standard : floor;
        emit log_named_uint(string.concat(label, " execution gas"), execution);
        emit log_named_uint(string.concat(label, " tx gas (est.)"), total);
    }

    function _erc20Call(uint256 amount) internal view returns (bytes memory) {
        return _single(address(token), 0, abi.encodeCall(IERC20.transfer, (RECIPIENT, amount)));
    }

    // ---- tests ----

    function test_handleOps_sessionEthTransfer() public {
        _handle(_sessionOp(_single(RECIPIENT, 0.1 ether, ""), _periods(2))); // first use: counters 0 → non-zero
        uint256 gas =
            _handleMeasured(_sessionOp(_single(RECIPIENT, 0.1 ether, ""), _periods(2)), "session ETH transfer");
        assertEq(RECIPIENT.balance, 0.2 ether + 1, "transferred");
        assertEq(
            IEntryPoint(ENTRY_POINT).getNonce(address(account), uint192(uint160(signer))) & type(uint64).max, 2, "nonce"
        );
        assertTrue(gas <= 115_000, "ETH transfer gas budget");
    }

    function test_handleOps_sessionErc20TransferWithConstraint() public {
        _handle(_sessionOp(_erc20Call(10), _periods(3)));
        uint256 gas = _handleMeasured(_sessionOp(_erc20Call(10), _periods(3)), "session ERC-20 transfer");
        assertEq(token.balanceOf(RECIPIENT), 21, "transferred");
        assertTrue(gas <= 129_000, "ERC-20 transfer gas budget");
    }

    function test_handleOps_sessionBatch() public {
        Execution[] memory calls = new Execution[](3);
        calls[0] = Execution(RECIPIENT, 0.1 ether, "");
        calls[1] = Execution(address(token), 0, abi.encodeCall(IERC20.transfer, (RECIPIENT, 5)));
        calls[2] = Execution(address(target), 0, abi.encodeCall(SessionTarget.set, (42)));
        // fee, [value], [value, c0], [value]
        _handle(_sessionOp(_batch(calls), _periods(5)));
        _handleMeasured(_sessionOp(_batch(calls), _periods(5)), "session batch of 3");
        assertEq(RECIPIENT.balance, 0.2 ether + 1, "eth");
        assertEq(token.balanceOf(RECIPIENT), 11, "erc20");
        assertEq(target.value(), 42, "call");
    }

    function test_handleOps_rejectsPolicyViolationWithAA24() public {
        EpUserOp memory op = _sessionOp(_erc20Call(10), _periods(3));
        op = _sessionOp(_single(address(token), 0, abi.encodeCall(IERC20.transfer, (address(0xBAD), 10))), _periods(3));
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA24 signature error"));
        _handle(op);
    }

    function test_handleOps_rejectsExpiredSessionWithAA22() public {
        vm.warp(uint256(spec.expiresAt) + 1);
        EpUserOp memory op = _sessionOp(_single(RECIPIENT, 0.1 ether, ""), _periods(2));
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA22 expired or not due"));
        _handle(op);
    }

    function test_handleOps_sessionUsableUntilExpiresAtInclusive() public {
        vm.warp(spec.expiresAt);
        _handle(_sessionOp(_single(RECIPIENT, 0.1 ether, ""), _periods(2)));
        assertEq(RECIPIENT.balance, 0.1 ether + 1, "transferred at expiresAt");
    }

    function test_handleOps_revokedSessionRejected() public {
        vm.prank(address(account));
        skv.revokeKey(_hash(spec));
        EpUserOp memory op = _sessionOp(_single(RECIPIENT, 0.1 ether, ""), _periods(2));
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA24 signature error"));
        _handle(op);
    }

    /// @dev The account executes target 0 as itself: a session can reach the account neither through target 0
    /// (no policy can name it) nor by creating such a policy (refused at creation, also inside a passkey UserOp).
    function test_handleOps_sessionCannotMakeAccountCallItself() public {
        bytes memory install = abi.encodeCall(IERC7579ModuleConfig.installModule, (1, address(0xBAD), ""));
        EpUserOp memory op = _sessionOp(_single(address(0), 0, install), _periods(2));
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA24 signature error"));
        _handle(op);
        Execution[] memory calls = new Execution[](1);
        calls[0] = Execution(address(0), 0, install);
        op = _sessionOp(_batch(calls), _periods(2));
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA24 signature error"));
        _handle(op);

        // A passkey-approved createSession with a target-0 policy reverts in execution: no session.
        uint256 pk = SESSION_PK + 1;
        SessionLib.SessionSpec memory s = _emptySpec();
        s.signer = vm.addr(pk);
        s = _withCall(s, _callPolicy(address(0), IERC7579ModuleConfig.installModule.selector, 0, _unlimited()));
        bytes memory create =
            abi.encodeCall(SessionKeyValidator.createSession, (s, _proof(pk, _hash(s), address(account))));
        op = _epOp(0, _single(address(skv), 0, create));
        op.accountGasLimits = bytes32((uint256(2_000_000) << 128) | 1_000_000); // P-256 without precompile
        op.signature = abi.encodePacked(address(webAuthn), passkeySig(IEntryPoint(ENTRY_POINT).getUserOpHash(op)));
        uint256 nonce = IEntryPoint(ENTRY_POINT).getNonce(address(account), 0);
        _handle(op);
        assertEq(IEntryPoint(ENTRY_POINT).getNonce(address(account), 0), nonce + 1, "op ran");
        assertTrue(skv.sessionStatus(address(account), _hash(s)) == SessionLib.Status.NotInitialized, "no session");
        assertTrue(!skv.signerUsed(s.signer), "signer unused");
    }
}
