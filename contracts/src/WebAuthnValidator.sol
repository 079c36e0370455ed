// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {
    IERC7579Module,
    IERC7579Validator,
    MODULE_TYPE_VALIDATOR
} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {ERC7739Utils} from "@openzeppelin/contracts/utils/cryptography/draft-ERC7739Utils.sol";

/// @title WebAuthnValidator
/// @notice ERC-7579 validator module (type 1) that authorises ERC-4337 UserOps and ERC-1271 signatures with
/// WebAuthn passkeys (P-256). Keys are stored per `(originDomain, credentialId, account)`; for login on a new
/// device the list of accounts that proved possession of a credential is kept per `(originDomain, credentialId)`.
/// @dev The data model follows ZKsync SSO's ERC-4337 `WebAuthnValidator`; its signature encoding, with one more
/// word: validator data = `abi.encode(bytes authenticatorData, string clientDataJSON, bytes32[2] rs,
/// bytes credentialId, uint256 p256Verifier)`. `p256Verifier` names the P-256 verifier the signer chose for this
/// chain: 0 = OpenZeppelin's Solidity implementation, 1 = the P256VERIFY precompile at 0x100 (EIP-7951 / RIP-7212); any
/// other value fails. Both check the same equation (and both refuse high-s), so the choice is not a security
/// parameter: it only lets validation take one path without probing 0x100. Probing, as `P256.verify` does, calls an
/// address without code on chains that lack the precompile, which ERC-7562 bundlers refuse (OP-041); naming the
/// precompile on such a chain simply fails. The wallet detects the precompile per chain.
/// `clientDataJSON` is checked with the WebAuthn "limited verification" of the fixed serialization:
/// `{"type":"webauthn.get","challenge":"<base64url(hash)>","origin":"<originDomain>"` followed by `}` or
/// `,"crossOrigin":false` (anything after that is accepted). The origin is the key-lookup `originDomain`.
///
/// Key registration. {addValidationKey} requires a proof of possession: a WebAuthn assertion by the new key over
/// {registrationChallenge}, which binds the account, the chain and this validator. So {getAccountList} lists
/// exactly the accounts that registered the credential with such a proof: an account cannot list itself under
/// someone else's passkey. The first passkey, installed by {onInstall} when the factory deploys the account, needs
/// no proof and is not listed: it is bound to the account by the factory's CREATE2 address (derived from the salt
/// and this passkey), so wallets find first-passkey accounts by deriving the address, not from the list. Writing
/// the list during deployment would also break ERC-7562 (the list is not storage associated with the account);
/// {onInstall} writes only slots associated with the account (its key and key count), which ERC-7562 bundlers
/// accept during deployment when the factory is staked (STO-022).
/// Keys installed through {onInstall} by any other caller are likewise unproven and unlisted: they only ever
/// authorise that caller.
contract WebAuthnValidator is IERC7579Validator {
    using MessageHashUtils for bytes32;
    using ERC7739Utils for *;

    /// @dev ERC-4337 validation result for success.
    uint256 private constant _SIG_VALIDATION_SUCCESS = 0;
    /// @dev ERC-4337 validation result for a signature failure.
    uint256 private constant _SIG_VALIDATION_FAILED = 1;
    /// @dev ERC-1271 magic value.
    bytes4 private constant _ERC1271_MAGIC = 0x1626ba7e;
    /// @dev ERC-1271 failure value.
    bytes4 private constant _ERC1271_INVALID = 0xffffffff;
    /// @dev Minimum credential id length (bytes).
    uint256 private constant _MIN_CREDENTIAL_ID_LENGTH = 16;
    /// @dev Maximum origin length (bytes).
    uint256 private constant _MAX_ORIGIN_LENGTH = 255;
    /// @dev `p256Verifier`: OpenZeppelin's Solidity P-256 implementation.
    uint256 private constant _VERIFIER_SOLIDITY = 0;
    /// @dev `p256Verifier`: the P256VERIFY precompile (EIP-7951 / RIP-7212).
    uint256 private constant _VERIFIER_PRECOMPILE = 1;
    /// @dev The P256VERIFY precompile's address.
    address private constant _P256_PRECOMPILE = address(0x100);
    /// @dev Half the P-256 group order: signatures with a larger `s` are refused (malleability).
    uint256 private constant _P256_HALF_N = 0x7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8;
    /// @dev Head size of the signature encoding (five words).
    uint256 private constant _SIGNATURE_HEAD = 160 + 32;
    /// @dev Authenticator flags User Present (0x01) and User Verified (0x04).
    bytes1 private constant _UP_UV = 0x05;
    /// @dev EIP-712 domain typehash for `fields == 0x0f` (name, version, chainId, verifyingContract).
    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    /// @dev `KEY_REGISTRATION_TYPEHASH`, the type hash of the key-registration challenge (see {registrationChallenge}).
    bytes32 private constant _KEY_REGISTRATION_TYPEHASH = keccak256(
        "SsoWalletKeyRegistration(address account,uint256 chainId,address validator,bytes credentialId,bytes32[2] publicKey,string originDomain)"
    );

    /// @dev `(originDomain, credentialId, account)` → P-256 public key `(x, y)`.
    mapping(string originDomain => mapping(bytes credentialId => mapping(address account => bytes32[2]))) private _keys;

    /// @dev Accounts that registered one `(originDomain, credentialId)` with a proof of possession (through
    /// {addValidationKey}; keys installed by {onInstall} are not listed): the length and the first account share a
    /// slot (gas: registering the first account of a credential writes one slot, not two); entries 1.. follow.
    struct AccountList {
        uint96 length;
        address first;
        mapping(uint256 index => address) rest;
    }

    /// @dev `(originDomain, credentialId)` → accounts that registered this credential.
    mapping(string originDomain => mapping(bytes credentialId => AccountList)) private _accounts;
    /// @dev Number of keys registered by each account.
    mapping(address account => uint256) private _keyCount;

    /// @notice Emitted when `account` registers a passkey.
    /// @param account The smart account that owns the key.
    /// @param originDomainHash `keccak256(bytes(originDomain))`.
    /// @param originDomain The WebAuthn origin (`clientDataJSON.origin`) the key is bound to.
    /// @param credentialId The WebAuthn credential id.
    /// @param publicKey The P-256 public key `(x, y)`.
    event PasskeyCreated(
        address indexed account,
        bytes32 indexed originDomainHash,
        string originDomain,
        bytes credentialId,
        bytes32[2] publicKey
    );

    /// @notice Emitted when `account` removes a passkey.
    /// @param account The smart account that owned the key.
    /// @param originDomainHash `keccak256(bytes(originDomain))`.
    /// @param originDomain The WebAuthn origin the key was bound to.
    /// @param credentialId The WebAuthn credential id.
    event PasskeyRemoved(
        address indexed account, bytes32 indexed originDomainHash, string originDomain, bytes credentialId
    );

    /// @notice A key already exists for `(originDomain, credentialId, account)`; keys are never overwritten.
    error KeyAlreadyExists();
    /// @notice No key exists for `(originDomain, credentialId, account)`.
    error KeyNotFound();
    /// @notice The key to add is zero.
    error EmptyKey();
    /// @notice The credential id is shorter than 16 bytes.
    /// @param length The given length.
    error CredentialIdTooShort(uint256 length);
    /// @notice The origin is empty or longer than 255 bytes.
    /// @param length The given length.
    error BadOriginLength(uint256 length);
    /// @notice Removing the account's last key would lock it out; uninstall the module instead.
    error CannotRemoveLastKey();
    /// @notice The proof of possession given to {addValidationKey} is not a valid WebAuthn assertion by the new key
    /// over {registrationChallenge} for the calling account, credential and origin.
    error InvalidKeyProof();

    // ------------------------------------------------------------------------------------------------------------
    // ERC-7579 module lifecycle
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Called by the account when the module is installed; registers the account's first passkey, if any,
    /// without a proof of possession and without adding the account to {getAccountList}.
    /// @dev A key installed when {AccountFactory} deploys the account is bound to it by the factory's CREATE2
    /// address (`getAddress` derives the address from the salt and this passkey): wallets find such accounts by
    /// deriving the address, not from the list. This writes only storage associated with the account (ERC-7562):
    /// the key slots `_keys[originDomain][credentialId][account]` and `_keyCount[account]`, which bundlers accept
    /// during the deploying UserOp when the factory is staked (STO-022); the per-credential account list is
    /// shared storage and would make them reject the deployment. Same argument checks, errors and
    /// {PasskeyCreated} event as {addValidationKey}.
    /// `data` is read in place from calldata (no memory copy); malformed data reverts, as `abi.decode` would.
    /// @param data Empty (no key) or `abi.encode(bytes credentialId, bytes32[2] publicKey, string originDomain)`.
    function onInstall(bytes calldata data) external override {
        if (data.length == 0) return;
        (bytes calldata credentialId, bytes32[2] calldata publicKey, bytes calldata originDomain) = _decodeKeyData(data);
        bytes32[2] storage slot = _checkNewKey(msg.sender, credentialId, publicKey, string(originDomain));
        _storeKey(slot, msg.sender, credentialId, publicKey, string(originDomain));
    }

    /// @notice Called by the account when the module is uninstalled.
    /// @dev Empty `data` leaves stored keys in place: they are inert while the module is not installed but become
    /// usable again if the module is re-installed. To clear keys pass
    /// `abi.encode(string[] originDomains, bytes[] credentialIds)` (pairwise); each listed key must exist and is
    /// removed without the last-key check.
    /// @param data Empty, or the keys to clear.
    function onUninstall(bytes calldata data) external override {
        if (data.length == 0) return;
        (string[] memory origins, bytes[] memory credentialIds) = abi.decode(data, (string[], bytes[]));
        require(origins.length == credentialIds.length, KeyNotFound());
        for (uint256 i = 0; i < origins.length; ++i) {
            _removeKey(msg.sender, credentialIds[i], origins[i]);
        }
    }

    /// @notice Whether this module is of the given ERC-7579 module type (only validator, type 1).
    /// @param moduleTypeId The module type id.
    /// @return True iff `moduleTypeId == 1`.
    function isModuleType(uint256 moduleTypeId) external pure override returns (bool) {
        return moduleTypeId == MODULE_TYPE_VALIDATOR;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Key management (msg.sender is the account)
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Registers a passkey for the calling account, given a proof that the caller holds it, and adds the
    /// account to {getAccountList} for `(originDomain, credentialId)`.
    /// @dev Reverts with {BadOriginLength} (origin not 1–255 bytes), {CredentialIdTooShort} (< 16 bytes),
    /// {EmptyKey}, {KeyAlreadyExists}, then {InvalidKeyProof} (in this order). `proof` is a WebAuthn assertion by
    /// `newKey`, encoded like validator signature data:
    /// `abi.encode(bytes authenticatorData, string clientDataJSON, bytes32[2] rs, bytes credentialId)`, where the
    /// embedded credential id equals `credentialId`, `clientDataJSON` passes the same limited verification as a
    /// UserOp signature with challenge `base64url(registrationChallenge(msg.sender, credentialId, newKey,
    /// originDomain))` and origin exactly `originDomain`, the authenticator flags have UP and UV, and `rs` (low-s)
    /// is a P-256 signature by `newKey` over `sha256(authenticatorData ‖ sha256(clientDataJSON))`.
    /// @param credentialId The WebAuthn credential id (≥ 16 bytes).
    /// @param newKey The P-256 public key `(x, y)`.
    /// @param originDomain The WebAuthn origin, exactly as it appears in `clientDataJSON.origin`.
    /// @param proof The WebAuthn assertion by `newKey` over the registration challenge.
    /// @return True (kept for ZKsync SSO ABI compatibility).
    function addValidationKey(
        bytes calldata credentialId,
        bytes32[2] calldata newKey,
        string calldata originDomain,
        bytes calldata proof
    ) external returns (bool) {
        bytes32[2] storage slot = _checkNewKey(msg.sender, credentialId, newKey, originDomain);
        require(_isValidKeyProof(credentialId, newKey, originDomain, proof), InvalidKeyProof());
        _storeKey(slot, msg.sender, credentialId, newKey, originDomain);
        AccountList storage list = _accounts[originDomain][credentialId];
        uint96 length = list.length;
        if (length == 0) list.first = msg.sender;
        else list.rest[length] = msg.sender;
        list.length = length + 1;
        return true;
    }

    /// @notice The WebAuthn challenge a new key signs to prove possession in {addValidationKey}:
    /// `keccak256(abi.encode(KEY_REGISTRATION_TYPEHASH, account, block.chainid, address(this),
    /// keccak256(credentialId), publicKey[0], publicKey[1], keccak256(bytes(originDomain))))` with
    /// `KEY_REGISTRATION_TYPEHASH = keccak256("SsoWalletKeyRegistration(address account,uint256 chainId,address
    /// validator,bytes credentialId,bytes32[2] publicKey,string originDomain)")`. It binds the account, the chain and
    /// this validator, so a proof cannot be replayed for another account, chain or validator (and it is never a
    /// UserOp hash or an ERC-7739 challenge).
    /// @param account The registering account (`msg.sender` of {addValidationKey}).
    /// @param credentialId The WebAuthn credential id.
    /// @param publicKey The P-256 public key `(x, y)`.
    /// @param originDomain The WebAuthn origin.
    /// @return The challenge (its base64url encoding is `clientDataJSON.challenge`).
    function registrationChallenge(
        address account,
        bytes calldata credentialId,
        bytes32[2] calldata publicKey,
        string calldata originDomain
    ) external view returns (bytes32) {
        return _registrationChallenge(account, credentialId, publicKey, originDomain);
    }

    /// @notice Removes a passkey of the calling account. Reverts if it does not exist or is the account's last key.
    /// @param credentialId The WebAuthn credential id.
    /// @param originDomain The WebAuthn origin the key is bound to.
    function removeValidationKey(bytes calldata credentialId, string calldata originDomain) external {
        require(_keyCount[msg.sender] > 1, CannotRemoveLastKey());
        _removeKey(msg.sender, credentialId, originDomain);
    }

    /// @notice The key of `account` for `(originDomain, credentialId)`, or `(0, 0)` if none.
    /// @param originDomain The WebAuthn origin.
    /// @param credentialId The WebAuthn credential id.
    /// @param account The smart account.
    /// @return The P-256 public key `(x, y)`.
    function getAccountKey(string calldata originDomain, bytes calldata credentialId, address account)
        external
        view
        returns (bytes32[2] memory)
    {
        return _keys[originDomain][credentialId][account];
    }

    /// @notice The accounts that registered `(originDomain, credentialId)` through {addValidationKey}, i.e. with a
    /// valid proof of possession of the credential's key (for login on a new device). Accounts whose key for it was
    /// installed by {onInstall} (an account's first passkey, bound by the factory's CREATE2 address) are not
    /// listed: derive their address from the factory instead.
    /// @dev A listed account proved possession once, for the key it stores; the list says nothing about whether the
    /// account still has this validator installed or what else controls it.
    /// @param originDomain The WebAuthn origin.
    /// @param credentialId The WebAuthn credential id.
    /// @return The account addresses (unordered).
    function getAccountList(string calldata originDomain, bytes calldata credentialId)
        external
        view
        returns (address[] memory)
    {
        AccountList storage list = _accounts[originDomain][credentialId];
        uint256 length = list.length;
        address[] memory accounts = new address[](length);
        for (uint256 i = 0; i < length; ++i) {
            accounts[i] = _at(list, i);
        }
        return accounts;
    }

    /// @notice Number of passkeys registered by `account`.
    /// @param account The smart account.
    /// @return The key count.
    function keyCount(address account) external view returns (uint256) {
        return _keyCount[account];
    }

    // ------------------------------------------------------------------------------------------------------------
    // Validation
    // ------------------------------------------------------------------------------------------------------------

    /// @notice ERC-4337 UserOp validation on behalf of the calling account.
    /// @dev `userOp.signature = validatorAddress (20 bytes) ‖ abi.encode(authenticatorData, clientDataJSON, rs,
    /// credentialId, p256Verifier)`; the WebAuthn challenge is `userOpHash`. Never reverts on malformed signature
    /// bytes.
    /// @param userOp The packed UserOperation (as passed by the account).
    /// @param userOpHash The EntryPoint's UserOp hash.
    /// @return 0 on success, 1 (`SIG_VALIDATION_FAILED`) on any failure.
    function validateUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash)
        external
        view
        override
        returns (uint256)
    {
        bytes calldata signature = userOp.signature;
        if (signature.length < 20) return _SIG_VALIDATION_FAILED;
        return _verify(userOpHash, signature[20:], msg.sender) ? _SIG_VALIDATION_SUCCESS : _SIG_VALIDATION_FAILED;
    }

    /// @notice ERC-1271 validation on behalf of the calling account (`msg.sender`), made replay-safe across
    /// accounts with ERC-7739 against the account's own EIP-712 domain (read via ERC-5267 `eip712Domain()`).
    /// @dev Two ERC-7739 paths are accepted:
    /// - TypedDataSign: `signature = passkeySig ‖ appSeparator ‖ contentsHash ‖ contentsDescr ‖ uint16(len)`,
    ///   with `hash == toTypedDataHash(appSeparator, contentsHash)`; the challenge is
    ///   `toTypedDataHash(appSeparator, TypedDataSign struct hash(contents, account domain))`.
    /// - PersonalSign: `signature = passkeySig`; the challenge is
    ///   `toTypedDataHash(accountDomainSeparator, keccak256(abi.encode(PERSONAL_SIGN_TYPEHASH, hash)))`.
    /// `passkeySig` is the same encoding as for UserOps, without the 20-byte validator prefix.
    /// @param sender The ERC-1271 caller of the account (unused).
    /// @param hash The hash being verified.
    /// @param signature The ERC-7739 wrapped passkey signature.
    /// @return `0x1626ba7e` if valid, `0xffffffff` otherwise.
    function isValidSignatureWithSender(address sender, bytes32 hash, bytes calldata signature)
        external
        view
        override
        returns (bytes4)
    {
        sender; // unused
        (bool ok, bytes memory domainBytes, bytes32 domainSeparator) = _accountDomain(msg.sender);
        if (!ok) return _ERC1271_INVALID;

        // ERC-7739 TypedDataSign path.
        if (_isValidTypedDataSign(hash, signature, domainBytes)) return _ERC1271_MAGIC;

        // ERC-7739 PersonalSign path.
        if (_verify(domainSeparator.toTypedDataHash(hash.personalSignStructHash()), signature, msg.sender)) {
            return _ERC1271_MAGIC;
        }
        return _ERC1271_INVALID;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------------------

    /// @dev ERC-7739 TypedDataSign check of `signature` against `hash` for the calling account.
    function _isValidTypedDataSign(bytes32 hash, bytes calldata signature, bytes memory domainBytes)
        private
        view
        returns (bool)
    {
        (bytes calldata inner, bytes32 appSeparator, bytes32 contentsHash, string calldata contentsDescr) =
            signature.decodeTypedDataSig();
        if (inner.length == 0 || hash != appSeparator.toTypedDataHash(contentsHash)) return false;
        bytes32 structHash = ERC7739Utils.typedDataSignStructHash(contentsDescr, contentsHash, domainBytes);
        return structHash != 0 && _verify(appSeparator.toTypedDataHash(structHash), inner, msg.sender);
    }

    /// @dev `abi.decode(data, (bytes, bytes32[2], string))` as calldata views; reverts (without data) when a
    /// head offset or a length points outside `data`.
    function _decodeKeyData(bytes calldata data)
        private
        pure
        returns (bytes calldata credentialId, bytes32[2] calldata publicKey, bytes calldata originDomain)
    {
        require(data.length >= 0x80);
        credentialId = _dynamicAtStrict(data, 0x00);
        assembly ("memory-safe") {
            publicKey := add(data.offset, 0x20)
        }
        originDomain = _dynamicAtStrict(data, 0x60);
    }

    /// @dev The `bytes` whose offset is at head position `head` of `data` (`data.length >= head + 32`); reverts
    /// (without data) when it does not lie within `data`.
    function _dynamicAtStrict(bytes calldata data, uint256 head) private pure returns (bytes calldata) {
        (bool ok, bytes calldata value) = _dynamicAt(data, head);
        require(ok);
        return value;
    }

    /// @dev Argument checks for a new key of `account`; returns its (empty) storage slot.
    function _checkNewKey(
        address account,
        bytes calldata credentialId,
        bytes32[2] calldata key,
        string calldata originDomain
    ) private view returns (bytes32[2] storage slot) {
        uint256 originLength = bytes(originDomain).length;
        require(originLength != 0 && originLength <= _MAX_ORIGIN_LENGTH, BadOriginLength(originLength));
        require(credentialId.length >= _MIN_CREDENTIAL_ID_LENGTH, CredentialIdTooShort(credentialId.length));
        require(key[0] != 0 || key[1] != 0, EmptyKey());
        slot = _keys[originDomain][credentialId][account];
        require(slot[0] == 0 && slot[1] == 0, KeyAlreadyExists());
    }

    /// @dev Stores a checked key (storage associated with `account` only) and emits {PasskeyCreated}.
    function _storeKey(
        bytes32[2] storage slot,
        address account,
        bytes calldata credentialId,
        bytes32[2] calldata key,
        string calldata originDomain
    ) private {
        slot[0] = key[0];
        slot[1] = key[1];
        ++_keyCount[account];
        emit PasskeyCreated(account, keccak256(bytes(originDomain)), originDomain, credentialId, key);
    }

    /// @dev See {registrationChallenge}.
    function _registrationChallenge(
        address account,
        bytes calldata credentialId,
        bytes32[2] calldata publicKey,
        string calldata originDomain
    ) private view returns (bytes32) {
        return keccak256(
            abi.encode(
                _KEY_REGISTRATION_TYPEHASH,
                account,
                block.chainid,
                address(this),
                keccak256(credentialId),
                publicKey[0],
                publicKey[1],
                keccak256(bytes(originDomain))
            )
        );
    }

    /// @dev Whether `proof` is a WebAuthn assertion by `key` for `(originDomain, credentialId)` over the
    /// registration challenge of the calling account (see {addValidationKey}). Never reverts on malformed data.
    function _isValidKeyProof(
        bytes calldata credentialId,
        bytes32[2] calldata key,
        string calldata originDomain,
        bytes calldata proof
    ) private view returns (bool) {
        bytes32 challenge = _registrationChallenge(msg.sender, credentialId, key, originDomain);
        return _isAssertionFor(challenge, proof, credentialId, keccak256(bytes(originDomain)))
            && _verifySignature(proof, key[0], key[1]);
    }

    /// @dev Whether `data` passes {_checkAssertion} for `challenge` with exactly this credential id and origin.
    function _isAssertionFor(bytes32 challenge, bytes calldata data, bytes calldata credentialId, bytes32 originHash)
        private
        pure
        returns (bool)
    {
        (bool ok, bytes calldata origin, bytes calldata dataCredentialId) = _checkAssertion(challenge, data);
        return ok && keccak256(origin) == originHash && dataCredentialId.length == credentialId.length
            && keccak256(dataCredentialId) == keccak256(credentialId);
    }

    /// @dev Deletes a key of `account` and its list entry if it has one (keys installed by {onInstall} have none;
    /// an account appears at most once per list, since keys are never overwritten).
    function _removeKey(address account, bytes memory credentialId, string memory originDomain) private {
        bytes32[2] storage slot = _keys[originDomain][credentialId][account];
        require(slot[0] != 0 || slot[1] != 0, KeyNotFound());
        delete _keys[originDomain][credentialId][account];
        AccountList storage list = _accounts[originDomain][credentialId];
        uint96 length = list.length;
        for (uint256 i = 0; i < length; ++i) {
            if (_at(list, i) == account) {
                uint96 last = length - 1;
                address moved = _at(list, last);
                if (i == 0) list.first = moved;
                else list.rest[i] = moved;
                if (last == 0) list.first = address(0);
                else delete list.rest[last];
                list.length = last;
                break;
            }
        }
        --_keyCount[account];
        emit PasskeyRemoved(account, keccak256(bytes(originDomain)), originDomain, credentialId);
    }

    /// @dev Verifies a passkey signature `data` over `challenge` for `account`. Never reverts on malformed data.
    function _verify(bytes32 challenge, bytes calldata data, address account) private view returns (bool) {
        (bool ok, bytes calldata origin, bytes calldata credentialId) = _checkAssertion(challenge, data);
        if (!ok) return false;
        bytes32[2] storage key = _keys[string(origin)][credentialId][account];
        bytes32 qx = key[0];
        bytes32 qy = key[1];
        return (qx != 0 || qy != 0) && _verifySignature(data, qx, qy);
    }

    /// @dev P-256 check of the WebAuthn assertion `data` (already checked by {_checkAssertion}) against `(qx, qy)`.
    function _verifySignature(bytes calldata data, bytes32 qx, bytes32 qy) private view returns (bool) {
        // `data` is well-formed here (length >= 192, both dynamic fields in bounds).
        (, bytes calldata authData) = _dynamicAt(data, 0);
        (, bytes calldata clientData) = _dynamicAt(data, 32);
        bytes32 digest = sha256(abi.encodePacked(authData, sha256(clientData)));
        return _verifyP256(uint256(bytes32(data[160:192])), digest, bytes32(data[64:96]), bytes32(data[96:128]), qx, qy);
    }

    /// @dev P-256 verification by the verifier the signature names; both paths reject r, s out of range, high-s
    /// (s > n/2) and keys off the curve. Never probes 0x100 on the Solidity path.
    function _verifyP256(uint256 verifier, bytes32 digest, bytes32 r, bytes32 s, bytes32 qx, bytes32 qy)
        private
        view
        returns (bool)
    {
        if (verifier == _VERIFIER_SOLIDITY) return P256.verifySolidity(digest, r, s, qx, qy);
        if (verifier != _VERIFIER_PRECOMPILE) return false;
        if (uint256(r) == 0 || uint256(r) >= P256.N || uint256(s) == 0 || uint256(s) > _P256_HALF_N) return false;
        if (!P256.isValidPublicKey(qx, qy)) return false;
        // Where 0x100 is no precompile the call succeeds with no output: false.
        (bool success, bytes memory result) = _P256_PRECOMPILE.staticcall(abi.encode(digest, r, s, qx, qy));
        return success && result.length == 32 && uint256(bytes32(result)) == 1;
    }

    /// @dev Bounds-checks the ABI encoding `abi.encode(bytes authenticatorData, string clientDataJSON,
    /// bytes32[2] rs, bytes credentialId, uint256 p256Verifier)`, checks the UP+UV flags and clientDataJSON against
    /// `challenge`, and returns the origin and the credential id; `ok == false` instead of a revert on any problem.
    function _checkAssertion(bytes32 challenge, bytes calldata data)
        private
        pure
        returns (bool ok, bytes calldata origin, bytes calldata credentialId)
    {
        assembly ("memory-safe") {
            // Empty views for the failure returns (cheaper than checked `data[:0]` slices; gas: hot path).
            origin.offset := 0
            origin.length := 0
            credentialId.offset := 0
            credentialId.length := 0
        }
        if (data.length < _SIGNATURE_HEAD) return (false, origin, credentialId);
        {
            bytes calldata authData;
            (ok, authData) = _dynamicAt(data, 0);
            if (!ok || authData.length < 37 || (authData[32] & _UP_UV) != _UP_UV) return (false, origin, credentialId);
        }
        {
            bytes calldata clientData;
            (ok, clientData) = _dynamicAt(data, 32);
            if (!ok) return (false, origin, credentialId);
            (ok, origin) = _checkClientData(challenge, clientData);
            if (!ok) return (false, origin, credentialId);
        }
        (ok, credentialId) = _dynamicAt(data, 128);
    }

    /// @dev WebAuthn limited verification of `clientDataJSON`; returns the origin on success.
    function _checkClientData(bytes32 challenge, bytes calldata clientData)
        private
        pure
        returns (bool, bytes calldata origin)
    {
        origin = clientData[:0];
        // Fixed prefix with the expected challenge.
        bytes memory prefix = bytes.concat(
            '{"type":"webauthn.get","challenge":"', bytes(Base64.encodeURL(abi.encodePacked(challenge))), '","origin":"'
        );
        uint256 start = prefix.length;
        if (clientData.length <= start || keccak256(clientData[:start]) != keccak256(prefix)) return (false, origin);

        // Origin: up to the next `"`.
        uint256 end = start;
        while (end < clientData.length && clientData[end] != '"') ++end;
        if (end == clientData.length) return (false, origin);

        // Remainder: `}` or `,"crossOrigin":false` (anything after that is accepted).
        bytes calldata rest = clientData[end + 1:];
        bytes memory crossOriginFalse = ',"crossOrigin":false';
        bool closed = rest.length != 0 && rest[0] == "}";
        bool sameOrigin = rest.length >= crossOriginFalse.length
            && keccak256(rest[:crossOriginFalse.length]) == keccak256(crossOriginFalse);
        if (!closed && !sameOrigin) return (false, origin);
        return (true, clientData[start:end]);
    }

    /// @dev Entry `i` of an account list.
    function _at(AccountList storage list, uint256 i) private view returns (address) {
        return i == 0 ? list.first : list.rest[i];
    }

    /// @dev The dynamic `bytes` whose offset is at head position `head` of `data` (`data.length >= head + 32`).
    /// Same checks as `offset <= data.length - 32 && length <= data.length - offset - 32` with checked slices, in
    /// assembly (no subtraction can underflow: `data.length >= 32`, and `offset <= data.length - 32` is checked
    /// before `data.length - offset - 32` is computed).
    function _dynamicAt(bytes calldata data, uint256 head) private pure returns (bool ok, bytes calldata value) {
        assembly ("memory-safe") {
            value.offset := data.offset
            value.length := 0
            let len := data.length
            let offset := calldataload(add(data.offset, head))
            if iszero(gt(offset, sub(len, 0x20))) {
                let length := calldataload(add(data.offset, offset))
                if iszero(gt(length, sub(sub(len, offset), 0x20))) {
                    ok := 1
                    value.offset := add(add(data.offset, offset), 0x20)
                    value.length := length
                }
            }
        }
    }

    /// @dev The account's EIP-712 domain (ERC-5267): the ERC-7739 `domainBytes` and the domain separator. Only
    /// domains with fields `0x0f` (name, version, chainId, verifyingContract) are supported.
    function _accountDomain(address account)
        private
        view
        returns (bool ok, bytes memory domainBytes, bytes32 domainSeparator)
    {
        if (account.code.length == 0) return (false, domainBytes, 0);
        try IERC5267(account).eip712Domain() returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory
        ) {
            if (fields != 0x0f) return (false, domainBytes, 0);
            bytes32 nameHash = keccak256(bytes(name));
            bytes32 versionHash = keccak256(bytes(version));
            domainBytes = abi.encode(nameHash, versionHash, chainId, verifyingContract, salt);
            domainSeparator = keccak256(abi.encode(_DOMAIN_TYPEHASH, nameHash, versionHash, chainId, verifyingContract));
            return (true, domainBytes, domainSeparator);
        } catch {
            return (false, domainBytes, 0);
        }
    }
}
