// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccountERC7579} from "@openzeppelin/contracts/account/extensions/draft-AccountERC7579.sol";
import {ERC7579Utils, Mode, CallType} from "@openzeppelin/contracts/account/utils/draft-ERC7579Utils.sol";
import {IEntryPoint, PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {MODULE_TYPE_VALIDATOR} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title SsoAccount
/// @notice ERC-4337 (EntryPoint v0.8) + ERC-7579 smart account owned by validator modules (passkeys, sessions).
/// Deployed as ERC-1167 minimal-proxy clones by {AccountFactory}.
/// @dev Validator selection: `userOp.signature = validatorAddress (20 bytes) ‖ validator data`; the account routes
/// to that validator if it is installed, else validation fails. ERC-1271 signatures use the same prefix.
/// Execution: call types single (0x00) and batch (0x01), exec types default (0x00) and try (0x01);
/// delegatecall is not supported. The EIP-712 domain (ERC-5267) is `{name: "SsoAccount", version: "1", chainId,
/// verifyingContract: <the clone>}`, used by validators for ERC-7739 replay protection.
contract SsoAccount is AccountERC7579, EIP712, Initializable {
    /// @dev Canonical ERC-4337 EntryPoint v0.8.
    IEntryPoint private constant _ENTRY_POINT_V08 = IEntryPoint(0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108);

    /// @notice Disables initializers on the implementation; clones are initialized by the factory.
    constructor() EIP712("SsoAccount", "1") {
        _disableInitializers();
    }

    /// @notice Initializes a fresh clone by installing its first validator (callable once).
    /// @param validator The ERC-7579 validator module (type 1) to install.
    /// @param validatorData The module's `onInstall` data.
    function initialize(address validator, bytes calldata validatorData) external initializer {
        _installModule(MODULE_TYPE_VALIDATOR, validator, validatorData);
    }

    /// @notice The ERC-4337 EntryPoint this account trusts (v0.8 at its canonical address).
    /// @return The EntryPoint.
    function entryPoint() public pure override returns (IEntryPoint) {
        return _ENTRY_POINT_V08;
    }

    /// @notice Identifier of the account implementation (ERC-7579).
    /// @return `"sso-wallet.SsoAccount.v1.0.0"`.
    function accountId() public pure override returns (string memory) {
        return "sso-wallet.SsoAccount.v1.0.0";
    }

    /// @notice Whether an ERC-7579 execution mode is supported: call type single or batch, exec type default or try.
    /// @param encodedMode The ERC-7579 mode.
    /// @return True iff supported.
    function supportsExecutionMode(bytes32 encodedMode) public view override returns (bool) {
        (CallType callType,,,) = ERC7579Utils.decodeMode(Mode.wrap(encodedMode));
        return !(callType == ERC7579Utils.CALLTYPE_DELEGATECALL) && super.supportsExecutionMode(encodedMode);
    }

    /// @notice ERC-1271 signature check: `signature = validatorAddress ‖ data`, routed to the validator's
    /// `isValidSignatureWithSender(msg.sender, hash, data)`. Also answers the ERC-7739 support probe
    /// (`hash == 0x7739…7739`, empty signature) with `0x77390001`.
    /// @param hash The signed hash.
    /// @param signature The prefixed signature.
    /// @return `0x1626ba7e` if valid, `0xffffffff` otherwise (or `0x77390001` for the probe).
    function isValidSignature(bytes32 hash, bytes calldata signature) public view override returns (bytes4) {
        if (hash == 0x7739773977397739773977397739773977397739773977397739773977397739 && signature.length == 0) {
            return 0x77390001;
        }
        return super.isValidSignature(hash, signature);
    }

    /// @dev Delegatecall execution is refused (a module or call could otherwise rewrite the account's storage).
    function _execute(Mode mode, bytes calldata executionCalldata) internal override returns (bytes[] memory) {
        (CallType callType,,,) = ERC7579Utils.decodeMode(mode);
        if (callType == ERC7579Utils.CALLTYPE_DELEGATECALL) revert ERC7579Utils.ERC7579UnsupportedCallType(callType);
        return super._execute(mode, executionCalldata);
    }

    /// @dev The validator is the 20-byte prefix of the signature; address(0) (never installed, so validation
    /// fails) when the signature is shorter than 20 bytes.
    function _extractUserOpValidator(PackedUserOperation calldata userOp) internal pure override returns (address) {
        return userOp.signature.length < 20 ? address(0) : address(bytes20(userOp.signature[:20]));
    }
}
