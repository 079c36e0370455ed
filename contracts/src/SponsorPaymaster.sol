// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEntryPoint, PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {PaymasterSigner} from "@openzeppelin/contracts/account/paymaster/extensions/PaymasterSigner.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignerECDSA} from "@openzeppelin/contracts/utils/cryptography/signers/SignerECDSA.sol";

/// @title SponsorPaymaster
/// @notice A verifying paymaster for EntryPoint v0.8: it pays for a UserOperation that its sponsor's off-chain
/// service signed (ERC-7677 `pm_getPaymasterData`), within the validity window signed with it. The service decides
/// whom it sponsors; the chain only checks the signature.
/// @dev OpenZeppelin's {PaymasterSigner} with an ECDSA signer. `paymasterData` = `validAfter (6 bytes) ‖
/// validUntil (6 bytes) ‖ signature (65 bytes)`; the signature is EIP-712 over `UserOperationRequest` (sender,
/// nonce, initCode and callData hashes, the gas limits and fees, the paymaster gas limits and the window) under the
/// domain `{name: "SponsorPaymaster", version: "1", chainId, verifyingContract: this}`. Validation reads the
/// signer from storage, so ERC-7562 wants the paymaster staked ({addStake}). The owner funds it ({deposit}),
/// withdraws, stakes and rotates the signer.
contract SponsorPaymaster is PaymasterSigner, SignerECDSA, Ownable {
    /// @dev Canonical ERC-4337 EntryPoint v0.8 (the one the SSO Wallet account trusts).
    IEntryPoint private constant _ENTRY_POINT_V08 = IEntryPoint(0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108);

    /// @notice Emitted when the owner sets another signer.
    /// @param signer The sponsor's new signing address.
    event SignerChanged(address indexed signer);

    /// @notice Sets the sponsor's signing address and the owner.
    /// @param signer_ The address whose signatures the paymaster honours.
    /// @param owner_ Who funds, stakes and withdraws.
    constructor(address signer_, address owner_) EIP712("SponsorPaymaster", "1") SignerECDSA(signer_) Ownable(owner_) {}

    /// @notice The EntryPoint it pays through: v0.8.
    function entryPoint() public pure override returns (IEntryPoint) {
        return _ENTRY_POINT_V08;
    }

    /// @notice Adds `msg.value` to the paymaster's deposit in the EntryPoint (anyone may fund it).
    function deposit() external payable {
        _deposit(msg.value);
    }

    /// @notice Withdraws `value` of the deposit to `to`.
    function withdraw(address payable to, uint256 value) external onlyOwner {
        _withdraw(to, value);
    }

    /// @notice Stakes `msg.value` with an unstake delay of `unstakeDelaySec`.
    function addStake(uint32 unstakeDelaySec) external payable onlyOwner {
        _addStake(msg.value, unstakeDelaySec);
    }

    /// @notice Starts the unstake delay.
    function unlockStake() external onlyOwner {
        _unlockStake();
    }

    /// @notice Withdraws the unlocked stake to `to`.
    function withdrawStake(address payable to) external onlyOwner {
        _withdrawStake(to);
    }

    /// @notice Makes `signer_` the address whose signatures the paymaster honours.
    function setSigner(address signer_) external onlyOwner {
        _setSigner(signer_);
        emit SignerChanged(signer_);
    }

    /// @notice The EIP-712 hash the sponsor signs for `userOp` (its `paymasterAndData` carrying this paymaster and
    /// its gas limits) and the window `[validAfter, validUntil]`.
    function sponsorHash(PackedUserOperation calldata userOp, uint48 validAfter, uint48 validUntil)
        external
        view
        returns (bytes32)
    {
        return _signableUserOpHash(userOp, validAfter, validUntil);
    }
}
