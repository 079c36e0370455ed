// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {WebAuthnValidator} from "../src/WebAuthnValidator.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev Proof of possession for `addValidationKey`: a WebAuthn assertion by the new key over
/// `registrationChallenge(account, credentialId, publicKey, originDomain)`. The test contract plays the account.
contract WebAuthnKeyProofTest is TestBase {
    uint256 internal constant NEW_PK = 0xb0b5;
    bytes internal constant NEW_CRED = hex"ffeeddccbbaa99887766554433221100";
    string internal constant OTHER_ORIGIN = "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba";

    WebAuthnValidator internal validator;

    function setUp() public {
        validator = new WebAuthnValidator();
        validator.onInstall(abi.encode(CRED_ID, publicKey(PASSKEY_PK), ORIGIN)); // the account's first passkey
    }

    function _challenge() internal view returns (bytes32) {
        return registrationChallenge(address(this), address(validator), NEW_CRED, publicKey(NEW_PK), ORIGIN);
    }

    /// @dev A proof for NEW_PK / NEW_CRED / ORIGIN by this account, with the given envelope parts.
    function _proof(uint256 signer, bytes memory authData, string memory clientData)
        internal
        pure
        returns (bytes memory)
    {
        return passkeySig(signer, authData, clientData, NEW_CRED);
    }

    function _add(bytes memory proof) internal {
        validator.addValidationKey(NEW_CRED, publicKey(NEW_PK), ORIGIN, proof);
    }

    function _expectInvalid(bytes memory proof) internal {
        vm.expectRevert(WebAuthnValidator.InvalidKeyProof.selector);
        _add(proof);
    }

    function _assertNotAdded() internal view {
        assertEq(validator.keyCount(address(this)), 1, "no key added");
        assertEq(validator.getAccountList(ORIGIN, NEW_CRED).length, 0, "not listed");
    }

    // ---- registrationChallenge ----

    function test_registrationChallenge_isTheDocumentedFormula() public {
        bytes32[2] memory key = publicKey(NEW_PK);
        bytes32 expected = keccak256(
            abi.encode(
                keccak256(
                    "SsoWalletKeyRegistration(address account,uint256 chainId,address validator,bytes credentialId,bytes32[2] publicKey,string originDomain)"
                ),
                address(this),
                block.chainid,
                address(validator),
                keccak256(NEW_CRED),
                key[0],
                key[1],
                keccak256(bytes(ORIGIN))
            )
        );
        assertEq(validator.registrationChallenge(address(this), NEW_CRED, key, ORIGIN), expected, "formula");
        vm.chainId(10);
        assertTrue(validator.registrationChallenge(address(this), NEW_CRED, key, ORIGIN) != expected, "chain bound");
        assertEq(
            validator.registrationChallenge(address(this), NEW_CRED, key, ORIGIN),
            registrationChallenge(address(this), address(validator), NEW_CRED, key, ORIGIN),
            "formula on chain 10"
        );
    }

    function testFuzz_registrationChallenge_matchesFormula(
        address account,
        uint32 chainId,
        bytes calldata credId,
        bytes32[2] calldata key,
        string calldata origin
    ) public {
        vm.chainId(uint256(chainId) + 1);
        assertEq(
            validator.registrationChallenge(account, credId, key, origin),
            registrationChallenge(account, address(validator), credId, key, origin),
            "formula"
        );
    }

    // ---- accepted ----

    function test_addValidationKey_acceptsValidProof() public {
        bytes32[2] memory key = publicKey(NEW_PK);
        bytes memory proof = keyProof(NEW_PK, address(this), address(validator), NEW_CRED, ORIGIN);
        vm.expectEmit(address(validator));
        emit WebAuthnValidator.PasskeyCreated(address(this), keccak256(bytes(ORIGIN)), ORIGIN, NEW_CRED, key);
        assertTrue(validator.addValidationKey(NEW_CRED, key, ORIGIN, proof), "returns true");
        bytes32[2] memory stored = validator.getAccountKey(ORIGIN, NEW_CRED, address(this));
        assertEq(stored[0], key[0], "x");
        assertEq(stored[1], key[1], "y");
        assertEq(validator.keyCount(address(this)), 2, "count");
        address[] memory list = validator.getAccountList(ORIGIN, NEW_CRED);
        assertEq(list.length, 1, "listed");
        assertEq(list[0], address(this), "this account");
    }

    /// @dev The clientDataJSON tail and extra authenticator flags follow the UserOp rules.
    function test_addValidationKey_acceptsSameEnvelopeVariantsAsUserOps() public {
        _add(_proof(NEW_PK, authenticatorData(0x1d), clientDataJSON(_challenge(), "}")));
        validator.removeValidationKey(NEW_CRED, ORIGIN);
        _add(_proof(NEW_PK, authenticatorData(0x05), clientDataJSON(_challenge(), ',"crossOrigin":false,"x":"y"}')));
        assertEq(validator.getAccountList(ORIGIN, NEW_CRED).length, 1, "listed once");
    }

    /// @dev The same key may be proven for the same credential by several accounts, each with its own proof.
    function test_addValidationKey_proofIsPerAccount() public {
        bytes memory proof = keyProof(NEW_PK, address(0xB0B), address(validator), NEW_CRED, ORIGIN);
        _expectInvalid(proof); // made for 0xB0B, submitted by this account
        vm.prank(address(0xB0B));
        validator.addValidationKey(NEW_CRED, publicKey(NEW_PK), ORIGIN, proof);
        _add(keyProof(NEW_PK, address(this), address(validator), NEW_CRED, ORIGIN));
        assertEq(validator.getAccountList(ORIGIN, NEW_CRED).length, 2, "both listed");
    }

    // ---- rejected: binding ----

    function test_addValidationKey_rejectsProofForAnotherAccount() public {
        _expectInvalid(keyProof(NEW_PK, address(0xB0B), address(validator), NEW_CRED, ORIGIN));
        _assertNotAdded();
    }

    function test_addValidationKey_rejectsProofForAnotherChain() public {
        bytes memory proof = keyProof(NEW_PK, address(this), address(validator), NEW_CRED, ORIGIN);
        uint256 home = block.chainid;
        vm.chainId(home + 1);
        _expectInvalid(proof);
        vm.chainId(home);
        _assertNotAdded();
        _add(proof); // still good on its own chain
    }

    function test_addValidationKey_rejectsProofForAnotherValidator() public {
        WebAuthnValidator other = new WebAuthnValidator();
        bytes memory proof = keyProof(NEW_PK, address(this), address(other), NEW_CRED, ORIGIN);
        _expectInvalid(proof);
        _assertNotAdded();
        other.addValidationKey(NEW_CRED, publicKey(NEW_PK), ORIGIN, proof); // valid where it was made for
    }

    function test_addValidationKey_rejectsProofForAnotherKey() public {
        // A genuine proof for NEW_PK's key, submitted with another key (which its holder never proved).
        bytes memory proof = keyProof(NEW_PK, address(this), address(validator), NEW_CRED, ORIGIN);
        vm.expectRevert(WebAuthnValidator.InvalidKeyProof.selector);
        validator.addValidationKey(NEW_CRED, publicKey(3), ORIGIN, proof);
        // The right challenge for the new key, but signed by a different key (the account's own passkey).
        _expectInvalid(_proof(PASSKEY_PK, authenticatorData(0x05), clientDataJSON(_challenge())));
        _assertNotAdded();
        assertEq(validator.getAccountKey(ORIGIN, NEW_CRED, address(this))[0], bytes32(0), "no key");
    }

    function test_addValidationKey_rejectsProofForAnotherCredential() public {
        bytes memory otherCred = hex"0102030405060708090a0b0c0d0e0f10";
        // Challenge and embedded credential id for another credential.
        _expectInvalid(keyProof(NEW_PK, address(this), address(validator), otherCred, ORIGIN));
        // Right challenge, but the embedded credential id differs from the argument.
        _expectInvalid(passkeySig(NEW_PK, authenticatorData(0x05), clientDataJSON(_challenge()), otherCred));
        // Embedded credential id a prefix / extension of the argument.
        _expectInvalid(
            passkeySig(
                NEW_PK, authenticatorData(0x05), clientDataJSON(_challenge()), hex"ffeeddccbbaa998877665544332211"
            )
        );
        _expectInvalid(
            passkeySig(NEW_PK, authenticatorData(0x05), clientDataJSON(_challenge()), bytes.concat(NEW_CRED, hex"00"))
        );
        // Challenge for another credential, embedded credential id right.
        bytes32 c = registrationChallenge(address(this), address(validator), otherCred, publicKey(NEW_PK), ORIGIN);
        _expectInvalid(_proof(NEW_PK, authenticatorData(0x05), clientDataJSON(c)));
        _assertNotAdded();
    }

    function test_addValidationKey_rejectsProofForAnotherOrigin() public {
        // Assertion from another origin over the right challenge.
        _expectInvalid(_proof(NEW_PK, authenticatorData(0x05), clientDataJSON(_challenge(), OTHER_ORIGIN, "}")));
        // A proof made for another origin (challenge and clientDataJSON), submitted for ORIGIN.
        _expectInvalid(keyProof(NEW_PK, address(this), address(validator), NEW_CRED, OTHER_ORIGIN));
        // Origin prefix / extension.
        _expectInvalid(
            _proof(
                NEW_PK,
                authenticatorData(0x05),
                clientDataJSON(_challenge(), "chrome-extension://abcdefghijklmnop", "}")
            )
        );
        _expectInvalid(
            _proof(NEW_PK, authenticatorData(0x05), clientDataJSON(_challenge(), string.concat(ORIGIN, "/"), "}"))
        );
        // Challenge for another origin, clientDataJSON origin right.
        bytes32 c = registrationChallenge(address(this), address(validator), NEW_CRED, publicKey(NEW_PK), OTHER_ORIGIN);
        _expectInvalid(_proof(NEW_PK, authenticatorData(0x05), clientDataJSON(c)));
        _assertNotAdded();
    }

    // ---- rejected: WebAuthn checks ----

    function test_addValidationKey_rejectsHighS() public {
        bytes memory authData = authenticatorData(0x05);
        string memory cd = clientDataJSON(_challenge());
        (bytes32 r, bytes32 s) = signLowS(NEW_PK, sha256(abi.encodePacked(authData, sha256(bytes(cd)))));
        _expectInvalid(abi.encode(authData, cd, [r, bytes32(P256_N - uint256(s))], NEW_CRED, VERIFIER_SOLIDITY));
        _add(abi.encode(authData, cd, [r, s], NEW_CRED, VERIFIER_SOLIDITY)); // the low-s twin is fine
    }

    function test_addValidationKey_rejectsMissingUpOrUv() public {
        _expectInvalid(_proof(NEW_PK, authenticatorData(0x01), clientDataJSON(_challenge())));
        _expectInvalid(_proof(NEW_PK, authenticatorData(0x04), clientDataJSON(_challenge())));
        _expectInvalid(_proof(NEW_PK, authenticatorData(0x00), clientDataJSON(_challenge())));
        _expectInvalid(_proof(NEW_PK, hex"0505050505", clientDataJSON(_challenge()))); // authData < 37 bytes
        _assertNotAdded();
    }

    function test_addValidationKey_rejectsWrongType() public {
        bytes memory cd = bytes(clientDataJSON(_challenge()));
        bytes memory tail = new bytes(cd.length - 22);
        for (uint256 i = 0; i < tail.length; ++i) {
            tail[i] = cd[22 + i];
        }
        _expectInvalid(_proof(NEW_PK, authenticatorData(0x05), string(bytes.concat('{"type":"webauthn.create', tail))));
        _assertNotAdded();
    }

    function test_addValidationKey_rejectsCrossOriginTrueOrUnexpectedTail() public {
        _expectInvalid(_proof(NEW_PK, authenticatorData(0x05), clientDataJSON(_challenge(), ',"crossOrigin":true}')));
        _expectInvalid(
            _proof(
                NEW_PK, authenticatorData(0x05), clientDataJSON(_challenge(), ',"topOrigin":"https://evil.example"}')
            )
        );
        _expectInvalid(_proof(NEW_PK, authenticatorData(0x05), clientDataJSON(_challenge(), "")));
        _assertNotAdded();
    }

    function test_addValidationKey_rejectsTamperedProof() public {
        bytes memory authData = authenticatorData(0x05);
        string memory cd = clientDataJSON(_challenge());
        (bytes32 r, bytes32 s) = signLowS(NEW_PK, sha256(abi.encodePacked(authData, sha256(bytes(cd)))));
        bytes memory tampered = bytes.concat(authData);
        tampered[36] = 0x08; // sign counter changed after signing
        _expectInvalid(abi.encode(tampered, cd, [r, s], NEW_CRED, VERIFIER_SOLIDITY));
        _expectInvalid(abi.encode(authData, cd, [r, bytes32(uint256(s) ^ 1)], NEW_CRED, VERIFIER_SOLIDITY));
        _expectInvalid(abi.encode(authData, cd, [bytes32(0), s], NEW_CRED, VERIFIER_SOLIDITY));
        _assertNotAdded();
    }

    function test_addValidationKey_rejectsMalformedProof() public {
        _expectInvalid("");
        _expectInvalid(hex"00");
        _expectInvalid(new bytes(159));
        _expectInvalid(new bytes(160));
        bytes memory good = keyProof(NEW_PK, address(this), address(validator), NEW_CRED, ORIGIN);
        // Head offsets past the end, truncated encodings.
        for (uint256 head = 0; head < 160; head += 32) {
            if (head == 64 || head == 96) continue; // r, s are values, not offsets
            bytes memory bad = bytes.concat(good);
            assembly ("memory-safe") {
                mstore(add(add(bad, 0x20), head), not(0))
            }
            _expectInvalid(bad);
        }
        _expectInvalid(_truncate(good, good.length - 40));
        _expectInvalid(_truncate(good, 160));
        _assertNotAdded();
        _add(good);
    }

    // ---- proofs vs. UserOp signatures ----

    /// @dev A UserOp signature by the new key (over a userOpHash) is no registration proof, and a registration
    /// proof is no UserOp signature (the validator checks each against its own challenge).
    function test_proofAndUserOpSignatureAreNotInterchangeable() public {
        bytes32 userOpHash = keccak256("userOpHash");
        _expectInvalid(_proof(NEW_PK, authenticatorData(0x05), clientDataJSON(userOpHash)));
        bytes memory proof = keyProof(NEW_PK, address(this), address(validator), NEW_CRED, ORIGIN);
        _add(proof);
        PackedUserOperation memory op;
        op.sender = address(this);
        op.signature = abi.encodePacked(address(validator), proof);
        assertEq(validator.validateUserOp(op, userOpHash), 1, "proof is no UserOp signature");
        // Also not for the account's first passkey (proof made by it for itself).
        bytes memory ownProof = keyProof(PASSKEY_PK, address(this), address(validator), CRED_ID, ORIGIN);
        op.signature = abi.encodePacked(address(validator), ownProof);
        assertEq(validator.validateUserOp(op, userOpHash), 1, "own proof is no UserOp signature");
        // While a real UserOp signature by the new key does validate.
        op.signature = abi.encodePacked(
            address(validator), passkeySig(NEW_PK, authenticatorData(0x05), clientDataJSON(userOpHash), NEW_CRED)
        );
        assertEq(validator.validateUserOp(op, userOpHash), 0, "new key signs UserOps");
    }

    // ---- fuzz ----

    /// @dev Random proof bytes never register a key, and revert only with InvalidKeyProof.
    function testFuzz_addValidationKey_randomProofNeverSucceeds(bytes calldata proof) public {
        _expectInvalid(proof);
        _assertNotAdded();
    }

    /// @dev Random arguments and proof: the call reverts with one of the argument errors or InvalidKeyProof
    /// (never anything else, never success).
    function testFuzz_addValidationKey_randomArgumentsAndProof(
        bytes calldata credId,
        bytes32[2] calldata key,
        string calldata origin,
        bytes calldata proof
    ) public {
        (bool ok, bytes memory ret) = address(validator)
            .call(abi.encodeCall(WebAuthnValidator.addValidationKey, (credId, key, origin, proof)));
        assertTrue(!ok, "never succeeds");
        // forge-lint: disable-next-line(unsafe-typecast)
        bytes4 err = bytes4(ret);
        assertTrue(
            err == WebAuthnValidator.InvalidKeyProof.selector || err == WebAuthnValidator.BadOriginLength.selector
                || err == WebAuthnValidator.CredentialIdTooShort.selector || err == WebAuthnValidator.EmptyKey.selector
                || err == WebAuthnValidator.KeyAlreadyExists.selector,
            "known error"
        );
        assertEq(validator.keyCount(address(this)), 1, "no key added");
    }

    /// @dev A valid proof with one byte changed is accepted only if the change is outside what the ABI decoding
    /// reads (padding), i.e. it still decodes to the very same assertion; otherwise InvalidKeyProof.
    function testFuzz_addValidationKey_mutatedProof(uint256 position, uint8 xorMask) public {
        bytes memory good = keyProof(NEW_PK, address(this), address(validator), NEW_CRED, ORIGIN);
        position = position % good.length;
        vm.assume(xorMask != 0);
        bytes memory mutated = bytes.concat(good);
        mutated[position] ^= bytes1(xorMask);
        (bool ok, bytes memory ret) = address(validator)
            .call(abi.encodeCall(WebAuthnValidator.addValidationKey, (NEW_CRED, publicKey(NEW_PK), ORIGIN, mutated)));
        if (ok) {
            assertEq(keccak256(this.reencode(mutated)), keccak256(good), "accepted only as the same assertion");
        } else {
            assertEq(
                keccak256(ret),
                keccak256(abi.encodePacked(WebAuthnValidator.InvalidKeyProof.selector)),
                "InvalidKeyProof"
            );
            _assertNotAdded();
        }
    }

    function reencode(bytes calldata proof) external pure returns (bytes memory) {
        (bytes memory authData, string memory cd, bytes32[2] memory rs, bytes memory credId, uint256 verifier) =
            abi.decode(proof, (bytes, string, bytes32[2], bytes, uint256));
        return abi.encode(authData, cd, rs, credId, verifier);
    }

    /// @dev Proofs by random keys (made for the right account, credential and origin, but not by the registered
    /// key) are rejected; the key's own proof then works.
    function testFuzz_addValidationKey_proofByAnotherKey(uint256 otherPk) public {
        otherPk = 1 + (otherPk % (P256_N - 1));
        vm.assume(otherPk != NEW_PK);
        _expectInvalid(_proof(otherPk, authenticatorData(0x05), clientDataJSON(_challenge())));
        _add(keyProof(NEW_PK, address(this), address(validator), NEW_CRED, ORIGIN));
    }

    function _truncate(bytes memory data, uint256 length) internal pure returns (bytes memory out) {
        out = new bytes(length);
        for (uint256 i = 0; i < length; ++i) {
            out[i] = data[i];
        }
    }
}
