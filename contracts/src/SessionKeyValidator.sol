// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {
    IERC7579ModuleConfig,
    IERC7579Validator,
    MODULE_TYPE_EXECUTOR,
    MODULE_TYPE_FALLBACK,
    MODULE_TYPE_VALIDATOR
} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SessionLib} from "./libraries/SessionLib.sol";

/// @title SessionKeyValidator
/// @notice ERC-7579 validator module (type 1) for session keys: secp256k1 keys that may sign ERC-4337 UserOps of
/// an account, restricted to policies (call/transfer targets, selectors, values, calldata constraints, fee budget)
/// and an expiry. Data model and encodings follow ZKsync SSO's ERC-4337 `SessionKeyValidator`; see
/// `docs/onchain-spec.md` ("Session validator") for the rules.
/// @dev Only the status and usage counters are stored; the full {SessionLib.SessionSpec} travels in every session
/// signature and is identified by `sessionHash = keccak256(abi.encode(spec))`. Every storage slot read or written
/// during validation is a mapping whose last key is the account, so it is "associated storage" of the sender
/// under ERC-7562. Validation uses no banned opcode: time is enforced only through the returned
/// `validAfter`/`validUntil`.
contract SessionKeyValidator is IERC7579Validator {
    using SessionLib for SessionLib.Condition;

    /// @dev ERC-4337 validation result for a signature/policy failure.
    uint256 private constant _SIG_VALIDATION_FAILED = 1;
    /// @dev ERC-1271 failure value (sessions cannot sign messages).
    bytes4 private constant _ERC1271_INVALID = 0xffffffff;
    /// @dev Minimum lifetime of a new session, in seconds.
    uint256 private constant _MIN_SESSION_DURATION = 60;
    /// @dev Limit id kinds (bits 128..255 of a limit id).
    uint256 private constant _KIND_FEE = 0;
    uint256 private constant _KIND_TRANSFER_VALUE = 1;
    uint256 private constant _KIND_CALL_VALUE = 2;
    uint256 private constant _KIND_CALL_PARAM = 3;
    /// @dev A session's state word holds its status in bits 248..255, for a Lifetime fee limit the fees used in
    /// bits 0..127, and for a Lifetime value limit of transfer policy 0 the value used in bits 128..247 (so fees of
    /// `2^128` wei or more, and transfers of policy 0 totalling `2^120` wei or more, are never accepted: far more
    /// than all the ether in existence, these caps only refuse more).
    uint256 private constant _STATUS_SHIFT = 248;
    uint256 private constant _FEES_MASK = (1 << 128) - 1;
    uint256 private constant _VALUE_SHIFT = 128;
    uint256 private constant _VALUE_MASK = (1 << 120) - 1;
    uint256 private constant _COUNTERS_MASK = (1 << 248) - 1;

    /// @notice Whether a signer has been used by any session of any account (signers are globally unique).
    mapping(address signer => bool) public signerUsed;
    /// @dev sessionHash → account → state word: `status << 248 | transfer0LifetimeValueUsed << 128 |
    /// lifetimeFeesUsed` (one slot, so validation reads the status, a Lifetime fee counter and the Lifetime value
    /// counter of the first transfer policy with a single SLOAD, and writes them with a single SSTORE).
    mapping(bytes32 sessionHash => mapping(address account => uint256)) private _state;
    /// @dev usage key (see {_usageKey}) → account → amount used (every limit except a Lifetime fee limit).
    mapping(bytes32 usageKey => mapping(address account => uint256)) private _used;

    /// @dev Validation accumulator: session, account, the session's state word (updated in memory, written once at
    /// the end), time range, the `periodIds` calldata array and the next unread entry.
    struct Context {
        bytes32 sessionHash;
        address account;
        uint256 state;
        uint256 validAfter;
        uint256 validUntil;
        uint256 periodIdsOffset;
        uint256 periodIdsLength;
        uint256 nextPeriodId;
    }

    /// @notice Emitted when `account` creates a session.
    /// @param account The smart account.
    /// @param sessionHash `keccak256(abi.encode(spec))`.
    /// @param spec The full session spec (the only place it is published on chain).
    event SessionCreated(address indexed account, bytes32 indexed sessionHash, SessionLib.SessionSpec spec);

    /// @notice Emitted when `account` revokes a session (also on uninstall for the listed sessions).
    /// @param account The smart account.
    /// @param sessionHash The revoked session.
    event SessionRevoked(address indexed account, bytes32 indexed sessionHash);

    /// @notice The calling account does not have this validator installed (type 1).
    error ValidatorNotInstalled();
    /// @notice The session already exists (Active or Closed) for the calling account.
    /// @param sessionHash The session.
    error SessionAlreadyExists(bytes32 sessionHash);
    /// @notice The session signer is the zero address.
    error ZeroSigner();
    /// @notice The session signer is already used by a session (of any account).
    /// @param signer The signer.
    error SignerAlreadyUsed(address signer);
    /// @notice The fee limit is Unlimited; sessions must have a bounded fee budget.
    error UnlimitedFees();
    /// @notice `expiresAt` is less than 60 seconds in the future.
    /// @param expiresAt The requested expiry.
    /// @param minExpiresAt The minimum accepted expiry (`block.timestamp + 60`).
    error SessionExpiresTooSoon(uint48 expiresAt, uint256 minExpiresAt);
    /// @notice An Allowance limit has period 0.
    error ZeroAllowancePeriod();
    /// @notice A call policy targets the account itself, or `address(0)`, which the account executes as itself.
    /// @param policyIndex Index in `callPolicies`.
    error CallPolicyTargetsAccount(uint256 policyIndex);
    /// @notice A call policy targets this validator.
    /// @param policyIndex Index in `callPolicies`.
    error CallPolicyTargetsValidator(uint256 policyIndex);
    /// @notice A call policy targets a module installed on the account.
    /// @param policyIndex Index in `callPolicies`.
    /// @param module The module.
    error CallPolicyTargetsModule(uint256 policyIndex, address module);
    /// @notice `proof` is not `spec.signer`'s signature over `keccak256(abi.encode(sessionHash, account))`.
    error InvalidSessionProof();
    /// @notice The session is not Active for the calling account.
    /// @param sessionHash The session.
    error SessionNotActive(bytes32 sessionHash);

    // ------------------------------------------------------------------------------------------------------------
    // ERC-7579 module lifecycle
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Called by the account when the module is installed; optionally creates initial sessions.
    /// @dev `data` is empty, or `abi.encode(SessionSpec[] specs, bytes[] proofs)` (pairwise; same rules and
    /// events as {createSession}). The module is already registered on the account when this runs.
    /// @param data Empty or the initial sessions.
    function onInstall(bytes calldata data) external override {
        if (data.length == 0) return;
        // Decoded from a memory copy of `data`: same validation (reverts on malformed data).
        (SessionLib.SessionSpec[] memory specs, bytes[] memory proofs) = _decodeInstallData(data);
        require(specs.length == proofs.length, InvalidSessionProof());
        for (uint256 i = 0; i < specs.length; ++i) {
            _createSession(msg.sender, specs[i], proofs[i]);
        }
    }

    /// @dev `abi.decode(data, (SessionSpec[], bytes[]))` (reverts on malformed data). `data` is in memory: the
    /// legacy code generator runs out of stack for this decoder when it reads from calldata.
    function _decodeInstallData(bytes memory data)
        private
        pure
        returns (SessionLib.SessionSpec[] memory specs, bytes[] memory proofs)
    {
        (specs, proofs) = abi.decode(data, (SessionLib.SessionSpec[], bytes[]));
    }

    /// @notice Called by the account when the module is uninstalled; closes the listed sessions.
    /// @dev `data` is empty or `abi.encode(bytes32[] sessionHashes)`. Listed sessions that are Active are closed
    /// (emitting {SessionRevoked}); others are skipped so that uninstalling can never be blocked. Sessions not
    /// listed keep their status but are inert while the module is not installed (and usable again if re-installed).
    /// @param data Empty or the sessions to close.
    function onUninstall(bytes calldata data) external override {
        if (data.length == 0) return;
        bytes32[] memory hashes = abi.decode(data, (bytes32[]));
        for (uint256 i = 0; i < hashes.length; ++i) {
            if (_statusOf(hashes[i], msg.sender) == SessionLib.Status.Active) _revoke(msg.sender, hashes[i]);
        }
    }

    /// @notice Whether this module is of the given ERC-7579 module type (only validator, type 1).
    /// @param moduleTypeId The module type id.
    /// @return True iff `moduleTypeId == 1`.
    function isModuleType(uint256 moduleTypeId) external pure override returns (bool) {
        return moduleTypeId == MODULE_TYPE_VALIDATOR;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Session management (msg.sender is the account)
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Creates a session for the calling account.
    /// @dev Reverts with {ValidatorNotInstalled}, {SessionAlreadyExists}, {ZeroSigner}, {SignerAlreadyUsed},
    /// {UnlimitedFees}, {SessionExpiresTooSoon}, {ZeroAllowancePeriod}, {CallPolicyTargetsAccount},
    /// {CallPolicyTargetsValidator}, {CallPolicyTargetsModule} or {InvalidSessionProof} (checked in this order).
    /// A call policy targeting the account or `address(0)` (which the account executes as itself) is refused with
    /// {CallPolicyTargetsAccount}.
    /// A call policy target counts as a module if the account reports it installed as validator (type 1),
    /// executor (type 2), or as the fallback handler (type 3) for the policy's own selector; fallback handlers are
    /// keyed by selector and cannot be enumerated, so a handler registered for other selectors is not detected.
    /// @param spec The session spec.
    /// @param proof 65-byte ECDSA signature `(r, s, v)` by `spec.signer` over
    /// `keccak256(abi.encode(sessionHash, account))` (raw hash, no EIP-191 prefix).
    function createSession(SessionLib.SessionSpec calldata spec, bytes calldata proof) external {
        // The spec is read from calldata and ABI-encoded once: that encoding is hashed and is the event data.
        (bytes memory encodedSpec, bool canonical, bool zeroPeriod) = _encodeSpec(spec);
        bytes32 sessionHash = keccak256(encodedSpec);
        _checkNewSession(msg.sender, sessionHash, spec.signer, spec.feeLimit.limitType, spec.expiresAt);
        if (canonical) require(!zeroPeriod, ZeroAllowancePeriod()); // periods already read by _encodeSpec
        else _checkPeriodsCalldata(spec);
        _checkCallTargetsCalldata(msg.sender, spec.callPolicies);
        _activate(msg.sender, sessionHash, spec.signer, proof, encodedSpec);
    }

    /// @notice Closes an Active session of the calling account, forever. Reverts with {SessionNotActive} otherwise.
    /// @param sessionHash The session.
    function revokeKey(bytes32 sessionHash) external {
        _requireActiveAndRevoke(sessionHash);
    }

    /// @notice Closes several Active sessions of the calling account; reverts with {SessionNotActive} if any is not
    /// Active (including duplicates in the list).
    /// @param sessionHashes The sessions.
    function revokeKeys(bytes32[] calldata sessionHashes) external {
        for (uint256 i = 0; i < sessionHashes.length; ++i) {
            _requireActiveAndRevoke(sessionHashes[i]);
        }
    }

    /// @notice The status of a session for an account.
    /// @param account The smart account.
    /// @param sessionHash The session.
    /// @return The status.
    function sessionStatus(address account, bytes32 sessionHash) external view returns (SessionLib.Status) {
        return _statusOf(sessionHash, account);
    }

    /// @notice The status and remaining limits of a session for an account, at the current block timestamp (for
    /// Allowance limits: remaining in the period containing `block.timestamp`; for Stream limits: accrued at
    /// `block.timestamp` minus used).
    /// @param account The smart account.
    /// @param spec The session spec.
    /// @return state See {SessionLib.SessionState}; Unlimited limits report `type(uint256).max`.
    function sessionState(address account, SessionLib.SessionSpec calldata spec)
        external
        view
        returns (SessionLib.SessionState memory state)
    {
        bytes32 sessionHash = keccak256(abi.encode(spec));
        state.status = _statusOf(sessionHash, account);
        state.feesRemaining = _feesRemaining(sessionHash, account, spec.feeLimit);
        state.transferValue = _transferStates(sessionHash, account, spec.transferPolicies);
        state.callValue = _callValueStates(sessionHash, account, spec.callPolicies);
        state.callParams = _callParamStates(sessionHash, account, spec.callPolicies);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Validation
    // ------------------------------------------------------------------------------------------------------------

    /// @notice ERC-4337 UserOp validation on behalf of the calling account; charges the session's usage counters.
    /// @dev `userOp.signature = validatorAddress (20 bytes) ‖ abi.encode(bytes ecdsaSignature, SessionSpec spec,
    /// uint48[] periodIds)`. Checks: the 65-byte ECDSA signature over the raw `userOpHash` recovers `spec.signer`;
    /// the nonce key is `uint192(uint160(spec.signer))`; the session is Active for the account; `paymasterAndData`
    /// empty ⇒ the fee limit is charged `maxFeePerGas × (preVerificationGas + verificationGasLimit +
    /// callGasLimit)`; `callData` is `execute(mode, executionCalldata)` with call type single or batch and exec
    /// type default (try mode and every other mode are rejected); every call matches a policy and its limits and
    /// constraints. `periodIds` layout: `[0]` fee, then per call (one call for single, each execution in order for
    /// batch): value, then constraints 0..k of the matched policy (transfers have no constraints); an entry is
    /// required at every position even for Unlimited and Lifetime limits (where it is ignored); extra entries are
    /// ignored. For a Stream limit the entry is the time `t` the signer claims: the limit allows what has accrued at
    /// `t` and the operation is valid only after `t` (accrual never decreases, so a later block allows at least as
    /// much). A transfer matches the first transfer policy whose target is the recipient or
    /// {SessionLib-ANY_RECIPIENT}.
    /// The spec must be ABI-encoded canonically and immediately followed by `periodIds` (what a standard
    /// `abi.encode` produces): the session hash is taken over exactly those bytes (see
    /// {SessionLib-decodeSignature}), so any other encoding matches no session.
    /// Returns 1 (`SIG_VALIDATION_FAILED`) for every signature or policy failure and for malformed signature or
    /// call data; it does not revert.
    /// @param userOp The packed UserOperation (as passed by the account).
    /// @param userOpHash The EntryPoint's UserOp hash.
    /// @return ERC-4337 validation data: 1 on failure, else `validUntil << 160 | validAfter << 208` where
    /// `validUntil = min(spec.expiresAt, (periodId + 1) * period - 1 for each charged Allowance limit)` and
    /// `validAfter = max(periodId * period for each charged Allowance limit, t for each charged Stream limit)`
    /// (0 if none).
    function validateUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash)
        external
        override
        returns (uint256)
    {
        bytes calldata signature = userOp.signature;
        if (signature.length < 20) return _SIG_VALIDATION_FAILED;
        (
            bool ok,
            bytes calldata ecdsaSignature,
            SessionLib.SessionSpec calldata spec,
            bytes32 sessionHash,
            uint48[] calldata periodIds
        ) = SessionLib.decodeSignature(signature[20:]);
        if (!ok) return _SIG_VALIDATION_FAILED;
        uint256 sessionState_ = _state[sessionHash][msg.sender];
        if (
            sessionState_ >> _STATUS_SHIFT != uint256(SessionLib.Status.Active)
                || !_isSignedBySessionKey(userOp.nonce, userOpHash, ecdsaSignature, spec.signer)
        ) return _SIG_VALIDATION_FAILED;
        return _validateSession(userOp, spec, sessionHash, periodIds, sessionState_);
    }

    /// @notice Sessions cannot sign ERC-1271 messages.
    /// @param sender Unused.
    /// @param hash Unused.
    /// @param signature Unused.
    /// @return Always `0xffffffff`.
    function isValidSignatureWithSender(address sender, bytes32 hash, bytes calldata signature)
        external
        pure
        override
        returns (bytes4)
    {
        (sender, hash, signature); // unused
        return _ERC1271_INVALID;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internals: creation and revocation
    // ------------------------------------------------------------------------------------------------------------

    /// @dev `abi.encode(spec)`. A canonically encoded spec (the usual case) is copied from calldata as is, and then
    /// `zeroPeriod` tells whether an Allowance limit has period 0 (see {SessionLib-canonicalSpecLength}); any other
    /// encoding is re-encoded by the compiler (`canonical == false`, `zeroPeriod` unset).
    function _encodeSpec(SessionLib.SessionSpec calldata spec)
        private
        pure
        returns (bytes memory encodedSpec, bool canonical, bool zeroPeriod)
    {
        uint256 length;
        (length, zeroPeriod) = SessionLib.canonicalSpecLength(spec);
        if (length == 0) return (abi.encode(spec), false, false);
        assembly ("memory-safe") {
            // encodedSpec = 0x20 ‖ calldata[spec : spec + length] (length is a multiple of 32)
            encodedSpec := mload(0x40)
            mstore(encodedSpec, add(length, 0x20))
            mstore(add(encodedSpec, 0x20), 0x20)
            calldatacopy(add(encodedSpec, 0x40), spec, length)
            mstore(0x40, add(add(encodedSpec, 0x40), length))
        }
        canonical = true;
    }

    /// @dev {createSession} for a spec decoded to memory ({onInstall}); same checks, order and event.
    function _createSession(address account, SessionLib.SessionSpec memory spec, bytes memory proof) private {
        bytes memory encodedSpec = abi.encode(spec);
        bytes32 sessionHash = keccak256(encodedSpec);
        _checkNewSession(account, sessionHash, spec.signer, spec.feeLimit.limitType, spec.expiresAt);
        _checkPeriods(spec);
        _checkCallTargets(account, spec.callPolicies);
        _activate(account, sessionHash, spec.signer, proof, encodedSpec);
    }

    /// @dev The checks of a new session that precede the period checks, in the documented order.
    function _checkNewSession(
        address account,
        bytes32 sessionHash,
        address signer,
        SessionLib.LimitType feeLimitType,
        uint48 expiresAt
    ) private view {
        require(_isInstalled(account, MODULE_TYPE_VALIDATOR, address(this), ""), ValidatorNotInstalled());
        require(_state[sessionHash][account] == 0, SessionAlreadyExists(sessionHash)); // NotInitialized
        require(signer != address(0), ZeroSigner());
        require(!signerUsed[signer], SignerAlreadyUsed(signer));
        require(feeLimitType != SessionLib.LimitType.Unlimited, UnlimitedFees());
        _checkExpiry(expiresAt);
    }

    /// @dev `expiresAt` must be at least {_MIN_SESSION_DURATION} seconds in the future.
    function _checkExpiry(uint48 expiresAt) private view {
        require(
            // forge-lint: disable-next-line(block-timestamp)
            expiresAt >= block.timestamp + _MIN_SESSION_DURATION,
            SessionExpiresTooSoon(expiresAt, block.timestamp + _MIN_SESSION_DURATION)
        );
    }

    /// @dev Checks the proof, activates the session and emits {SessionCreated} with `encodedSpec`
    /// (`abi.encode(spec)`, which is exactly the event's data since `spec` is its only non-indexed field).
    function _activate(
        address account,
        bytes32 sessionHash,
        address signer,
        bytes memory proof,
        bytes memory encodedSpec
    ) private {
        require(proof.length == 65, InvalidSessionProof());
        (address recovered, ECDSA.RecoverError err,) =
            ECDSA.tryRecover(keccak256(abi.encode(sessionHash, account)), proof);
        require(err == ECDSA.RecoverError.NoError && recovered == signer, InvalidSessionProof());

        signerUsed[signer] = true;
        _state[sessionHash][account] = uint256(SessionLib.Status.Active) << _STATUS_SHIFT;
        bytes32 topic0 = SessionCreated.selector;
        assembly ("memory-safe") {
            // emit SessionCreated(account, sessionHash, spec)
            log3(add(encodedSpec, 0x20), mload(encodedSpec), topic0, account, sessionHash)
        }
    }

    /// @dev Every Allowance limit must have a non-zero period.
    function _checkPeriods(SessionLib.SessionSpec memory spec) private pure {
        _checkPeriod(spec.feeLimit.limitType, spec.feeLimit.period);
        for (uint256 i = 0; i < spec.transferPolicies.length; ++i) {
            SessionLib.UsageLimit memory limit = spec.transferPolicies[i].valueLimit;
            _checkPeriod(limit.limitType, limit.period);
        }
        for (uint256 i = 0; i < spec.callPolicies.length; ++i) {
            SessionLib.CallSpec memory policy = spec.callPolicies[i];
            _checkPeriod(policy.valueLimit.limitType, policy.valueLimit.period);
            for (uint256 j = 0; j < policy.constraints.length; ++j) {
                SessionLib.UsageLimit memory limit = policy.constraints[j].limit;
                _checkPeriod(limit.limitType, limit.period);
            }
        }
    }

    /// @dev {_checkPeriods} for a calldata spec.
    function _checkPeriodsCalldata(SessionLib.SessionSpec calldata spec) private pure {
        _checkPeriod(spec.feeLimit.limitType, spec.feeLimit.period);
        SessionLib.TransferSpec[] calldata transfers = spec.transferPolicies;
        for (uint256 i = 0; i < transfers.length; ++i) {
            SessionLib.UsageLimit calldata limit = transfers[i].valueLimit;
            _checkPeriod(limit.limitType, limit.period);
        }
        SessionLib.CallSpec[] calldata calls = spec.callPolicies;
        for (uint256 i = 0; i < calls.length; ++i) {
            SessionLib.CallSpec calldata policy = calls[i];
            _checkPeriod(policy.valueLimit.limitType, policy.valueLimit.period);
            SessionLib.Constraint[] calldata constraints = policy.constraints;
            for (uint256 j = 0; j < constraints.length; ++j) {
                SessionLib.UsageLimit calldata limit = constraints[j].limit;
                _checkPeriod(limit.limitType, limit.period);
            }
        }
    }

    function _checkPeriod(SessionLib.LimitType limitType, uint48 period) private pure {
        require(limitType != SessionLib.LimitType.Allowance || period != 0, ZeroAllowancePeriod());
    }

    /// @dev Call policies may not target the account (nor `address(0)`, which ERC-7579 execution maps to the
    /// account itself), this validator, or a module installed on the account.
    function _checkCallTargets(address account, SessionLib.CallSpec[] memory policies) private view {
        for (uint256 i = 0; i < policies.length; ++i) {
            _checkCallTarget(account, i, policies[i].target, policies[i].selector);
        }
    }

    /// @dev {_checkCallTargets} for calldata policies.
    function _checkCallTargetsCalldata(address account, SessionLib.CallSpec[] calldata policies) private view {
        for (uint256 i = 0; i < policies.length; ++i) {
            _checkCallTarget(account, i, policies[i].target, policies[i].selector);
        }
    }

    function _checkCallTarget(address account, uint256 i, address target, bytes4 selector) private view {
        // Target 0 is the account: `execute` and OZ's batch execution call `address(this)` for it.
        require(target != account && target != address(0), CallPolicyTargetsAccount(i));
        require(target != address(this), CallPolicyTargetsValidator(i));
        require(
            !_isInstalled(account, MODULE_TYPE_VALIDATOR, target, "")
                && !_isInstalled(account, MODULE_TYPE_EXECUTOR, target, "")
                && !_isInstalled(account, MODULE_TYPE_FALLBACK, target, abi.encodePacked(selector)),
            CallPolicyTargetsModule(i, target)
        );
    }

    /// @dev `IERC7579ModuleConfig(account).isModuleInstalled(...)`, false if the call fails or returns garbage.
    function _isInstalled(address account, uint256 moduleTypeId, address module, bytes memory context)
        private
        view
        returns (bool installed)
    {
        bytes4 selector = IERC7579ModuleConfig.isModuleInstalled.selector;
        assembly ("memory-safe") {
            // abi.encodeCall(isModuleInstalled, (moduleTypeId, module, context)) in unallocated memory
            let ptr := mload(0x40)
            let len := mload(context)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), moduleTypeId)
            mstore(add(ptr, 0x24), shr(96, shl(96, module)))
            mstore(add(ptr, 0x44), 0x60)
            mstore(add(ptr, 0x64), len)
            mcopy(add(ptr, 0x84), add(context, 0x20), len)
            mstore(add(add(ptr, 0x84), len), 0) // zero padding
            let ok := staticcall(gas(), account, ptr, add(0x84, and(add(len, 31), not(31))), 0x00, 0x20)
            // the call succeeded and returned exactly one word equal to 1
            installed := and(and(ok, eq(returndatasize(), 0x20)), eq(mload(0x00), 1))
        }
    }

    function _requireActiveAndRevoke(bytes32 sessionHash) private {
        require(_statusOf(sessionHash, msg.sender) == SessionLib.Status.Active, SessionNotActive(sessionHash));
        _revoke(msg.sender, sessionHash);
    }

    /// @dev Sets the status to Closed, keeping the usage counters of the state word.
    function _revoke(address account, bytes32 sessionHash) private {
        uint256 state = _state[sessionHash][account];
        _state[sessionHash][account] = (state & _COUNTERS_MASK) | (uint256(SessionLib.Status.Closed) << _STATUS_SHIFT);
        emit SessionRevoked(account, sessionHash);
    }

    /// @dev The status stored in a session's state word.
    function _statusOf(bytes32 sessionHash, address account) private view returns (SessionLib.Status) {
        return SessionLib.Status(_state[sessionHash][account] >> _STATUS_SHIFT);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internals: state views
    // ------------------------------------------------------------------------------------------------------------

    function _transferStates(bytes32 sessionHash, address account, SessionLib.TransferSpec[] calldata policies)
        private
        view
        returns (SessionLib.LimitState[] memory states)
    {
        states = new SessionLib.LimitState[](policies.length);
        for (uint256 i = 0; i < policies.length; ++i) {
            SessionLib.UsageLimit calldata limit = policies[i].valueLimit;
            states[i].remaining = i == 0 && limit.limitType == SessionLib.LimitType.Lifetime
                ? _remainingInState(_state[sessionHash][account], _VALUE_SHIFT, _VALUE_MASK, limit.limit)
                : _remaining(sessionHash, account, limit, _limitId(_KIND_TRANSFER_VALUE, i, 0));
            states[i].target = policies[i].target;
        }
    }

    function _callValueStates(bytes32 sessionHash, address account, SessionLib.CallSpec[] calldata policies)
        private
        view
        returns (SessionLib.LimitState[] memory states)
    {
        states = new SessionLib.LimitState[](policies.length);
        for (uint256 i = 0; i < policies.length; ++i) {
            states[i].remaining =
                _remaining(sessionHash, account, policies[i].valueLimit, _limitId(_KIND_CALL_VALUE, i, 0));
            states[i].target = policies[i].target;
            states[i].selector = policies[i].selector;
        }
    }

    function _callParamStates(bytes32 sessionHash, address account, SessionLib.CallSpec[] calldata policies)
        private
        view
        returns (SessionLib.LimitState[] memory states)
    {
        uint256 count = 0;
        for (uint256 i = 0; i < policies.length; ++i) {
            count += policies[i].constraints.length;
        }
        states = new SessionLib.LimitState[](count);
        uint256 k = 0;
        for (uint256 i = 0; i < policies.length; ++i) {
            SessionLib.Constraint[] calldata constraints = policies[i].constraints;
            for (uint256 j = 0; j < constraints.length; ++j) {
                states[k].remaining =
                    _remaining(sessionHash, account, constraints[j].limit, _limitId(_KIND_CALL_PARAM, i, j));
                states[k].target = policies[i].target;
                states[k].selector = policies[i].selector;
                states[k].index = constraints[j].index;
                ++k;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internals: validation
    // ------------------------------------------------------------------------------------------------------------

    /// @dev 65-byte ECDSA signature of the raw `userOpHash` by `signer`, and nonce key `uint160(signer)`.
    function _isSignedBySessionKey(uint256 nonce, bytes32 userOpHash, bytes calldata signature, address signer)
        private
        pure
        returns (bool)
    {
        if (signature.length != 65 || nonce >> 64 != uint160(signer)) return false; // nonce key = signer
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(userOpHash, signature);
        return err == ECDSA.RecoverError.NoError && recovered == signer;
    }

    /// @dev Fee limit and call policies of an Active session; returns the validation data.
    function _validateSession(
        PackedUserOperation calldata userOp,
        SessionLib.SessionSpec calldata spec,
        bytes32 sessionHash,
        uint48[] calldata periodIds,
        uint256 sessionState_
    ) private returns (uint256) {
        uint256 periodIdsOffset;
        assembly ("memory-safe") {
            periodIdsOffset := periodIds.offset
        }
        Context memory ctx = Context({
            sessionHash: sessionHash,
            account: msg.sender,
            state: sessionState_,
            validAfter: 0,
            validUntil: spec.expiresAt,
            periodIdsOffset: periodIdsOffset,
            periodIdsLength: periodIds.length,
            nextPeriodId: 0
        });

        // periodIds[0] is the fee limit's, even when a paymaster pays and the fee limit is not charged.
        (bool ok, uint48 feePeriodId) = _nextPeriodId(ctx);
        if (!ok) return _SIG_VALIDATION_FAILED;
        if (userOp.paymasterAndData.length == 0) {
            uint256 cost;
            (ok, cost) = SessionLib.maxGasCost(userOp);
            if (!ok) return _SIG_VALIDATION_FAILED;
            SessionLib.UsageLimit calldata feeLimit = spec.feeLimit;
            if (feeLimit.limitType == SessionLib.LimitType.Lifetime) {
                // Lifetime fee counter: bits 0..127 of the session's state word (already read, status Active).
                if (!_consumeInState(ctx, 0, _FEES_MASK, feeLimit.limit, cost)) return _SIG_VALIDATION_FAILED;
            } else if (!_consume(ctx, feeLimit, _limitId(_KIND_FEE, 0, 0), feePeriodId, cost)) {
                return _SIG_VALIDATION_FAILED;
            }
        }
        if (!_checkExecution(ctx, spec, userOp.callData)) return _SIG_VALIDATION_FAILED;
        if (ctx.state != sessionState_) _state[sessionHash][msg.sender] = ctx.state;

        // validUntil == 0 would mean "no expiry" to the EntryPoint.
        if (ctx.validUntil == 0 || ctx.validAfter > type(uint48).max) return _SIG_VALIDATION_FAILED;
        return (ctx.validUntil << 160) | (ctx.validAfter << 208);
    }

    /// @dev `execute(mode, executionCalldata)` with call type single or batch and exec type default.
    function _checkExecution(Context memory ctx, SessionLib.SessionSpec calldata spec, bytes calldata callData)
        private
        returns (bool)
    {
        (bool ok, bytes32 mode, bytes calldata exec) = SessionLib.decodeExecute(callData);
        if (!ok || mode[1] != 0x00) return false; // exec type must be default (0x00): no try mode
        bytes1 callType = mode[0];
        if (callType == 0x00) {
            // single: target (20) ‖ value (32) ‖ callData
            if (exec.length < 52) return false;
            return _checkCall(
                ctx,
                spec,
                address(bytes20(bytes32(SessionLib.word(exec, 0)))),
                SessionLib.word(exec, 20),
                SessionLib.slice(exec, 52, exec.length - 52)
            );
        }
        if (callType == 0x01) return _checkBatch(ctx, spec, exec);
        return false; // delegatecall and unknown call types
    }

    /// @dev Batch `abi.encode(Execution[])`: every execution must pass {_checkCall}.
    function _checkBatch(Context memory ctx, SessionLib.SessionSpec calldata spec, bytes calldata exec)
        private
        returns (bool)
    {
        (bool ok, uint256 arrayStart, uint256 count) = SessionLib.decodeBatchHead(exec);
        if (!ok) return false;
        for (uint256 i = 0; i < count; ++i) {
            (bool itemOk, address target, uint256 value, bytes calldata data) =
                SessionLib.batchItem(exec, arrayStart, i);
            if (!itemOk || !_checkCall(ctx, spec, target, value, data)) return false;
        }
        return true;
    }

    /// @dev One call: a transfer policy for empty call data, a call policy for ≥ 4 bytes, reject 1–3 bytes.
    function _checkCall(
        Context memory ctx,
        SessionLib.SessionSpec calldata spec,
        address target,
        uint256 value,
        bytes calldata data
    ) private returns (bool) {
        if (data.length == 0) return _checkTransfer(ctx, spec.transferPolicies, target, value);
        if (data.length < 4) return false;
        bytes4 selector = bytes4(bytes32(SessionLib.word(data, 0))); // first 4 bytes (data.length >= 4)
        SessionLib.CallSpec[] calldata policies = spec.callPolicies;
        for (uint256 i = 0; i < policies.length; ++i) {
            SessionLib.CallSpec calldata policy = policies[i];
            if (policy.target == target && policy.selector == selector) {
                return _applyCallPolicy(ctx, policy, i, value, data);
            }
        }
        return false;
    }

    /// @dev First transfer policy for `target` (or for any recipient): value checks.
    function _checkTransfer(
        Context memory ctx,
        SessionLib.TransferSpec[] calldata policies,
        address target,
        uint256 value
    ) private returns (bool) {
        for (uint256 i = 0; i < policies.length; ++i) {
            address policyTarget = policies[i].target;
            if (policyTarget != target && policyTarget != SessionLib.ANY_RECIPIENT) continue;
            SessionLib.TransferSpec calldata policy = policies[i];
            (bool ok, uint48 periodId) = _nextPeriodId(ctx);
            if (!ok || value > policy.maxValuePerUse) return false;
            SessionLib.UsageLimit calldata limit = policy.valueLimit;
            // Lifetime value counter of transfer policy 0: bits 128..247 of the session's state word.
            if (i == 0 && limit.limitType == SessionLib.LimitType.Lifetime) {
                return _consumeInState(ctx, _VALUE_SHIFT, _VALUE_MASK, limit.limit, value);
            }
            return _consume(ctx, limit, _limitId(_KIND_TRANSFER_VALUE, i, 0), periodId, value);
        }
        return false;
    }

    /// @dev Matched call policy `policyIndex`: value checks, then every constraint in order.
    function _applyCallPolicy(
        Context memory ctx,
        SessionLib.CallSpec calldata policy,
        uint256 policyIndex,
        uint256 value,
        bytes calldata data
    ) private returns (bool) {
        {
            (bool ok, uint48 periodId) = _nextPeriodId(ctx);
            if (
                !ok || value > policy.maxValuePerUse
                    || !_consume(ctx, policy.valueLimit, _limitId(_KIND_CALL_VALUE, policyIndex, 0), periodId, value)
            ) {
                return false;
            }
        }
        SessionLib.Constraint[] calldata constraints = policy.constraints;
        for (uint256 j = 0; j < constraints.length; ++j) {
            if (!_checkConstraint(ctx, constraints[j], data, _limitId(_KIND_CALL_PARAM, policyIndex, j))) {
                return false;
            }
        }
        return true;
    }

    /// @dev The word at `4 + 32 * index` must exist, satisfy the condition, and fit its limit.
    function _checkConstraint(
        Context memory ctx,
        SessionLib.Constraint calldata constraint,
        bytes calldata data,
        uint256 limitId
    ) private returns (bool) {
        (bool ok, uint48 periodId) = _nextPeriodId(ctx);
        if (!ok) return false;
        uint256 offset;
        unchecked {
            offset = 4 + 32 * uint256(constraint.index); // index is a uint64: no overflow
            if (data.length < offset + 32) return false;
        }
        bytes32 param = bytes32(SessionLib.word(data, offset));
        return constraint.condition.checkCondition(param, constraint.refValue)
            && _consume(ctx, constraint.limit, limitId, periodId, uint256(param));
    }

    /// @dev The next period id (`periodIds[ctx.nextPeriodId++]`); false if there are no more entries or the entry
    /// does not fit in `uint48`.
    function _nextPeriodId(Context memory ctx) private pure returns (bool, uint48) {
        uint256 idx = ctx.nextPeriodId;
        if (idx >= ctx.periodIdsLength) return (false, 0);
        unchecked {
            ctx.nextPeriodId = idx + 1; // idx < periodIdsLength
        }
        uint256 raw;
        uint256 offset = ctx.periodIdsOffset;
        assembly ("memory-safe") {
            raw := calldataload(add(offset, shl(5, idx)))
        }
        if (raw > type(uint48).max) return (false, 0);
        // forge-lint: disable-next-line(unsafe-typecast)
        return (true, uint48(raw)); // checked just above
    }

    /// @dev Charges `amount` to a limit. Allowance limits narrow the time range to period `periodId`, Stream limits
    /// start it after the claimed time `periodId` (both even for a zero amount); zero amounts are not written.
    function _consume(
        Context memory ctx,
        SessionLib.UsageLimit calldata limit,
        uint256 limitId,
        uint48 periodId,
        uint256 amount
    ) private returns (bool) {
        SessionLib.LimitType limitType = limit.limitType;
        if (limitType == SessionLib.LimitType.Unlimited) return true;
        uint256 keyPeriod = 0;
        if (limitType == SessionLib.LimitType.Allowance) {
            uint256 period = limit.period;
            if (period == 0) return false;
            // Unchecked: uint48 × uint48 fits in 96 bits, and `period >= 1`.
            unchecked {
                uint256 start = uint256(periodId) * period;
                uint256 end = start + period - 1;
                if (start > ctx.validAfter) ctx.validAfter = start;
                if (end < ctx.validUntil) ctx.validUntil = end;
            }
            keyPeriod = periodId;
        } else if (limitType == SessionLib.LimitType.Stream) {
            if (periodId > ctx.validAfter) ctx.validAfter = periodId;
        }
        if (amount == 0) return true;
        uint256 max = limitType == SessionLib.LimitType.Stream
            ? SessionLib.streamAvailable(limit.limit, limit.period, periodId)
            : limit.limit;
        mapping(address => uint256) storage usedOf = _used[_usageKey(ctx.sessionHash, limitId, keyPeriod)];
        uint256 used = usedOf[ctx.account];
        // Unchecked: `used <= max` and `amount <= max - used`, so `used + amount <= max`.
        unchecked {
            if (used > max || amount > max - used) return false;
            usedOf[ctx.account] = used + amount;
        }
        return true;
    }

    /// @dev Charges `amount` to a Lifetime counter kept in the session's state word (`ctx.state`) at bits
    /// `shift .. shift + log2(mask + 1) - 1`; the limit is capped at `mask`. Zero amounts change nothing.
    function _consumeInState(Context memory ctx, uint256 shift, uint256 mask, uint256 max, uint256 amount)
        private
        pure
        returns (bool)
    {
        if (amount == 0) return true;
        uint256 state = ctx.state;
        uint256 used = (state >> shift) & mask;
        if (max > mask) max = mask;
        // Unchecked: `used <= max` and `amount <= max - used`, so `used + amount <= max <= mask`: the sum stays in
        // its own bits and no other field of the word changes.
        unchecked {
            if (used > max || amount > max - used) return false;
            ctx.state = state + (amount << shift);
        }
        return true;
    }

    /// @dev Remaining amount of a limit at `block.timestamp` (view; Allowance: current period; Stream: accrued now).
    function _remaining(bytes32 sessionHash, address account, SessionLib.UsageLimit calldata limit, uint256 limitId)
        private
        view
        returns (uint256)
    {
        SessionLib.LimitType limitType = limit.limitType;
        if (limitType == SessionLib.LimitType.Unlimited) return type(uint256).max;
        uint256 keyPeriod = 0;
        if (limitType == SessionLib.LimitType.Allowance) {
            if (limit.period == 0) return 0;
            keyPeriod = block.timestamp / limit.period;
        }
        uint256 used = _used[_usageKey(sessionHash, limitId, keyPeriod)][account];
        uint256 max = limitType == SessionLib.LimitType.Stream
            ? SessionLib.streamAvailable(limit.limit, limit.period, block.timestamp)
            : limit.limit;
        return used >= max ? 0 : max - used;
    }

    /// @dev Remaining fee budget (Lifetime: from the session's state word, capped at `2^128 - 1` in total).
    function _feesRemaining(bytes32 sessionHash, address account, SessionLib.UsageLimit calldata limit)
        private
        view
        returns (uint256)
    {
        if (limit.limitType != SessionLib.LimitType.Lifetime) {
            return _remaining(sessionHash, account, limit, _limitId(_KIND_FEE, 0, 0));
        }
        return _remainingInState(_state[sessionHash][account], 0, _FEES_MASK, limit.limit);
    }

    /// @dev Remaining amount of a Lifetime counter kept in a state word (see {_consumeInState}).
    function _remainingInState(uint256 state, uint256 shift, uint256 mask, uint256 max) private pure returns (uint256) {
        uint256 used = (state >> shift) & mask;
        if (max > mask) max = mask;
        return used >= max ? 0 : max - used;
    }

    /// @dev Limit id: kind (fee / transfer value / call value / call param) ‖ policy index ‖ constraint index.
    /// Policies are identified by position, which is unambiguous because the first matching policy always wins.
    function _limitId(uint256 kind, uint256 policyIndex, uint256 constraintIndex) private pure returns (uint256) {
        return (kind << 128) | (policyIndex << 64) | constraintIndex;
    }

    /// @dev Usage key of a limit in a period (period 0 for Lifetime limits).
    function _usageKey(bytes32 sessionHash, uint256 limitId, uint256 periodId) private pure returns (bytes32 key) {
        // keccak256(abi.encode(sessionHash, limitId, periodId)), hashed in unallocated memory
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, sessionHash)
            mstore(add(ptr, 0x20), limitId)
            mstore(add(ptr, 0x40), periodId)
            key := keccak256(ptr, 0x60)
        }
    }
}
