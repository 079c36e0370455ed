// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEntryPoint} from "account-abstraction/interfaces/IEntryPoint.sol";
import {PackedUserOperation as EpUserOp} from "account-abstraction/interfaces/PackedUserOperation.sol";
import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SponsorPaymaster} from "../src/SponsorPaymaster.sol";
import {SessionTestBase} from "./utils/SessionTestBase.sol";

/// @dev Sponsored passkey UserOps through the real EntryPoint v0.8: an account with no ETH, paid for by the
/// paymaster when (and only when) the sponsor signed exactly that operation within its window.
contract SponsorPaymasterTest is SessionTestBase {
    uint256 internal constant SPONSOR_PK = 0x5905507;
    uint256 internal constant PM_VERIFICATION_GAS = 60_000;
    uint256 internal constant PM_POST_OP_GAS = 0;
    address internal constant RECIPIENT = address(0xD00D);
    address internal constant BENEFICIARY = address(0xBEEF);
    address internal constant BUNDLER = address(0xB0B0);

    SponsorPaymaster internal paymaster;

    function setUp() public override {
        super.setUp();
        paymaster = new SponsorPaymaster(vm.addr(SPONSOR_PK), address(this));
        paymaster.deposit{value: 10 ether}();
        vm.deal(address(account), 0);
        token.mint(address(account), 100);
    }

    function _passkeyOp(bytes memory callData) internal view returns (EpUserOp memory op) {
        op.sender = address(account);
        op.nonce = IEntryPoint(ENTRY_POINT).getNonce(address(account), 0);
        op.callData = callData;
        op.accountGasLimits = bytes32((uint256(2_000_000) << 128) | CALL_GAS); // P-256 without precompile
        op.preVerificationGas = PRE_VERIFICATION_GAS;
        op.gasFees = bytes32((uint256(1 gwei) << 128) | MAX_FEE);
    }

    /// @dev `paymasterAndData` up to (not including) the sponsor's signature.
    function _unsigned(uint48 validAfter, uint48 validUntil) internal view returns (bytes memory) {
        return abi.encodePacked(
            address(paymaster), uint128(PM_VERIFICATION_GAS), uint128(PM_POST_OP_GAS), validAfter, validUntil
        );
    }

    function _asOz(EpUserOp memory op) internal pure returns (PackedUserOperation memory oz) {
        oz = PackedUserOperation(
            op.sender,
            op.nonce,
            op.initCode,
            op.callData,
            op.accountGasLimits,
            op.preVerificationGas,
            op.gasFees,
            op.paymasterAndData,
            op.signature
        );
    }

    /// @dev Signs `op` for the paymaster with `pk` over the window, then with the passkey.
    function _sponsor(EpUserOp memory op, uint256 pk, uint48 validAfter, uint48 validUntil)
        internal
        view
        returns (EpUserOp memory)
    {
        op.paymasterAndData = _unsigned(validAfter, validUntil);
        bytes32 digest = paymaster.sponsorHash(_asOz(op), validAfter, validUntil);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        op.paymasterAndData = abi.encodePacked(op.paymasterAndData, r, s, v);
        return _passkey(op);
    }

    function _passkey(EpUserOp memory op) internal view returns (EpUserOp memory) {
        op.signature = abi.encodePacked(address(webAuthn), passkeySig(IEntryPoint(ENTRY_POINT).getUserOpHash(op)));
        return op;
    }

    function _handle(EpUserOp memory op) internal {
        EpUserOp[] memory ops = new EpUserOp[](1);
        ops[0] = op;
        vm.prank(BUNDLER, BUNDLER);
        IEntryPoint(ENTRY_POINT).handleOps(ops, payable(BENEFICIARY));
    }

    function _transfer(uint256 amount) internal view returns (bytes memory) {
        return _single(address(token), 0, abi.encodeCall(IERC20.transfer, (RECIPIENT, amount)));
    }

    function test_paysForAnAccountWithNoEth() public {
        uint256 deposit = IEntryPoint(ENTRY_POINT).balanceOf(address(paymaster));
        _handle(_sponsor(_passkeyOp(_transfer(7)), SPONSOR_PK, 0, 0));
        assertEq(token.balanceOf(RECIPIENT), 7, "transferred");
        assertEq(address(account).balance, 0, "the account paid nothing");
        assertTrue(IEntryPoint(ENTRY_POINT).balanceOf(address(paymaster)) < deposit, "the paymaster paid");
    }

    function test_refusesAnotherSigner() public {
        EpUserOp memory op = _sponsor(_passkeyOp(_transfer(7)), SPONSOR_PK + 1, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA34 signature error"));
        _handle(op);
    }

    function test_signatureBindsTheOperation() public {
        EpUserOp memory op = _sponsor(_passkeyOp(_transfer(7)), SPONSOR_PK, 0, 0);
        op.callData = _transfer(99); // another operation under the same sponsorship
        op = _passkey(op);
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA34 signature error"));
        _handle(op);
    }

    function test_signatureBindsTheGas() public {
        EpUserOp memory op = _sponsor(_passkeyOp(_transfer(7)), SPONSOR_PK, 0, 0);
        op.gasFees = bytes32((uint256(1 gwei) << 128) | (MAX_FEE * 50)); // the sponsor would pay 50 times more
        op = _passkey(op);
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA34 signature error"));
        _handle(op);
    }

    function test_refusesOutsideTheWindow() public {
        vm.warp(1_000_000);
        EpUserOp memory late = _sponsor(_passkeyOp(_transfer(7)), SPONSOR_PK, 0, 999_999);
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA32 paymaster expired or not due"));
        _handle(late);
        EpUserOp memory early = _sponsor(_passkeyOp(_transfer(7)), SPONSOR_PK, 1_000_001, 2_000_000);
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA32 paymaster expired or not due"));
        _handle(early);
        _handle(_sponsor(_passkeyOp(_transfer(7)), SPONSOR_PK, 999_000, 1_000_000));
        assertEq(token.balanceOf(RECIPIENT), 7, "inside the window");
    }

    function test_onlyTheOwnerMovesFundsAndTheSigner() public {
        address stranger = address(0x5742);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        paymaster.withdraw(payable(stranger), 1 ether);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        paymaster.setSigner(stranger);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        paymaster.addStake{value: 0}(1);

        paymaster.setSigner(vm.addr(SPONSOR_PK + 1));
        EpUserOp memory op = _sponsor(_passkeyOp(_transfer(7)), SPONSOR_PK, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA34 signature error"));
        _handle(op);
        _handle(_sponsor(_passkeyOp(_transfer(7)), SPONSOR_PK + 1, 0, 0));
        assertEq(token.balanceOf(RECIPIENT), 7, "the new signer sponsors");
    }

    /// @dev Whatever word of the signed operation changes after signing, the paymaster refuses it.
    function testFuzz_anyChangeAfterSigningIsRefused(uint8 field, uint256 noise) public {
        vm.assume(noise != 0);
        EpUserOp memory op = _sponsor(_passkeyOp(_transfer(7)), SPONSOR_PK, 0, 0);
        field = field % 4;
        // a nonzero key: uint192(noise) alone can be 0 (the signed key) for a noise with only high bits set
        if (field == 0) {
            // forge-lint: disable-next-line(unsafe-typecast)
            op.nonce = IEntryPoint(ENTRY_POINT).getNonce(address(account), uint192(noise % type(uint192).max) + 1);
        }
        if (field == 1) op.preVerificationGas ^= noise % 1_000_000 == 0 ? 1 : noise % 1_000_000;
        if (field == 2) op.accountGasLimits = bytes32(uint256(op.accountGasLimits) ^ (1 + noise % 1_000_000));
        if (field == 3) op.callData = _transfer(8 + noise % 90);
        op = _passkey(op);
        vm.expectRevert();
        _handle(op);
        assertEq(token.balanceOf(RECIPIENT), 0, "nothing moved");
    }
}
