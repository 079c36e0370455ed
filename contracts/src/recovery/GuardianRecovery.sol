// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {
    IERC7579Execution,
    IERC7579Validator,
    MODULE_TYPE_EXECUTOR,
    MODULE_TYPE_VALIDATOR
} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {ERC4337Utils} from "@openzeppelin/contracts/account/utils/ERC4337Utils.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @notice What the passkey validator offers a recovery: adding a passkey with its proof of possession.
interface IPasskeyRegistry {
    /// @notice {WebAuthnValidator-addValidationKey}, called by the account.
    function addValidationKey(
        bytes calldata credentialId,
        bytes32[2] calldata newKey,
        string calldata originDomain,
        bytes calldata proof
    ) external returns (bool);
}

/// @title GuardianRecovery
/// @notice ERC-7579 module (executor and validator) that lets an account's guardians give it a new passkey when its
/// owner has lost every passkey, with nothing but the chain: no server, no recovery key held by anyone but the
/// guardians themselves.
///
/// Setup (the account, i.e. its owner's passkey): {setGuardians} names up to 16 guardians (EOAs, other SSO Wallet
/// accounts or any ERC-1271 contract), a threshold k of n and a delay (24 hours to 90 days; the wallet proposes
/// 48 hours). The module is installed as an executor (so that it can add the passkey) with
/// `abi.encode(address[] guardians, uint256 threshold, uint256 delay)` as init data, and as a validator with empty
/// init data (so that the recovering user can finalize with the account's own funds, see below).
///
/// A recovery is a {RecoveryRequest}: one specific new passkey (credential id, P-256 key, WebAuthn origin), the
/// proof that the requester holds it, checked when it is added, and a *finalizer*, an address whose key the
/// requester's wallet holds. Guardians approve the request for the account's current *round*: by their own
/// transaction ({approve}) or by EIP-712 signatures of {RecoveryApproval} that anyone can submit together
/// ({approveWithSignatures}). When k guardians approved the same request, the delay starts; after it anyone can
/// {finalize}, which adds that passkey to the account through {WebAuthnValidator-addValidationKey} (so its proof of
/// possession is checked there, and the account is listed under the new credential for login). The account's
/// passkey can {cancelRecovery} at any time before. Finalizing, cancelling and changing the guardians each start a
/// new round, which voids every approval of the old one: an approval counts for one account, one chain (EIP-712
/// domain), one module and one round only.
///
/// Recovery UserOps: as a validator, the module validates exactly two kinds of UserOps of the account, both signed
/// (raw ECDSA over the UserOp hash, signature = `module ‖ r ‖ s ‖ v`) by the request's finalizer:
/// - `execute(0, module ‖ 0 ‖ finalize(account, round, request))` for a request whose delay is running or over; the
///   validation data's `validAfter` is the end of the delay, so the EntryPoint and bundlers refuse it before;
/// - `execute(0, module ‖ 0 ‖ approveWithSignatures(account, round, request, signers, signatures))` carrying only
///   ECDSA signatures (65 bytes) of guardians who did not approve the request yet, which together with the
///   approvals it has bring the request to the threshold.
/// Both must be on the round's nonce lane (key `(RECOVERY_NONCE_LANE << 64) | round`) with a sequence below
/// {MAX_RECOVERY_OPS}, and, unless a paymaster pays, cost at most the account's `maxRecoveryFee` (set with the
/// guardians: all the UserOp's gas limits times its `maxFeePerGas`). Anything else fails validation. So the account
/// pays for recovery UserOps only once k guardians approved the request they serve, only to the finalizer they
/// approved, at most {MAX_RECOVERY_OPS} of them per round and each within the owner's cap: not even k colluding
/// guardians can drain it through fees before the owner cancels.
/// The validation reads only storage associated with the account and uses no banned opcode (ERC-7562; the time
/// check is the EntryPoint's `validAfter`), so public bundlers accept these UserOps unstaked.
///
/// Events ({GuardiansSet}, {RecoveryRequested}, {RecoveryApproved}, {RecoveryScheduled}, {RecoveryCancelled},
/// {RecoveryFinalized}) say everything the wallet shows; {recoveryConfig} says whether a recovery is pending and
/// from which block its events are.
contract GuardianRecovery is IERC7579Validator, EIP712 {
    /// @notice A new passkey for an account, and who may finalize it.
    /// @param credentialId The WebAuthn credential id (≥ 16 bytes, as the passkey validator requires).
    /// @param publicKey The P-256 public key `(x, y)`.
    /// @param originDomain The WebAuthn origin the passkey is bound to.
    /// @param finalizer The address whose ECDSA signature authorises the account's recovery UserOps.
    struct RecoveryRequest {
        bytes credentialId;
        bytes32[2] publicKey;
        string originDomain;
        address finalizer;
    }

    /// @dev An account's recovery setup (slot 0: round, threshold, count, delay and the pending block, packed).
    struct Config {
        uint64 round;
        uint8 threshold;
        uint8 guardianCount;
        uint32 delay;
        uint48 pendingSinceBlock;
        uint96 maxRecoveryFee;
        address[16] guardians;
    }

    /// @dev A request's state in its round: which guardians approved (bit i: guardian i) and when it is ready.
    struct Approvals {
        uint16 guardians;
        uint48 readyAt;
    }

    /// @notice EIP-712 type of a guardian's approval (a `bytes32[2]` is encoded as the hash of its two words).
    bytes32 public constant RECOVERY_APPROVAL_TYPEHASH = keccak256(
        "RecoveryApproval(address account,uint64 round,bytes credentialId,bytes32[2] publicKey,string originDomain,address finalizer)"
    );
    /// @notice The most guardians an account can have.
    uint256 public constant MAX_GUARDIANS = 16;
    /// @notice The shortest delay between the last approval needed and finalizing.
    uint256 public constant MIN_DELAY = 1 days;
    /// @notice The longest delay.
    uint256 public constant MAX_DELAY = 90 days;
    /// @notice The most recovery UserOps the account pays for in one round (their nonce sequence on the round's
    /// lane is below it).
    uint256 public constant MAX_RECOVERY_OPS = 4;
    /// @notice The nonce lane of recovery UserOps: key `(RECOVERY_NONCE_LANE << 64) | round` (ASCII "recovery").
    uint256 public constant RECOVERY_NONCE_LANE = 0x7265636f76657279;

    /// @dev ERC-4337 validation result for a failure.
    uint256 private constant _SIG_VALIDATION_FAILED = 1;
    /// @dev ERC-1271 failure value (the module never signs for the account).
    bytes4 private constant _ERC1271_INVALID = 0xffffffff;

    /// @notice The passkey validator recoveries add passkeys to.
    IPasskeyRegistry public immutable PASSKEY_VALIDATOR;

    /// @dev account → its setup.
    mapping(address account => Config) private _configs;
    /// @dev request hash (which includes the account and round) → account → approvals. The account is the inner key,
    /// so each entry is storage associated with the account (ERC-7562).
    mapping(bytes32 requestHash => mapping(address account => Approvals)) private _approvals;

    /// @notice The account's guardians, threshold and delay were set; a new round starts.
    /// @param account The account.
    /// @param round The new round.
    /// @param guardians The guardians.
    /// @param threshold How many must approve a request.
    /// @param delay Seconds between the last approval needed and finalizing.
    event GuardiansSet(
        address indexed account,
        uint64 round,
        address[] guardians,
        uint256 threshold,
        uint256 delay,
        uint256 maxRecoveryFee
    );
    /// @notice The first approval of a request in a round: the request in full.
    /// @param account The account to recover.
    /// @param round The round.
    /// @param requestHash The request's EIP-712 struct hash ({requestHash}).
    /// @param request The request.
    event RecoveryRequested(
        address indexed account, uint64 indexed round, bytes32 indexed requestHash, RecoveryRequest request
    );
    /// @notice A guardian approved a request.
    /// @param account The account to recover.
    /// @param round The round.
    /// @param requestHash The request's hash.
    /// @param guardian The guardian.
    event RecoveryApproved(
        address indexed account, uint64 indexed round, bytes32 indexed requestHash, address guardian
    );
    /// @notice A request reached the threshold: it can be finalized from `readyAt` (a timestamp) on.
    /// @param account The account to recover.
    /// @param round The round.
    /// @param requestHash The request's hash.
    /// @param readyAt The first timestamp at which it can be finalized.
    event RecoveryScheduled(
        address indexed account, uint64 indexed round, bytes32 indexed requestHash, uint256 readyAt
    );
    /// @notice The account cancelled the round's recoveries; a new round starts.
    /// @param account The account.
    /// @param round The cancelled round.
    event RecoveryCancelled(address indexed account, uint64 indexed round);
    /// @notice A request was finalized: its passkey now controls the account; a new round starts.
    /// @param account The account.
    /// @param round The finalized round.
    /// @param requestHash The request's hash.
    event RecoveryFinalized(address indexed account, uint64 indexed round, bytes32 indexed requestHash);

    /// @notice More guardians than {MAX_GUARDIANS}, a threshold of 0 or above the number of guardians (or not 0
    /// without guardians), a delay outside [{MIN_DELAY}, {MAX_DELAY}], or a fee cap above `type(uint96).max`.
    error InvalidRecoverySetup();
    /// @notice A guardian is zero, the account itself, or listed twice.
    /// @param guardian The guardian.
    error InvalidGuardian(address guardian);
    /// @notice The caller or signer is not a guardian of the account.
    /// @param who The caller or signer.
    error NotGuardian(address who);
    /// @notice The approval names another round than the account's current one.
    /// @param current The account's current round.
    error WrongRound(uint64 current);
    /// @notice A guardian's signature is not valid for the request (or the arrays differ in length).
    /// @param guardian The guardian.
    error InvalidGuardianSignature(address guardian);
    /// @notice The request has no finalizer.
    error NoFinalizer();
    /// @notice The request has not reached the threshold in this round.
    error RecoveryNotScheduled();
    /// @notice The request's delay is not over.
    /// @param readyAt The first timestamp at which it can be finalized.
    error RecoveryNotReady(uint256 readyAt);

    /// @param passkeyValidator The passkey validator ({WebAuthnValidator}) recoveries add passkeys to.
    constructor(address passkeyValidator) EIP712("SsoWalletGuardianRecovery", "1") {
        PASSKEY_VALIDATOR = IPasskeyRegistry(passkeyValidator);
    }

    // ------------------------------------------------------------------------------------------------------------
    // ERC-7579 module lifecycle
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Installation: empty data does nothing (the validator install, or an executor without guardians yet);
    /// otherwise `abi.encode(address[] guardians, uint256 threshold, uint256 delay, uint256 maxRecoveryFee)` as for
    /// {setGuardians}.
    /// @param data Empty, or the setup.
    function onInstall(bytes calldata data) external override {
        if (data.length == 0) return;
        (address[] memory guardians, uint256 threshold, uint256 delay, uint256 maxRecoveryFee) =
            abi.decode(data, (address[], uint256, uint256, uint256));
        _setGuardians(msg.sender, guardians, threshold, delay, maxRecoveryFee);
    }

    /// @notice Uninstallation (of either type) turns recovery off for the account: the guardians are removed and a
    /// new round voids every approval.
    function onUninstall(bytes calldata) external override {
        _setGuardians(msg.sender, new address[](0), 0, MIN_DELAY, 0);
    }

    /// @notice The module is an executor (type 2) and a validator (type 1).
    /// @param moduleTypeId The module type id.
    /// @return True for 1 and 2.
    function isModuleType(uint256 moduleTypeId) external pure override returns (bool) {
        return moduleTypeId == MODULE_TYPE_VALIDATOR || moduleTypeId == MODULE_TYPE_EXECUTOR;
    }

    // ------------------------------------------------------------------------------------------------------------
    // The owner (msg.sender is the account)
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Sets the calling account's guardians, threshold, delay and recovery fee cap, replacing the old ones,
    /// and starts a new round (pending approvals are void). An empty list with threshold 0 turns recovery off.
    /// @dev Reverts with {InvalidRecoverySetup} or {InvalidGuardian}.
    /// @param guardians The guardians (at most {MAX_GUARDIANS}, distinct, not zero, not the account).
    /// @param threshold How many guardians must approve a request (1..n; 0 only without guardians).
    /// @param delay Seconds between the last approval needed and finalizing ({MIN_DELAY}..{MAX_DELAY}).
    /// @param maxRecoveryFee The most one recovery UserOp may cost the account (wei: its gas limits times its
    /// `maxFeePerGas`); 0: the account pays for none (a paymaster must).
    function setGuardians(address[] calldata guardians, uint256 threshold, uint256 delay, uint256 maxRecoveryFee)
        external
    {
        _setGuardians(msg.sender, guardians, threshold, delay, maxRecoveryFee);
    }

    /// @notice Cancels every recovery of the calling account's current round and starts a new one.
    function cancelRecovery() external {
        Config storage config = _configs[msg.sender];
        uint64 round = config.round;
        config.round = round + 1;
        config.pendingSinceBlock = 0;
        emit RecoveryCancelled(msg.sender, round);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Guardians and finalizing (anyone)
    // ------------------------------------------------------------------------------------------------------------

    /// @notice The calling guardian approves `request` for `account` in `round`. Approving twice changes nothing.
    /// @dev Reverts with {WrongRound}, {NoFinalizer} or {NotGuardian}.
    /// @param account The account to recover.
    /// @param round The account's current round.
    /// @param request The new passkey and its finalizer.
    function approve(address account, uint64 round, RecoveryRequest calldata request) external {
        Config storage config = _configs[account];
        _checkRound(config, round);
        bytes32 hash = _requestHash(account, round, request);
        uint256 index = _guardianIndex(config, msg.sender);
        require(index < MAX_GUARDIANS, NotGuardian(msg.sender));
        _record(config, account, round, hash, request, _bit(index), msg.sender);
    }

    /// @notice Submits guardians' EIP-712 approvals ({approvalDigest}) of `request` for `account` in `round`. A
    /// 65-byte ECDSA signature by the guardian's key counts (also for an EOA with EIP-7702 code, as in a recovery
    /// UserOp's validation); else, for a guardian with code, ERC-1271. Signers who already approved are skipped.
    /// @dev Reverts with {WrongRound}, {NoFinalizer}, {NotGuardian} or {InvalidGuardianSignature}.
    /// @param account The account to recover.
    /// @param round The account's current round.
    /// @param request The new passkey and its finalizer.
    /// @param signers The guardians who signed.
    /// @param signatures Their signatures, pairwise.
    function approveWithSignatures(
        address account,
        uint64 round,
        RecoveryRequest calldata request,
        address[] calldata signers,
        bytes[] calldata signatures
    ) external {
        Config storage config = _configs[account];
        _checkRound(config, round);
        bytes32 hash = _requestHash(account, round, request);
        bytes32 digest = _hashTypedDataV4(hash);
        require(signers.length == signatures.length, InvalidGuardianSignature(address(0)));
        for (uint256 i = 0; i < signers.length; ++i) {
            address signer = signers[i];
            uint256 index = _guardianIndex(config, signer);
            require(index < MAX_GUARDIANS, NotGuardian(signer));
            require(_isGuardianSignature(signer, digest, signatures[i]), InvalidGuardianSignature(signer));
            _record(config, account, round, hash, request, _bit(index), signer);
        }
    }

    /// @notice Adds the passkey of a request that reached the threshold in `account`'s current round and whose delay
    /// is over, and starts a new round. Anyone can call it; the passkey validator checks the request's proof.
    /// @dev Reverts with {WrongRound}, {RecoveryNotScheduled}, {RecoveryNotReady}, or the passkey validator's error.
    /// @param account The account to recover.
    /// @param round The account's current round.
    /// @param request The approved request.
    /// @param proof The new passkey's proof of possession for the account ({WebAuthnValidator-addValidationKey}).
    function finalize(address account, uint64 round, RecoveryRequest calldata request, bytes calldata proof) external {
        Config storage config = _configs[account];
        _checkRound(config, round);
        bytes32 hash = _requestHash(account, round, request);
        uint256 readyAt = _approvals[hash][account].readyAt;
        require(readyAt != 0, RecoveryNotScheduled());
        // forge-lint: disable-next-line(block-timestamp)
        require(block.timestamp >= readyAt, RecoveryNotReady(readyAt));
        config.round = round + 1;
        config.pendingSinceBlock = 0;
        emit RecoveryFinalized(account, round, hash);
        IERC7579Execution(account)
            .executeFromExecutor(
                bytes32(0),
                abi.encodePacked(
                    address(PASSKEY_VALIDATOR),
                    uint256(0),
                    abi.encodeCall(
                        IPasskeyRegistry.addValidationKey,
                        (request.credentialId, request.publicKey, request.originDomain, proof)
                    )
                )
            );
    }

    // ------------------------------------------------------------------------------------------------------------
    // Recovery UserOps (validator)
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Validates one of the account's recovery UserOps (see the contract notes); any other UserOp fails.
    /// @dev `userOp.callData` must be `execute(bytes32(0), executionCalldata)` in the standard ABI encoding (offset
    /// 0x40) with `executionCalldata = address(this) ‖ uint256(0) ‖ call`, `call` being {finalize} or
    /// {approveWithSignatures} for `msg.sender`; `userOp.signature = address(this) ‖ ECDSA(userOpHash)` by the
    /// request's finalizer; its nonce on the round's lane (key `(RECOVERY_NONCE_LANE << 64) | round`, sequence below
    /// {MAX_RECOVERY_OPS}); and, unless a paymaster pays, its most cost (gas limits times `maxFeePerGas`) within the
    /// account's `maxRecoveryFee`. Reads only `msg.sender`'s configuration and approvals.
    /// @param userOp The UserOp (as passed by the account).
    /// @param userOpHash The EntryPoint's UserOp hash.
    /// @return Validation data: a failure, or success with `validAfter` for a finalize.
    function validateUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash)
        external
        view
        override
        returns (uint256)
    {
        bytes calldata call = _recoveryCall(userOp.callData);
        if (call.length < 4 || userOp.signature.length != 85 || !_affordable(userOp)) return _SIG_VALIDATION_FAILED;
        bytes4 selector = bytes4(call[:4]);
        if (selector == this.finalize.selector) {
            (address account, uint64 round, RecoveryRequest memory request,) =
                abi.decode(call[4:], (address, uint64, RecoveryRequest, bytes));
            uint256 readyAt = _scheduled(account, round, request);
            if (readyAt == 0 || !_signedBy(request.finalizer, userOpHash, userOp.signature[20:])) {
                return _SIG_VALIDATION_FAILED;
            }
            // readyAt ≥ 1 day and was stored as a uint48. The EntryPoint accepts the UserOp once block.timestamp > validAfter.
            // forge-lint: disable-next-line(unsafe-typecast)
            return ERC4337Utils.packValidationData(true, uint48(readyAt - 1), 0);
        }
        if (selector == this.approveWithSignatures.selector) {
            (
                address account,
                uint64 round,
                RecoveryRequest memory request,
                address[] memory signers,
                bytes[] memory sigs
            ) = abi.decode(call[4:], (address, uint64, RecoveryRequest, address[], bytes[]));
            if (
                account != msg.sender || !_reachesThreshold(account, round, request, signers, sigs)
                    || !_signedBy(request.finalizer, userOpHash, userOp.signature[20:])
            ) return _SIG_VALIDATION_FAILED;
            return 0;
        }
        return _SIG_VALIDATION_FAILED;
    }

    /// @notice The module never signs for the account (ERC-1271).
    /// @return `0xffffffff`.
    function isValidSignatureWithSender(address, bytes32, bytes calldata) external pure override returns (bytes4) {
        return _ERC1271_INVALID;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @notice An account's recovery setup.
    /// @param account The account.
    /// @return guardians The guardians.
    /// @return threshold How many must approve a request.
    /// @return delay Seconds between the last approval needed and finalizing.
    /// @return round The current round (approvals name it).
    /// @return pendingSinceBlock The block of the round's first approval (its events are from there on); 0 while no
    /// recovery is pending.
    /// @return maxRecoveryFee The most one recovery UserOp may cost the account (wei).
    function recoveryConfig(address account)
        external
        view
        returns (
            address[] memory guardians,
            uint256 threshold,
            uint256 delay,
            uint64 round,
            uint256 pendingSinceBlock,
            uint256 maxRecoveryFee
        )
    {
        Config storage config = _configs[account];
        uint256 count = config.guardianCount;
        guardians = new address[](count);
        for (uint256 i = 0; i < count; ++i) {
            guardians[i] = config.guardians[i];
        }
        return
            (guardians, config.threshold, config.delay, config.round, config.pendingSinceBlock, config.maxRecoveryFee);
    }

    /// @notice A request's approvals in its round.
    /// @param account The account.
    /// @param hash The request hash ({requestHash}).
    /// @return approvedBy Bit i set: guardian i (in {recoveryConfig}'s order) approved.
    /// @return readyAt 0 below the threshold; else the first timestamp at which it can be finalized.
    function requestApprovals(address account, bytes32 hash)
        external
        view
        returns (uint256 approvedBy, uint256 readyAt)
    {
        Approvals storage approvals = _approvals[hash][account];
        return (approvals.guardians, approvals.readyAt);
    }

    /// @notice The EIP-712 struct hash of {RecoveryApproval} for a request: its identity.
    /// @param account The account.
    /// @param round The round.
    /// @param request The request.
    /// @return The struct hash.
    function requestHash(address account, uint64 round, RecoveryRequest calldata request)
        external
        pure
        returns (bytes32)
    {
        return _requestHash(account, round, request);
    }

    /// @notice The EIP-712 digest a guardian signs to approve a request (domain `{name: "SsoWalletGuardianRecovery",
    /// version: "1", chainId, verifyingContract: this module}`).
    /// @param account The account.
    /// @param round The round.
    /// @param request The request.
    /// @return The digest.
    function approvalDigest(address account, uint64 round, RecoveryRequest calldata request)
        external
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(_requestHash(account, round, request));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------------------

    function _setGuardians(
        address account,
        address[] memory guardians,
        uint256 threshold,
        uint256 delay,
        uint256 maxRecoveryFee
    ) private {
        uint256 count = guardians.length;
        require(
            count <= MAX_GUARDIANS && threshold <= count && (threshold != 0 || count == 0) && delay >= MIN_DELAY
                && delay <= MAX_DELAY && maxRecoveryFee <= type(uint96).max,
            InvalidRecoverySetup()
        );
        Config storage config = _configs[account];
        for (uint256 i = 0; i < count; ++i) {
            address guardian = guardians[i];
            require(guardian != address(0) && guardian != account, InvalidGuardian(guardian));
            for (uint256 j = 0; j < i; ++j) {
                require(guardians[j] != guardian, InvalidGuardian(guardian));
            }
            config.guardians[i] = guardian;
        }
        for (uint256 i = count; i < config.guardianCount; ++i) {
            delete config.guardians[i];
        }
        uint64 round = config.round + 1;
        config.round = round;
        // Checked above: count ≤ 16, threshold ≤ count, delay ≤ 90 days.
        // forge-lint: disable-next-line(unsafe-typecast)
        config.threshold = uint8(threshold);
        // forge-lint: disable-next-line(unsafe-typecast)
        config.guardianCount = uint8(count);
        // forge-lint: disable-next-line(unsafe-typecast)
        config.delay = uint32(delay);
        config.pendingSinceBlock = 0;
        // forge-lint: disable-next-line(unsafe-typecast)
        config.maxRecoveryFee = uint96(maxRecoveryFee);
        emit GuardiansSet(account, round, guardians, threshold, delay, maxRecoveryFee);
    }

    /// @dev Records a guardian's approval (`bit`) of a request; schedules it when it reaches the threshold.
    function _record(
        Config storage config,
        address account,
        uint64 round,
        bytes32 hash,
        RecoveryRequest calldata request,
        uint16 bit,
        address guardian
    ) private {
        Approvals storage approvals = _approvals[hash][account];
        uint16 approvedBy = approvals.guardians;
        if (approvedBy & bit != 0) return;
        if (approvedBy == 0) {
            require(request.finalizer != address(0), NoFinalizer());
            // forge-lint: disable-next-line(unsafe-typecast)
            if (config.pendingSinceBlock == 0) config.pendingSinceBlock = uint48(block.number);
            emit RecoveryRequested(account, round, hash, request);
        }
        approvedBy |= bit;
        approvals.guardians = approvedBy;
        emit RecoveryApproved(account, round, hash, guardian);
        if (approvals.readyAt == 0 && _popCount(approvedBy) >= config.threshold) {
            uint256 readyAt = block.timestamp + config.delay;
            // A timestamp plus at most 90 days.
            // forge-lint: disable-next-line(unsafe-typecast)
            approvals.readyAt = uint48(readyAt);
            emit RecoveryScheduled(account, round, hash, readyAt);
        }
    }

    function _checkRound(Config storage config, uint64 round) private view {
        uint64 current = config.round;
        require(round == current, WrongRound(current));
    }

    /// @dev The guardian's position, or {MAX_GUARDIANS} if `who` is not a guardian.
    function _guardianIndex(Config storage config, address who) private view returns (uint256) {
        uint256 count = config.guardianCount;
        for (uint256 i = 0; i < count; ++i) {
            if (config.guardians[i] == who) return i;
        }
        return MAX_GUARDIANS;
    }

    function _requestHash(address account, uint64 round, RecoveryRequest calldata request)
        private
        pure
        returns (bytes32)
    {
        return _hashRequest(
            account,
            round,
            keccak256(request.credentialId),
            keccak256(abi.encodePacked(request.publicKey)),
            keccak256(bytes(request.originDomain)),
            request.finalizer
        );
    }

    /// @dev {_requestHash} of a request in memory (decoded from a UserOp).
    function _requestHashMemory(address account, uint64 round, RecoveryRequest memory request)
        private
        pure
        returns (bytes32)
    {
        return _hashRequest(
            account,
            round,
            keccak256(request.credentialId),
            keccak256(abi.encodePacked(request.publicKey)),
            keccak256(bytes(request.originDomain)),
            request.finalizer
        );
    }

    /// @dev The EIP-712 struct hash of {RecoveryApproval}, from the hashes of its dynamic members.
    function _hashRequest(
        address account,
        uint64 round,
        bytes32 credentialIdHash,
        bytes32 publicKeyHash,
        bytes32 originDomainHash,
        address finalizer
    ) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                RECOVERY_APPROVAL_TYPEHASH, account, round, credentialIdHash, publicKeyHash, originDomainHash, finalizer
            )
        );
    }

    /// @dev The readyAt of a scheduled request of the calling account in its current round, else 0.
    function _scheduled(address account, uint64 round, RecoveryRequest memory request) private view returns (uint256) {
        if (account != msg.sender || round != _configs[account].round) return 0;
        return _approvals[_requestHashMemory(account, round, request)][account].readyAt;
    }

    /// @dev Whether every signature is a 65-byte ECDSA signature of the request's digest by a distinct guardian who
    /// has not approved it yet, there is at least one, and with them the request reaches the threshold (the current
    /// round only): the account pays only for the approvals that schedule a request.
    function _reachesThreshold(
        address account,
        uint64 round,
        RecoveryRequest memory request,
        address[] memory signers,
        bytes[] memory signatures
    ) private view returns (bool) {
        Config storage config = _configs[account];
        if (round != config.round || signers.length == 0 || signers.length != signatures.length) return false;
        bytes32 hash = _requestHashMemory(account, round, request);
        bytes32 digest = _hashTypedDataV4(hash);
        uint256 seen = _approvals[hash][account].guardians;
        for (uint256 i = 0; i < signers.length; ++i) {
            uint256 index = _guardianIndex(config, signers[i]);
            if (index == MAX_GUARDIANS || seen & _bit(index) != 0 || signatures[i].length != 65) return false;
            (address recovered, ECDSA.RecoverError error,) = ECDSA.tryRecover(digest, signatures[i]);
            if (error != ECDSA.RecoverError.NoError || recovered != signers[i]) return false;
            seen |= _bit(index);
        }
        return _popCount(seen) >= config.threshold;
    }

    /// @dev Whether the UserOp is on the round's recovery lane within {MAX_RECOVERY_OPS}, and either a paymaster
    /// pays or its most cost (all its gas limits times `maxFeePerGas`) is within the account's `maxRecoveryFee`.
    function _affordable(PackedUserOperation calldata userOp) private view returns (bool) {
        Config storage config = _configs[msg.sender];
        uint256 nonce = userOp.nonce;
        // forge-lint: disable-next-line(unsafe-typecast)
        if (nonce >> 64 != (RECOVERY_NONCE_LANE << 64) | config.round || uint64(nonce) >= MAX_RECOVERY_OPS) {
            return false;
        }
        if (userOp.paymasterAndData.length != 0) return true;
        uint256 limits = uint256(userOp.accountGasLimits);
        // forge-lint: disable-next-line(unsafe-typecast)
        uint256 gas = (limits >> 128) + uint128(limits) + userOp.preVerificationGas;
        // forge-lint: disable-next-line(unsafe-typecast)
        uint256 maxFeePerGas = uint128(uint256(userOp.gasFees));
        // Each factor is below 2^130: the product cannot overflow.
        return gas < 2 ** 130 && gas * maxFeePerGas <= config.maxRecoveryFee;
    }

    /// @dev A guardian's approval signature: 65-byte ECDSA by `signer`'s key, else ERC-1271 when `signer` has code.
    function _isGuardianSignature(address signer, bytes32 digest, bytes calldata signature)
        private
        view
        returns (bool)
    {
        if (signature.length == 65 && _signedBy(signer, digest, signature)) return true;
        return signer.code.length != 0 && SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signature);
    }

    /// @dev Whether `signature` (r ‖ s ‖ v) is `signer`'s ECDSA signature of `hash` (raw, no prefix).
    function _signedBy(address signer, bytes32 hash, bytes calldata signature) private pure returns (bool) {
        (address recovered, ECDSA.RecoverError error,) = ECDSA.tryRecoverCalldata(hash, signature);
        return error == ECDSA.RecoverError.NoError && recovered == signer && signer != address(0);
    }

    /// @dev The module call of `execute(bytes32(0), address(this) ‖ 0 ‖ call)`, or empty if `callData` is anything
    /// else (another mode, target or value, or a non-standard encoding).
    function _recoveryCall(bytes calldata callData) private view returns (bytes calldata call) {
        call = callData[:0];
        if (callData.length < 0x64 || bytes4(callData[:4]) != IERC7579Execution.execute.selector) return call;
        if (bytes32(callData[4:0x24]) != 0 || uint256(bytes32(callData[0x24:0x44])) != 0x40) return call;
        uint256 length = uint256(bytes32(callData[0x44:0x64]));
        if (length < 52 || length > callData.length - 0x64) return call;
        bytes calldata execution = callData[0x64:0x64 + length];
        if (address(bytes20(execution[:20])) != address(this) || bytes32(execution[20:52]) != 0) return call;
        return execution[52:];
    }

    /// @dev Guardian `index`'s bit in {Approvals} (index < {MAX_GUARDIANS}, so it fits 16 bits).
    function _bit(uint256 index) private pure returns (uint16) {
        // forge-lint: disable-next-line(incorrect-shift,unsafe-typecast)
        return uint16(1 << index);
    }

    function _popCount(uint256 bits) private pure returns (uint256 count) {
        while (bits != 0) {
            bits &= bits - 1;
            ++count;
        }
    }
}
