// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {WebAuthnValidator} from "../src/WebAuthnValidator.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev The test contract itself plays the account (msg.sender of the validator).
contract WebAuthnValidatorTest is TestBase {
    WebAuthnValidator internal validator;
    bytes32 internal constant USER_OP_HASH = keccak256("userOpHash");

    function setUp() public {
        validator = new WebAuthnValidator();
        validator.addValidationKey(
            CRED_ID,
            publicKey(PASSKEY_PK),
            ORIGIN,
            keyProof(PASSKEY_PK, address(this), address(validator), CRED_ID, ORIGIN)
        );
    }

    /// @dev `account` registers `pk`'s key for `credId` with a valid proof of possession.
    function _register(address account, bytes memory credId, uint256 pk) internal {
        bytes memory proof = keyProof(pk, account, address(validator), credId, ORIGIN);
        vm.prank(account);
        validator.addValidationKey(credId, publicKey(pk), ORIGIN, proof);
    }

    function _userOp(bytes memory validatorData) internal view returns (PackedUserOperation memory op) {
        op.sender = address(this);
        op.signature = abi.encodePacked(address(validator), validatorData);
    }

    function _validate(bytes memory validatorData) internal view returns (uint256) {
        return validator.validateUserOp(_userOp(validatorData), USER_OP_HASH);
    }

    // ---- module & key management ----

    function test_isModuleType_onlyValidator() public view {
        assertTrue(validator.isModuleType(1), "type 1");
        assertTrue(!validator.isModuleType(2) && !validator.isModuleType(3), "not 2/3");
    }

    function test_addValidationKey_storesKeyAndAccountList() public view {
        bytes32[2] memory key = validator.getAccountKey(ORIGIN, CRED_ID, address(this));
        bytes32[2] memory expected = publicKey(PASSKEY_PK);
        assertEq(key[0], expected[0], "x");
        assertEq(key[1], expected[1], "y");
        address[] memory list = validator.getAccountList(ORIGIN, CRED_ID);
        assertEq(list.length, 1, "list length");
        assertEq(list[0], address(this), "list entry");
        assertEq(validator.keyCount(address(this)), 1, "count");
    }

    function test_addValidationKey_emitsPasskeyCreated() public {
        bytes memory credId = hex"ffeeddccbbaa99887766554433221100";
        bytes32[2] memory key = publicKey(2);
        bytes memory proof = keyProof(2, address(this), address(validator), credId, ORIGIN);
        vm.expectEmit(address(validator));
        emit WebAuthnValidator.PasskeyCreated(address(this), keccak256(bytes(ORIGIN)), ORIGIN, credId, key);
        validator.addValidationKey(credId, key, ORIGIN, proof);
    }

    /// @dev The argument checks come before the proof check: a valid proof does not change them, and a missing
    /// one does not mask them.
    function test_addValidationKey_rejectsDuplicateKey() public {
        bytes memory proof = keyProof(2, address(this), address(validator), CRED_ID, ORIGIN);
        vm.expectRevert(WebAuthnValidator.KeyAlreadyExists.selector);
        validator.addValidationKey(CRED_ID, publicKey(2), ORIGIN, proof);
        vm.expectRevert(WebAuthnValidator.KeyAlreadyExists.selector);
        validator.addValidationKey(CRED_ID, publicKey(2), ORIGIN, "");
    }

    function test_addValidationKey_rejectsShortCredentialId() public {
        bytes memory credId = hex"00112233445566778899aabbccddee";
        bytes memory proof = keyProof(2, address(this), address(validator), credId, ORIGIN);
        vm.expectRevert(abi.encodeWithSelector(WebAuthnValidator.CredentialIdTooShort.selector, 15));
        validator.addValidationKey(credId, publicKey(2), ORIGIN, proof);
        vm.expectRevert(abi.encodeWithSelector(WebAuthnValidator.CredentialIdTooShort.selector, 15));
        validator.addValidationKey(credId, publicKey(2), ORIGIN, "");
    }

    function test_addValidationKey_rejectsEmptyOrigin() public {
        vm.expectRevert(abi.encodeWithSelector(WebAuthnValidator.BadOriginLength.selector, 0));
        validator.addValidationKey(CRED_ID, publicKey(2), "", "");
    }

    function test_addValidationKey_rejectsTooLongOrigin() public {
        bytes memory origin = new bytes(256);
        for (uint256 i = 0; i < origin.length; ++i) {
            origin[i] = "a";
        }
        vm.expectRevert(abi.encodeWithSelector(WebAuthnValidator.BadOriginLength.selector, 256));
        validator.addValidationKey(CRED_ID, publicKey(2), string(origin), "");
    }

    function test_addValidationKey_rejectsZeroKey() public {
        bytes32[2] memory zero;
        vm.expectRevert(WebAuthnValidator.EmptyKey.selector);
        validator.addValidationKey(hex"ffeeddccbbaa99887766554433221100", zero, ORIGIN, "");
    }

    function test_addValidationKey_sameCredentialForAnotherAccount() public {
        _register(address(0xB0B), CRED_ID, 2);
        assertEq(validator.getAccountList(ORIGIN, CRED_ID).length, 2, "two accounts");
    }

    function test_accountList_keepsOrderUnderSwapAndPop() public {
        // address(this) is entry 0 (setUp); add three more accounts for the same credential.
        for (uint160 i = 1; i <= 3; ++i) {
            _register(address(0xB0B0 + i), CRED_ID, 2);
        }
        address[] memory list = validator.getAccountList(ORIGIN, CRED_ID);
        assertEq(list.length, 4, "four accounts");
        assertEq(list[0], address(this), "first (packed with the length)");
        assertEq(list[3], address(0xB0B3), "last");
        // Remove the first entry: the last one moves into the packed slot.
        _register(address(this), hex"ffeeddccbbaa99887766554433221100", 3);
        validator.removeValidationKey(CRED_ID, ORIGIN);
        list = validator.getAccountList(ORIGIN, CRED_ID);
        assertEq(list.length, 3, "three left");
        assertEq(list[0], address(0xB0B3), "last moved to first");
        assertEq(list[1], address(0xB0B1), "second kept");
        assertEq(list[2], address(0xB0B2), "third kept");
        // Remove a middle entry and then the last one.
        vm.prank(address(0xB0B1));
        validator.onUninstall(abi.encode(_strings(ORIGIN), _bytes(CRED_ID)));
        list = validator.getAccountList(ORIGIN, CRED_ID);
        assertEq(list.length, 2, "two left");
        assertEq(list[1], address(0xB0B2), "last moved to the middle");
        vm.prank(address(0xB0B2));
        validator.onUninstall(abi.encode(_strings(ORIGIN), _bytes(CRED_ID)));
        vm.prank(address(0xB0B3));
        validator.onUninstall(abi.encode(_strings(ORIGIN), _bytes(CRED_ID)));
        assertEq(validator.getAccountList(ORIGIN, CRED_ID).length, 0, "empty");
        // The credential can be registered again from scratch.
        _register(address(0xB0B1), CRED_ID, 2);
        list = validator.getAccountList(ORIGIN, CRED_ID);
        assertEq(list.length, 1, "one again");
        assertEq(list[0], address(0xB0B1), "re-registered");
    }

    function _strings(string memory a) private pure returns (string[] memory r) {
        r = new string[](1);
        r[0] = a;
    }

    function _bytes(bytes memory a) private pure returns (bytes[] memory r) {
        r = new bytes[](1);
        r[0] = a;
    }

    function test_removeValidationKey_rejectsLastKey() public {
        vm.expectRevert(WebAuthnValidator.CannotRemoveLastKey.selector);
        validator.removeValidationKey(CRED_ID, ORIGIN);
    }

    function test_removeValidationKey_rejectsUnknownKey() public {
        _register(address(this), hex"ffeeddccbbaa99887766554433221100", 2);
        vm.expectRevert(WebAuthnValidator.KeyNotFound.selector);
        validator.removeValidationKey(hex"aaeeddccbbaa99887766554433221100", ORIGIN);
    }

    function test_removeValidationKey_removesKeyAndListEntry() public {
        _register(address(this), hex"ffeeddccbbaa99887766554433221100", 2);
        validator.removeValidationKey(CRED_ID, ORIGIN);
        bytes32[2] memory key = validator.getAccountKey(ORIGIN, CRED_ID, address(this));
        assertTrue(key[0] == 0 && key[1] == 0, "key cleared");
        assertEq(validator.getAccountList(ORIGIN, CRED_ID).length, 0, "list cleared");
        assertEq(validator.keyCount(address(this)), 1, "count");
        assertEq(_validate(passkeySig(USER_OP_HASH)), 1, "removed key no longer validates");
    }

    function test_onInstall_emptyDataAddsNoKey() public {
        vm.prank(address(0xB0B));
        validator.onInstall("");
        assertEq(validator.keyCount(address(0xB0B)), 0, "no key");
    }

    /// @dev The first passkey needs no proof and is not listed (it only writes storage associated with the
    /// account: the key and the key count).
    function test_onInstall_addsKeyWithoutListing() public {
        bytes32[2] memory key = publicKey(2);
        vm.expectEmit(address(validator));
        emit WebAuthnValidator.PasskeyCreated(address(0xB0B), keccak256(bytes(ORIGIN)), ORIGIN, CRED_ID, key);
        vm.prank(address(0xB0B));
        validator.onInstall(abi.encode(CRED_ID, key, ORIGIN));
        assertEq(validator.getAccountKey(ORIGIN, CRED_ID, address(0xB0B))[0], key[0], "key x");
        assertEq(validator.getAccountKey(ORIGIN, CRED_ID, address(0xB0B))[1], key[1], "y");
        assertEq(validator.keyCount(address(0xB0B)), 1, "count");
        address[] memory list = validator.getAccountList(ORIGIN, CRED_ID);
        assertEq(list.length, 1, "list unchanged");
        assertEq(list[0], address(this), "only the proven registration");
        bytes memory other = hex"ffeeddccbbaa99887766554433221100";
        vm.prank(address(0xB0B));
        validator.onInstall(abi.encode(other, key, ORIGIN));
        assertEq(validator.getAccountList(ORIGIN, other).length, 0, "never listed");
        // The key validates for that account like any other.
        PackedUserOperation memory op =
            _userOp(passkeySig(2, authenticatorData(0x05), clientDataJSON(USER_OP_HASH), other));
        vm.prank(address(0xB0B));
        assertEq(validator.validateUserOp(op, USER_OP_HASH), 0, "usable");
    }

    function test_onInstall_sameArgumentChecksAsAddValidationKey() public {
        vm.startPrank(address(0xB0B));
        vm.expectRevert(abi.encodeWithSelector(WebAuthnValidator.BadOriginLength.selector, 0));
        validator.onInstall(abi.encode(CRED_ID, publicKey(2), ""));
        vm.expectRevert(abi.encodeWithSelector(WebAuthnValidator.CredentialIdTooShort.selector, 1));
        validator.onInstall(abi.encode(hex"01", publicKey(2), ORIGIN));
        bytes32[2] memory zero;
        vm.expectRevert(WebAuthnValidator.EmptyKey.selector);
        validator.onInstall(abi.encode(CRED_ID, zero, ORIGIN));
        validator.onInstall(abi.encode(CRED_ID, publicKey(2), ORIGIN));
        vm.expectRevert(WebAuthnValidator.KeyAlreadyExists.selector);
        validator.onInstall(abi.encode(CRED_ID, publicKey(3), ORIGIN));
        vm.stopPrank();
    }

    /// @dev A key installed by onInstall has no list entry; removing it leaves the list (empty or holding other
    /// accounts) untouched.
    function test_removeValidationKey_ofUnlistedKey() public {
        bytes memory other = hex"ffeeddccbbaa99887766554433221100";
        vm.startPrank(address(0xB0B));
        validator.onInstall(abi.encode(CRED_ID, publicKey(2), ORIGIN)); // list of CRED_ID: [this]
        validator.onInstall(abi.encode(other, publicKey(3), ORIGIN)); // list of other: empty
        validator.removeValidationKey(other, ORIGIN);
        assertEq(validator.keyCount(address(0xB0B)), 1, "one left");
        assertEq(validator.getAccountKey(ORIGIN, other, address(0xB0B))[0], bytes32(0), "removed");
        assertEq(validator.getAccountList(ORIGIN, other).length, 0, "still empty");
        vm.expectRevert(WebAuthnValidator.CannotRemoveLastKey.selector);
        validator.removeValidationKey(CRED_ID, ORIGIN);
        vm.stopPrank();

        _register(address(0xB0B), other, 3); // now listed for `other`
        vm.prank(address(0xB0B));
        validator.removeValidationKey(CRED_ID, ORIGIN); // unlisted key, non-empty list of others
        address[] memory list = validator.getAccountList(ORIGIN, CRED_ID);
        assertEq(list.length, 1, "other account kept");
        assertEq(list[0], address(this), "this");
        assertEq(validator.getAccountList(ORIGIN, other)[0], address(0xB0B), "listed key kept");
    }

    function test_onUninstall_clearsUnlistedKeys() public {
        vm.prank(address(0xB0B));
        validator.onInstall(abi.encode(CRED_ID, publicKey(2), ORIGIN));
        vm.prank(address(0xB0B));
        validator.onUninstall(abi.encode(_strings(ORIGIN), _bytes(CRED_ID)));
        assertEq(validator.keyCount(address(0xB0B)), 0, "cleared");
        assertEq(validator.getAccountKey(ORIGIN, CRED_ID, address(0xB0B))[0], bytes32(0), "key gone");
        address[] memory list = validator.getAccountList(ORIGIN, CRED_ID);
        assertEq(list.length, 1, "list untouched");
        assertEq(list[0], address(this), "this");
        // The credential can be registered again, with a proof, and is then listed.
        _register(address(0xB0B), CRED_ID, 2);
        assertEq(validator.getAccountList(ORIGIN, CRED_ID)[1], address(0xB0B), "listed now");
    }

    /// @dev onInstall reads its data in place from calldata: every field is checked against the data bounds and
    /// malformed data reverts (as `abi.decode` would), adding no key.
    function test_onInstall_rejectsMalformedData() public {
        bytes memory good = abi.encode(CRED_ID, publicKey(2), ORIGIN);
        bytes memory data = new bytes(0x7f); // shorter than the four head words
        vm.prank(address(0xB0B));
        vm.expectRevert();
        validator.onInstall(data);

        data = bytes.concat(good); // credentialId offset past the end
        assembly ("memory-safe") {
            mstore(add(data, 0x20), mload(data))
        }
        vm.prank(address(0xB0B));
        vm.expectRevert();
        validator.onInstall(data);

        data = bytes.concat(good); // originDomain length past the end
        assembly ("memory-safe") {
            let originOffset := mload(add(data, 0x80))
            mstore(add(add(data, 0x20), originOffset), 0x1000)
        }
        vm.prank(address(0xB0B));
        vm.expectRevert();
        validator.onInstall(data);

        // Trailing bytes after a well-formed encoding are accepted, as by `abi.decode`.
        vm.prank(address(0xB0B));
        validator.onInstall(bytes.concat(good, hex"00"));
        assertEq(validator.getAccountKey(ORIGIN, CRED_ID, address(0xB0B))[1], publicKey(2)[1], "key");
        assertEq(validator.keyCount(address(0xB0B)), 1, "one key");
    }

    function test_onUninstall_emptyDataKeepsKeys() public {
        validator.onUninstall("");
        assertEq(validator.keyCount(address(this)), 1, "kept");
    }

    function test_onUninstall_clearsListedKeys() public {
        string[] memory origins = new string[](1);
        bytes[] memory credIds = new bytes[](1);
        origins[0] = ORIGIN;
        credIds[0] = CRED_ID;
        validator.onUninstall(abi.encode(origins, credIds));
        assertEq(validator.keyCount(address(this)), 0, "cleared");
        assertEq(validator.getAccountList(ORIGIN, CRED_ID).length, 0, "list cleared");
    }

    // ---- validateUserOp ----

    function test_validateUserOp_acceptsValidSignature() public view {
        assertEq(_validate(passkeySig(USER_OP_HASH)), 0, "valid");
    }

    function test_validateUserOp_acceptsClientDataWithoutCrossOrigin() public view {
        bytes memory sig = passkeySig(PASSKEY_PK, authenticatorData(0x05), clientDataJSON(USER_OP_HASH, "}"), CRED_ID);
        assertEq(_validate(sig), 0, "valid");
    }

    function test_validateUserOp_acceptsExtraKeysAfterCrossOriginFalse() public view {
        string memory cd = clientDataJSON(USER_OP_HASH, ',"crossOrigin":false,"other_keys_can_be_added_here":"x"}');
        assertEq(_validate(passkeySig(PASSKEY_PK, authenticatorData(0x05), cd, CRED_ID)), 0, "valid");
    }

    function test_validateUserOp_acceptsExtraAuthenticatorFlags() public view {
        bytes memory sig = passkeySig(PASSKEY_PK, authenticatorData(0x1d), clientDataJSON(USER_OP_HASH), CRED_ID);
        assertEq(_validate(sig), 0, "BE/BS flags do not matter");
    }

    function test_validateUserOp_rejectsWrongChallenge() public view {
        assertEq(_validate(passkeySig(keccak256("other"))), 1, "wrong challenge");
    }

    function test_validateUserOp_rejectsMissingUV() public view {
        bytes memory sig = passkeySig(PASSKEY_PK, authenticatorData(0x01), clientDataJSON(USER_OP_HASH), CRED_ID);
        assertEq(_validate(sig), 1, "UV missing");
    }

    function test_validateUserOp_rejectsMissingUP() public view {
        bytes memory sig = passkeySig(PASSKEY_PK, authenticatorData(0x04), clientDataJSON(USER_OP_HASH), CRED_ID);
        assertEq(_validate(sig), 1, "UP missing");
    }

    function test_validateUserOp_rejectsCrossOriginTrue() public view {
        string memory cd = clientDataJSON(USER_OP_HASH, ',"crossOrigin":true}');
        assertEq(_validate(passkeySig(PASSKEY_PK, authenticatorData(0x05), cd, CRED_ID)), 1, "crossOrigin true");
    }

    function test_validateUserOp_rejectsUnexpectedClientDataTail() public view {
        string memory cd = clientDataJSON(USER_OP_HASH, ',"topOrigin":"https://evil.example"}');
        assertEq(_validate(passkeySig(PASSKEY_PK, authenticatorData(0x05), cd, CRED_ID)), 1, "tail");
    }

    function test_validateUserOp_rejectsCreateType() public view {
        bytes memory cd = bytes(clientDataJSON(USER_OP_HASH));
        bytes memory create = bytes("webauthn.create");
        bytes memory patched = bytes.concat(bytes('{"type":"'), create, _slice(cd, 22));
        assertEq(_validate(passkeySig(PASSKEY_PK, authenticatorData(0x05), string(patched), CRED_ID)), 1, "type");
    }

    function test_validateUserOp_rejectsWrongOrigin() public view {
        string memory cd = string.concat(
            '{"type":"webauthn.get","challenge":"',
            _b64(USER_OP_HASH),
            '","origin":"chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba","crossOrigin":false}'
        );
        assertEq(_validate(passkeySig(PASSKEY_PK, authenticatorData(0x05), cd, CRED_ID)), 1, "origin");
    }

    function test_validateUserOp_rejectsUnknownCredential() public view {
        bytes memory sig = passkeySig(
            PASSKEY_PK, authenticatorData(0x05), clientDataJSON(USER_OP_HASH), hex"ffeeddccbbaa99887766554433221100"
        );
        assertEq(_validate(sig), 1, "unknown credential");
    }

    function test_validateUserOp_rejectsKeyOfAnotherAccount() public {
        PackedUserOperation memory op = _userOp(passkeySig(USER_OP_HASH));
        vm.prank(address(0xB0B));
        assertEq(validator.validateUserOp(op, USER_OP_HASH), 1, "other account");
    }

    function test_validateUserOp_rejectsWrongKey() public view {
        bytes memory sig = passkeySig(2, authenticatorData(0x05), clientDataJSON(USER_OP_HASH), CRED_ID);
        assertEq(_validate(sig), 1, "wrong signer");
    }

    function test_validateUserOp_rejectsHighS() public view {
        bytes memory authData = authenticatorData(0x05);
        string memory cd = clientDataJSON(USER_OP_HASH);
        (bytes32 r, bytes32 s) = signLowS(PASSKEY_PK, sha256(abi.encodePacked(authData, sha256(bytes(cd)))));
        bytes32 highS = bytes32(P256_N - uint256(s));
        assertEq(_validate(abi.encode(authData, cd, [r, highS], CRED_ID, VERIFIER_SOLIDITY)), 1, "high s");
    }

    function test_validateUserOp_rejectsTamperedAuthenticatorData() public view {
        bytes memory sig = passkeySig(USER_OP_HASH);
        (bytes memory authData, string memory cd, bytes32[2] memory rs, bytes memory credId,) =
            abi.decode(sig, (bytes, string, bytes32[2], bytes, uint256));
        authData[36] = 0x08; // sign counter changed after signing
        assertEq(_validate(abi.encode(authData, cd, rs, credId, VERIFIER_SOLIDITY)), 1, "tampered");
    }

    /// @dev The Solidity verifier never touches 0x100: on a chain without the precompile, a call there is a call to
    /// an address without code, which ERC-7562 bundlers refuse during validation (OP-041).
    function test_validateUserOp_solidityVerifierNeverCallsThePrecompileAddress() public {
        vm.expectCall(address(0x100), "", 0);
        assertEq(_validate(passkeySig(USER_OP_HASH)), 0, "valid with the Solidity verifier");
    }

    /// @dev Naming the precompile where there is none (this profile's prague EVM) fails instead of reverting or
    /// falling back; any other verifier value fails.
    function test_validateUserOp_verifierChoice() public view {
        bytes memory authData = authenticatorData(0x05);
        string memory cd = clientDataJSON(USER_OP_HASH);
        (bytes32 r, bytes32 s) = signLowS(PASSKEY_PK, sha256(abi.encodePacked(authData, sha256(bytes(cd)))));
        assertEq(_validate(abi.encode(authData, cd, [r, s], CRED_ID, VERIFIER_SOLIDITY)), 0, "solidity");
        assertEq(_validate(abi.encode(authData, cd, [r, s], CRED_ID, VERIFIER_PRECOMPILE)), 1, "no precompile here");
        assertEq(_validate(abi.encode(authData, cd, [r, s], CRED_ID, uint256(2))), 1, "unknown verifier");
        assertEq(_validate(abi.encode(authData, cd, [r, s], CRED_ID, type(uint256).max)), 1, "unknown verifier");
        // The four-word encoding (without the verifier) is refused.
        assertEq(_validate(abi.encode(authData, cd, [r, s], CRED_ID)), 1, "no verifier word");
    }

    function test_validateUserOp_rejectsShortAuthenticatorData() public view {
        bytes memory sig = passkeySig(PASSKEY_PK, hex"0505050505", clientDataJSON(USER_OP_HASH), CRED_ID);
        assertEq(_validate(sig), 1, "short authData");
    }

    function test_validateUserOp_rejectsGarbageSignature() public view {
        bytes32[2] memory rs = [keccak256("r"), keccak256("s")];
        bytes memory sig = abi.encode(hex"deadbeef", "not json", rs, hex"00", VERIFIER_SOLIDITY);
        assertEq(_validate(sig), 1, "garbage");
        // Right shape, all zero (what a wallet may use as a gas-estimation dummy).
        bytes32[2] memory zero;
        assertEq(_validate(abi.encode(new bytes(37), clientDataJSON(USER_OP_HASH), zero, CRED_ID)), 1, "zeros");
    }

    function test_validateUserOp_rejectsMalformedAbi() public view {
        assertEq(_validate(hex"00"), 1, "1 byte");
        assertEq(_validate(new bytes(159)), 1, "159 zero bytes");
        bytes memory sig = passkeySig(USER_OP_HASH);
        // Offset of authenticatorData points past the end.
        bytes memory bad = bytes.concat(bytes32(type(uint256).max), _slice(sig, 32));
        assertEq(_validate(bad), 1, "huge offset");
        // Truncated encoding.
        assertEq(_validate(_truncate(sig, sig.length - 40)), 1, "truncated");
        // Length of clientDataJSON larger than the data.
        uint256 cdOffset = uint256(bytes32(_slice(sig, 32)));
        bytes memory badLen =
            bytes.concat(_truncate(sig, cdOffset), bytes32(uint256(1 << 200)), _slice(sig, cdOffset + 32));
        assertEq(_validate(badLen), 1, "huge length");
    }

    function test_validateUserOp_rejectsTooShortSignature() public view {
        PackedUserOperation memory op;
        op.signature = hex"0102030405";
        assertEq(validator.validateUserOp(op, USER_OP_HASH), 1, "shorter than prefix");
        op.signature = abi.encodePacked(address(validator));
        assertEq(validator.validateUserOp(op, USER_OP_HASH), 1, "prefix only");
    }

    // ---- helpers ----

    function _b64(bytes32 h) internal pure returns (string memory) {
        bytes memory cd = bytes(clientDataJSON(h));
        bytes memory out = new bytes(43);
        for (uint256 i = 0; i < 43; ++i) {
            out[i] = cd[36 + i];
        }
        return string(out);
    }

    function _slice(bytes memory data, uint256 from) internal pure returns (bytes memory out) {
        out = new bytes(data.length - from);
        for (uint256 i = 0; i < out.length; ++i) {
            out[i] = data[from + i];
        }
    }

    function _truncate(bytes memory data, uint256 length) internal pure returns (bytes memory out) {
        out = new bytes(length);
        for (uint256 i = 0; i < length; ++i) {
            out[i] = data[i];
        }
    }
}
