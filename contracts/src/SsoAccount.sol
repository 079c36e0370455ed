// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccountERC7579} from "@openzeppelin/contracts/account/extensions/draft-AccountERC7579.sol";
import {ERC7579Utils, Mode, CallType} from "@openzeppelin/contracts/account/utils/draft-ERC7579Utils.sol";
import {IEntryPoint, PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {IERC7579Module, MODULE_TYPE_VALIDATOR} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title SsoAccount
/// @notice ERC-4337 (EntryPoint v0.8) + ERC-7579 smart account owned by validator modules (passkeys, sessions).
/// Deployed as ERC-1167 minimal-proxy clones with one immutable argument (the default validator) by
/// {AccountFactory}.
/// @dev Validator selection: `userOp.signature = validatorAddress (20 bytes) ‖ validator data`; the account routes
/// to that validator if it is installed, else validation fails. ERC-1271 signatures use the same prefix.
/// Execution: call types single (0x00) and batch (0x01), exec types default (0x00) and try (0x01);
/// delegatecall is not supported. The EIP-712 domain (ERC-5267) is `{name: "SsoAccount", version: "1", chainId,
/// verifyingContract: <the clone>}`, used by validators for ERC-7739 replay protection.
///
/// Validators (gas): the clone's immutable argument is its *default validator* (the factory's WebAuthnValidator).
/// It counts as installed from deployment, without any storage write, until it is uninstalled (a flag is then set;
/// re-installing clears it). Other validators are recorded in a plain mapping (ERC-7579 needs no enumeration).
/// Executors and fallback handlers use OpenZeppelin's `AccountERC7579` storage unchanged.
contract SsoAccount is AccountERC7579, EIP712 {
    /// @dev Canonical ERC-4337 EntryPoint v0.8.
    IEntryPoint private constant _ENTRY_POINT_V08 = IEntryPoint(0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108);
    /// @dev Runtime size of an ERC-1167 clone (45 bytes) with a 20-byte immutable argument.
    uint256 private constant _CLONE_WITH_ARG_SIZE = 0x41;

    /// @dev This implementation (clones delegatecall into it; immutables live in its code).
    address private immutable _SELF;

    /// @dev Non-default validators that are installed.
    mapping(address module => bool) private _installedValidators;
    /// @dev Non-zero once the default validator has been uninstalled (cleared when it is re-installed).
    bool private _defaultValidatorUninstalled;

    /// @notice `initialize` was not called by the CREATE2 deployer of this clone with the clone's salt (this also
    /// rejects calls on the implementation and any second call, since the factory initializes right after
    /// deploying and never again).
    error InvalidInitialization();

    /// @notice Records the implementation address; the implementation itself can never be initialized.
    constructor() EIP712("SsoAccount", "1") {
        _SELF = address(this);
    }

    /// @notice Initializes a fresh clone by running the `onInstall` hook of its default validator (the clone's
    /// immutable argument) and emitting `ModuleInstalled`. Only the clone's CREATE2 deployer can call it: the
    /// caller must prove it with the CREATE2 salt (the clone's address is recomputed from `msg.sender`).
    /// @param cloneSalt The CREATE2 salt the clone was deployed with.
    /// @param validatorData The default validator's `onInstall` data.
    function initialize(bytes32 cloneSalt, bytes calldata validatorData) external {
        address validator = _defaultValidator();
        require(
            validator != address(0)
                && Clones.predictDeterministicAddressWithImmutableArgs(
                        _SELF, abi.encodePacked(validator), cloneSalt, msg.sender
                    ) == address(this),
            InvalidInitialization()
        );
        require(
            IERC7579Module(validator).isModuleType(MODULE_TYPE_VALIDATOR),
            ERC7579Utils.ERC7579MismatchedModuleTypeId(MODULE_TYPE_VALIDATOR, validator)
        );
        IERC7579Module(validator).onInstall(validatorData);
        emit ModuleInstalled(MODULE_TYPE_VALIDATOR, validator);
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

    /// @notice Whether a module is installed (ERC-7579). Validators: the default validator unless it was
    /// uninstalled, or any validator installed later; executors and fallback handlers as in `AccountERC7579`.
    /// @param moduleTypeId The module type (1 validator, 2 executor, 3 fallback handler).
    /// @param module The module.
    /// @param additionalContext For fallback handlers, the selector (first 4 bytes).
    /// @return True iff installed.
    function isModuleInstalled(uint256 moduleTypeId, address module, bytes calldata additionalContext)
        public
        view
        override
        returns (bool)
    {
        if (moduleTypeId == MODULE_TYPE_VALIDATOR) return _isValidatorInstalled(module);
        return super.isModuleInstalled(moduleTypeId, module, additionalContext);
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

    /// @dev Validators are recorded without `EnumerableSet` (see the contract notes); same checks, errors, hook
    /// call and event as `AccountERC7579`.
    function _installModule(uint256 moduleTypeId, address module, bytes memory initData) internal override {
        if (moduleTypeId != MODULE_TYPE_VALIDATOR) {
            super._installModule(moduleTypeId, module, initData);
            return;
        }
        require(
            IERC7579Module(module).isModuleType(moduleTypeId),
            ERC7579Utils.ERC7579MismatchedModuleTypeId(moduleTypeId, module)
        );
        require(!_isValidatorInstalled(module), ERC7579Utils.ERC7579AlreadyInstalledModule(moduleTypeId, module));
        if (module == _defaultValidator()) _defaultValidatorUninstalled = false;
        else _installedValidators[module] = true;
        IERC7579Module(module).onInstall(initData);
        emit ModuleInstalled(moduleTypeId, module);
    }

    /// @dev Counterpart of {_installModule}; same checks, errors, hook call and event as `AccountERC7579`.
    function _uninstallModule(uint256 moduleTypeId, address module, bytes memory deInitData) internal override {
        if (moduleTypeId != MODULE_TYPE_VALIDATOR) {
            super._uninstallModule(moduleTypeId, module, deInitData);
            return;
        }
        require(_isValidatorInstalled(module), ERC7579Utils.ERC7579UninstalledModule(moduleTypeId, module));
        if (module == _defaultValidator()) _defaultValidatorUninstalled = true;
        else delete _installedValidators[module];
        IERC7579Module(module).onUninstall(deInitData);
        emit ModuleUninstalled(moduleTypeId, module);
    }

    /// @dev Whether `module` is an installed validator.
    function _isValidatorInstalled(address module) private view returns (bool) {
        if (module == address(0)) return false;
        if (module == _defaultValidator()) return !_defaultValidatorUninstalled;
        return _installedValidators[module];
    }

    /// @dev The clone's immutable argument (20 bytes after the 45-byte ERC-1167 code), or address(0) when this
    /// code is not a clone with exactly that argument (e.g. the implementation itself).
    function _defaultValidator() private view returns (address validator) {
        assembly ("memory-safe") {
            if eq(extcodesize(address()), _CLONE_WITH_ARG_SIZE) {
                extcodecopy(address(), 0x00, 0x2d, 0x14)
                validator := shr(96, mload(0x00))
            }
        }
    }

    /// @dev The validator is the 20-byte prefix of the signature; address(0) (never installed, so validation
    /// fails) when the signature is shorter than 20 bytes.
    function _extractUserOpValidator(PackedUserOperation calldata userOp) internal pure override returns (address) {
        return userOp.signature.length < 20 ? address(0) : address(bytes20(userOp.signature[:20]));
    }
}
