// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccountERC7579} from "@openzeppelin/contracts/account/extensions/draft-AccountERC7579.sol";
import {ERC7579Utils, Mode, CallType} from "@openzeppelin/contracts/account/utils/draft-ERC7579Utils.sol";
import {IEntryPoint, PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {
    IERC7579Module,
    IERC7579Validator,
    MODULE_TYPE_VALIDATOR,
    MODULE_TYPE_EXECUTOR,
    MODULE_TYPE_FALLBACK
} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ERC721Holder} from "@openzeppelin/contracts/token/ERC721/utils/ERC721Holder.sol";
import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";
import {AccountProxy} from "./AccountProxy.sol";
import {Errors} from "@openzeppelin/contracts/utils/Errors.sol";

/// @title SsoAccount
/// @notice ERC-4337 (EntryPoint v0.8) + ERC-7579 smart account owned by validator modules (passkeys, sessions).
/// Deployed as {AccountProxy} clones (ERC-1167 plus an early stop for plain ETH transfers, so that a 2,300-gas
/// `transfer()` to the account succeeds; 52 bytes of code) by {AccountFactory}.
/// @dev Validator selection: `userOp.signature = validatorAddress (20 bytes) ‖ validator data`; the account routes
/// to that validator if it is installed, else validation fails. ERC-1271 signatures use the same prefix.
/// Execution: call types single (0x00) and batch (0x01), exec types default (0x00) and try (0x01);
/// delegatecall is not supported. The EIP-712 domain (ERC-5267) is `{name: "SsoAccount", version: "1", chainId,
/// verifyingContract: <the clone>}`, used by validators for ERC-7739 replay protection.
/// Tokens: every account accepts ERC-721 and ERC-1155 safe transfers and mints from deployment (OpenZeppelin's
/// `ERC721Holder` / `ERC1155Holder` hooks, and ERC-165 answers for them), with no module to install.
///
/// Validators (gas): the implementation's immutable `defaultValidator` (the factory's WebAuthnValidator, checked to
/// be a validator once, at construction) is every clone's *default validator*. It counts as installed on a clone
/// from deployment, without any storage write, until it is uninstalled (a flag is then set; re-installing clears
/// it); on the implementation itself no validator is ever installed. Other validators are recorded in a plain
/// mapping (ERC-7579 needs no enumeration). Executors and fallback handlers are recorded the same way (a mapping
/// each; `AccountERC7579`'s own sets stay empty), with the same checks, errors and events.
/// Uninstalling: a module's `onUninstall` is called but cannot block its removal (the account refuses delegatecall,
/// so `AccountERC7579`'s escape from a module that reverts there does not exist here): the module is removed first,
/// then called with a fixed 2,000,000 gas (the uninstall reverts with {UninstallNeedsMoreGas} when it cannot give
/// that much, so a call starved by the caller's gas limit is never taken for the module's failure); if the call
/// fails, {ModuleUninstallCallFailed} says so and the uninstall stands. Modules are
/// uninstalled the way wallets show them, read from `ModuleInstalled` / `ModuleUninstalled` events.
/// Hot paths (gas): `validateUserOp` forwards the UserOp to the validator by copying its ABI encoding from this
/// call's calldata, and `execute` runs a single call with the default exec type without decoding through
/// `ERC7579Utils` and without copying the return data (which `execute` does not return); both behave exactly as
/// the `AccountERC7579` code they replace.
contract SsoAccount is AccountERC7579, EIP712, ERC721Holder, ERC1155Holder {
    /// @dev Canonical ERC-4337 EntryPoint v0.8.
    IEntryPoint private constant _ENTRY_POINT_V08 = IEntryPoint(0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108);
    /// @dev This implementation (clones delegatecall into it; immutables live in its code).
    address private immutable _SELF;
    /// @dev Every clone's default validator.
    address private immutable _DEFAULT_VALIDATOR;
    /// @dev `keccak256` of the ERC-1167 creation code of a clone of this implementation (for CREATE2 addresses).
    bytes32 private immutable _CLONE_INITCODE_HASH;

    /// @dev Non-default validators that are installed.
    mapping(address module => bool) private _installedValidators;
    /// @dev Non-zero once the default validator has been uninstalled (cleared when it is re-installed).
    bool private _defaultValidatorUninstalled;
    /// @dev The gas a module's `onUninstall` is given: enough to close many sessions, and a bound on what a module
    /// that burns gas can cost.
    uint256 private constant _ON_UNINSTALL_GAS = 2_000_000;

    /// @dev Installed executors.
    mapping(address module => bool) private _installedExecutors;
    /// @dev The fallback handler of each selector (address(0): none).
    mapping(bytes4 selector => address module) private _fallbackHandlers;

    /// @notice A module was uninstalled, but its `onUninstall` reverted (or ran out of gas): its own state for this
    /// account may remain. The module is uninstalled all the same.
    /// @param moduleTypeId The module type.
    /// @param module The module.
    event ModuleUninstallCallFailed(uint256 moduleTypeId, address module);

    /// @notice An uninstall was called with too little gas to give the module's `onUninstall` its full allowance
    /// (so a starved call can never pass for the module's own failure; gas estimation raises the limit instead).
    error UninstallNeedsMoreGas();

    /// @notice `initialize` was not called by the CREATE2 deployer of this clone with the clone's salt (this also
    /// rejects calls on the implementation and any second call, since the factory initializes right after
    /// deploying and never again).
    error InvalidInitialization();

    /// @notice Records the implementation address and the clones' default validator, which must report validator
    /// module type (checked here once instead of on every clone's initialization). The implementation itself can
    /// never be initialized and has no validator installed.
    /// @param defaultValidator The default validator of every clone (the factory's WebAuthnValidator).
    constructor(address defaultValidator) EIP712("SsoAccount", "1") {
        require(
            IERC7579Module(defaultValidator).isModuleType(MODULE_TYPE_VALIDATOR),
            ERC7579Utils.ERC7579MismatchedModuleTypeId(MODULE_TYPE_VALIDATOR, defaultValidator)
        );
        _SELF = address(this);
        _DEFAULT_VALIDATOR = defaultValidator;
        // The creation code of a clone of this implementation, as {AccountFactory} deploys it.
        _CLONE_INITCODE_HASH = keccak256(AccountProxy.creationCode(address(this)));
    }

    /// @notice Initializes a fresh clone by running the `onInstall` hook of its default validator and emitting
    /// `ModuleInstalled`. Only the clone's CREATE2 deployer can call it: the caller must prove it with the CREATE2
    /// salt (the clone's address is recomputed from `msg.sender`).
    /// @param cloneSalt The CREATE2 salt the clone was deployed with.
    /// @param validatorData The default validator's `onInstall` data.
    function initialize(bytes32 cloneSalt, bytes calldata validatorData) external {
        bytes32 initCodeHash = _CLONE_INITCODE_HASH;
        address clone;
        assembly ("memory-safe") {
            // address(keccak256(0xff ‖ msg.sender ‖ cloneSalt ‖ initCodeHash)), hashed in unallocated memory
            let ptr := mload(0x40)
            mstore(ptr, or(shl(160, 0xff), caller()))
            mstore(add(ptr, 0x20), cloneSalt)
            mstore(add(ptr, 0x40), initCodeHash)
            clone := and(keccak256(add(ptr, 0x0b), 0x55), 0xffffffffffffffffffffffffffffffffffffffff)
        }
        require(clone == address(this), InvalidInitialization());
        address validator = _DEFAULT_VALIDATOR;
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
    /// uninstalled, or any validator installed later; executors: installed and not uninstalled since; fallback
    /// handlers: the handler of the selector in `additionalContext`'s first 4 bytes (false when shorter).
    /// @param moduleTypeId The module type (1 validator, 2 executor, 3 fallback handler).
    /// @param module The module.
    /// @param additionalContext For fallback handlers, the selector (first 4 bytes).
    /// @return True iff installed (false for any other module type).
    function isModuleInstalled(uint256 moduleTypeId, address module, bytes calldata additionalContext)
        public
        view
        override
        returns (bool)
    {
        if (moduleTypeId == MODULE_TYPE_VALIDATOR) return _isValidatorInstalled(module);
        if (moduleTypeId == MODULE_TYPE_EXECUTOR) return _installedExecutors[module];
        if (moduleTypeId == MODULE_TYPE_FALLBACK) {
            return module != address(0) && additionalContext.length >= 4
                && _fallbackHandlers[bytes4(additionalContext[:4])] == module;
        }
        return false;
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

    /// @notice Executes a call or a batch of calls (ERC-7579) on behalf of the account; only the EntryPoint or the
    /// account itself may call it.
    /// @dev Single call with the default exec type (mode bytes 0 and 1 zero): `executionCalldata = target (20) ‖
    /// value (32) ‖ callData`, reverting (without data) if shorter than 52 bytes; target zero means the account;
    /// a failed call reverts with its revert data, or `FailedCall()` if it has none. Every other mode goes through
    /// {_execute} (delegatecall refused).
    /// @param mode The ERC-7579 execution mode.
    /// @param executionCalldata The encoded execution(s).
    function execute(bytes32 mode, bytes calldata executionCalldata) public payable override onlyEntryPointOrSelf {
        // forge-lint: disable-next-line(unsafe-typecast)
        if (bytes2(mode) != 0) {
            _execute(Mode.wrap(mode), executionCalldata);
            return;
        }
        bool success;
        assembly ("memory-safe") {
            if lt(executionCalldata.length, 52) { revert(0x00, 0x00) }
            let target := shr(96, calldataload(executionCalldata.offset))
            if iszero(target) { target := address() }
            let length := sub(executionCalldata.length, 52)
            let ptr := mload(0x40)
            calldatacopy(ptr, add(executionCalldata.offset, 52), length)
            success := call(gas(), target, calldataload(add(executionCalldata.offset, 20)), ptr, length, 0x00, 0x00)
            if and(iszero(success), iszero(iszero(returndatasize()))) {
                returndatacopy(ptr, 0x00, returndatasize())
                revert(ptr, returndatasize())
            }
        }
        if (!success) revert Errors.FailedCall();
    }

    /// @dev Delegatecall execution is refused (a module or call could otherwise rewrite the account's storage).
    function _execute(Mode mode, bytes calldata executionCalldata) internal override returns (bytes[] memory) {
        CallType callType = CallType.wrap(bytes1(Mode.unwrap(mode))); // ERC-7579 call type: the mode's first byte
        if (callType == ERC7579Utils.CALLTYPE_DELEGATECALL) revert ERC7579Utils.ERC7579UnsupportedCallType(callType);
        return super._execute(mode, executionCalldata);
    }

    /// @dev Same as `AccountERC7579`: the validator named by the signature prefix validates the UserOp if it is
    /// installed, else `SIG_VALIDATION_FAILED`. The call `validator.validateUserOp(userOp, userOpHash)` is built by
    /// copying `userOp`'s ABI encoding (the tuple, whose offsets are relative to its start, through the end of the
    /// calldata) instead of re-encoding it; a revert of the validator is bubbled up, and return data shorter than
    /// one word reverts, as with a high-level call.
    function _validateUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash, bytes calldata)
        internal
        override
        returns (uint256 validationData)
    {
        address module = _extractUserOpValidator(userOp);
        if (!_isValidatorInstalled(module)) return 1; // SIG_VALIDATION_FAILED
        bytes4 selector = IERC7579Validator.validateUserOp.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let length := sub(calldatasize(), userOp)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), 0x40) // offset of the userOp tuple
            mstore(add(ptr, 0x24), userOpHash)
            calldatacopy(add(ptr, 0x44), userOp, length)
            if iszero(call(gas(), module, 0, ptr, add(0x44, length), 0x00, 0x20)) {
                returndatacopy(ptr, 0x00, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0x20) { revert(0x00, 0x00) }
            validationData := mload(0x00)
        }
    }

    /// @dev Modules are recorded in plain mappings (see the contract notes); same checks, errors, hook call and
    /// event as `AccountERC7579`. A fallback handler's `initData` is `selector (4 bytes) ‖ its onInstall data`.
    function _installModule(uint256 moduleTypeId, address module, bytes memory initData) internal override {
        require(supportsModule(moduleTypeId), ERC7579Utils.ERC7579UnsupportedModuleType(moduleTypeId));
        require(
            IERC7579Module(module).isModuleType(moduleTypeId),
            ERC7579Utils.ERC7579MismatchedModuleTypeId(moduleTypeId, module)
        );
        if (moduleTypeId == MODULE_TYPE_VALIDATOR) {
            require(!_isValidatorInstalled(module), ERC7579Utils.ERC7579AlreadyInstalledModule(moduleTypeId, module));
            if (module == _DEFAULT_VALIDATOR) _defaultValidatorUninstalled = false;
            else _installedValidators[module] = true;
        } else if (moduleTypeId == MODULE_TYPE_EXECUTOR) {
            require(!_installedExecutors[module], ERC7579Utils.ERC7579AlreadyInstalledModule(moduleTypeId, module));
            _installedExecutors[module] = true;
        } else {
            bytes4 selector;
            (selector, initData) = _decodeFallbackData(initData);
            require(
                _fallbackHandlers[selector] == address(0),
                ERC7579Utils.ERC7579AlreadyInstalledModule(moduleTypeId, module)
            );
            _fallbackHandlers[selector] = module;
        }
        IERC7579Module(module).onInstall(initData);
        emit ModuleInstalled(moduleTypeId, module);
    }

    /// @dev Counterpart of {_installModule}, same checks and errors; a fallback handler's `deInitData` is
    /// `selector ‖ its onUninstall data`. The module is removed before its `onUninstall` is called, and a failing
    /// call does not undo it (see the contract notes).
    function _uninstallModule(uint256 moduleTypeId, address module, bytes memory deInitData) internal override {
        require(supportsModule(moduleTypeId), ERC7579Utils.ERC7579UnsupportedModuleType(moduleTypeId));
        if (moduleTypeId == MODULE_TYPE_VALIDATOR) {
            require(_isValidatorInstalled(module), ERC7579Utils.ERC7579UninstalledModule(moduleTypeId, module));
            if (module == _DEFAULT_VALIDATOR) _defaultValidatorUninstalled = true;
            else delete _installedValidators[module];
        } else if (moduleTypeId == MODULE_TYPE_EXECUTOR) {
            require(_installedExecutors[module], ERC7579Utils.ERC7579UninstalledModule(moduleTypeId, module));
            delete _installedExecutors[module];
        } else {
            bytes4 selector;
            (selector, deInitData) = _decodeFallbackData(deInitData);
            require(
                module != address(0) && _fallbackHandlers[selector] == module,
                ERC7579Utils.ERC7579UninstalledModule(moduleTypeId, module)
            );
            delete _fallbackHandlers[selector];
        }
        bytes memory hook = abi.encodeCall(IERC7579Module.onUninstall, (deInitData));
        // EIP-150 passes at most 63/64 of what is left: with this much, the call gets its full allowance.
        require(gasleft() > _ON_UNINSTALL_GAS + _ON_UNINSTALL_GAS / 63 + 5_000, UninstallNeedsMoreGas());
        bool success;
        uint256 allowance = _ON_UNINSTALL_GAS;
        assembly ("memory-safe") {
            // No return data is copied (a module cannot make the account pay for a large one).
            success := call(allowance, module, 0, add(hook, 0x20), mload(hook), 0x00, 0x00)
        }
        if (!success) emit ModuleUninstallCallFailed(moduleTypeId, module);
        emit ModuleUninstalled(moduleTypeId, module);
    }

    /// @dev The handler installed for `selector` (address(0): none).
    function _fallbackHandler(bytes4 selector) internal view override returns (address) {
        return _fallbackHandlers[selector];
    }

    /// @dev Whether `module` is an installed validator (on the implementation itself: never).
    function _isValidatorInstalled(address module) private view returns (bool) {
        if (module == address(0) || address(this) == _SELF) return false;
        if (module == _DEFAULT_VALIDATOR) return !_defaultValidatorUninstalled;
        return _installedValidators[module];
    }

    /// @dev The validator is the 20-byte prefix of the signature; address(0) (never installed, so validation
    /// fails) when the signature is shorter than 20 bytes.
    function _extractUserOpValidator(PackedUserOperation calldata userOp) internal pure override returns (address) {
        return userOp.signature.length < 20 ? address(0) : address(bytes20(userOp.signature[:20]));
    }
}
