// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEntryPoint} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {Errors} from "@openzeppelin/contracts/utils/Errors.sol";
import {AccountProxy} from "./AccountProxy.sol";
import {SsoAccount} from "./SsoAccount.sol";

/// @title AccountFactory
/// @notice Deploys {SsoAccount} minimal-proxy clones with CREATE2 at an address that depends only on a salt and
/// the initial passkey (never on `msg.sender`), so the wallet knows the address before deployment and can deploy
/// on its first UserOp through `initCode` without any deploying server.
/// @dev Clones are {AccountProxy} proxies (ERC-1167 plus an early stop for plain ETH transfers) of
/// {accountImplementation}, whose default validator (see {SsoAccount}) must be {webAuthnValidator}: deploy the
/// implementation with `new SsoAccount(webAuthnValidator)`.
/// The factory has no owner, so that its address stays a pure function of its bytecode and constructor arguments
/// (the same CREATE2 address on every chain). Its EntryPoint stake ({addStake}) therefore can never be unlocked
/// or withdrawn.
contract AccountFactory {
    /// @dev Canonical ERC-4337 EntryPoint v0.8 (the one {SsoAccount} trusts).
    IEntryPoint private constant _ENTRY_POINT_V08 = IEntryPoint(0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108);

    /// @notice The {SsoAccount} implementation cloned for every account.
    address public immutable accountImplementation;
    /// @notice The {WebAuthnValidator} installed as every account's first validator.
    address public immutable webAuthnValidator;
    /// @dev `keccak256` of an account's creation code (for CREATE2 addresses).
    bytes32 private immutable _ACCOUNT_INITCODE_HASH;

    /// @notice Emitted when an account is deployed.
    /// @param account The new account.
    /// @param salt The caller-chosen salt (not the CREATE2 salt, which also binds the passkey).
    event AccountCreated(address indexed account, bytes32 indexed salt);

    /// @notice Sets the account implementation and the passkey validator.
    /// @param accountImplementation_ The {SsoAccount} implementation.
    /// @param webAuthnValidator_ The {WebAuthnValidator}.
    constructor(address accountImplementation_, address webAuthnValidator_) {
        accountImplementation = accountImplementation_;
        webAuthnValidator = webAuthnValidator_;
        _ACCOUNT_INITCODE_HASH = keccak256(AccountProxy.creationCode(accountImplementation_));
    }

    /// @notice The counterfactual address of the account for `salt` and the initial passkey.
    /// @param salt Caller-chosen salt.
    /// @param credentialId The WebAuthn credential id of the initial passkey.
    /// @param publicKey The P-256 public key `(x, y)` of the initial passkey.
    /// @param originDomain The WebAuthn origin of the initial passkey.
    /// @return The account address (deployed or not).
    function getAddress(
        bytes32 salt,
        bytes calldata credentialId,
        bytes32[2] calldata publicKey,
        string calldata originDomain
    ) external view returns (address) {
        return Create2.computeAddress(_cloneSalt(salt, credentialId, publicKey, originDomain), _ACCOUNT_INITCODE_HASH);
    }

    /// @notice Deploys and initializes the account (installing {webAuthnValidator} with the passkey), or returns
    /// the existing account without reverting if it is already deployed.
    /// @param salt Caller-chosen salt.
    /// @param credentialId The WebAuthn credential id of the initial passkey.
    /// @param publicKey The P-256 public key `(x, y)` of the initial passkey.
    /// @param originDomain The WebAuthn origin of the initial passkey.
    /// @return account The account address.
    function createAccount(
        bytes32 salt,
        bytes calldata credentialId,
        bytes32[2] calldata publicKey,
        string calldata originDomain
    ) external returns (address account) {
        bytes32 cloneSalt = _cloneSalt(salt, credentialId, publicKey, originDomain);
        account = Create2.computeAddress(cloneSalt, _ACCOUNT_INITCODE_HASH);
        if (account.code.length != 0) return account;
        // CREATE2 directly: OZ's `Create2.deploy` also reads the factory's balance, an opcode ERC-7562 bans while
        // the account is deployed during validation.
        bytes memory code = AccountProxy.creationCode(accountImplementation);
        address deployed;
        assembly ("memory-safe") {
            deployed := create2(0, add(code, 0x20), mload(code), cloneSalt)
        }
        require(deployed == account, Errors.FailedDeployment());
        SsoAccount(payable(account)).initialize(cloneSalt, abi.encode(credentialId, publicKey, originDomain));
        emit AccountCreated(account, salt);
    }

    /// @notice Stakes `msg.value` for this factory in the canonical EntryPoint v0.8
    /// (`0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108`). Anyone may call it: it only adds to the stake.
    /// @dev Why: under ERC-7562, a UserOp that deploys its account (factory in `initCode`) may touch the new
    /// account's associated storage in other contracts — here the WebAuthnValidator's key slots and key count,
    /// written by its `onInstall` — only if the factory is staked (STO-022). The factory has no owner and no way to
    /// call `unlockStake` / `withdrawStake`, so the stake is locked for good: it can never be unlocked or withdrawn
    /// by anyone. EntryPoint rules apply (they revert): `unstakeDelaySec` must be non-zero and at least the current
    /// delay, and the total stake must be non-zero.
    /// @param unstakeDelaySec The unstake delay to record (never used, since the stake is never unlocked, but
    /// bundlers require a minimum, typically one day).
    function addStake(uint32 unstakeDelaySec) external payable {
        _ENTRY_POINT_V08.addStake{value: msg.value}(unstakeDelaySec);
    }

    function _cloneSalt(
        bytes32 salt,
        bytes calldata credentialId,
        bytes32[2] calldata publicKey,
        string calldata originDomain
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(salt, credentialId, publicKey, originDomain));
    }
}
