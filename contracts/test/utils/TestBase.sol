// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EntryPoint} from "account-abstraction/core/EntryPoint.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Vm} from "./Vm.sol";

/// @dev Minimal test base: cheatcodes, assertions and WebAuthn signature construction.
abstract contract TestBase {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    uint256 internal constant P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551;
    string internal constant ORIGIN = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
    uint256 internal constant PASSKEY_PK = 0xa11ce5ecc0de;
    bytes internal constant CRED_ID = hex"00112233445566778899aabbccddeeff01";
    /// @dev The signature's `p256Verifier` word: OpenZeppelin's Solidity P-256 (the default profile's prague EVM
    /// has no precompile) or the P256VERIFY precompile at 0x100.
    uint256 internal constant VERIFIER_SOLIDITY = 0;
    uint256 internal constant VERIFIER_PRECOMPILE = 1;
    /// @dev Written out here (not read from the contract) so the tests check the documented formula.
    bytes32 internal constant KEY_REGISTRATION_TYPEHASH = keccak256(
        "SsoWalletKeyRegistration(address account,uint256 chainId,address validator,bytes credentialId,bytes32[2] publicKey,string originDomain)"
    );

    error AssertionFailed(string message);

    /// @dev Deploys EntryPoint v0.8 *at* `at` (its canonical address): runs its creation code there, so immutables
    /// such as the SenderCreator's `entryPoint` refer to that address, then installs the returned runtime code.
    function _deployEntryPointAt(address at) internal {
        vm.etch(at, type(EntryPoint).creationCode);
        (bool ok, bytes memory runtime) = at.call("");
        require(ok, "EntryPoint deploy");
        vm.etch(at, runtime);
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) revert AssertionFailed(message);
    }

    function assertEq(uint256 a, uint256 b, string memory message) internal pure {
        if (a != b) revert AssertionFailed(message);
    }

    function assertEq(address a, address b, string memory message) internal pure {
        if (a != b) revert AssertionFailed(message);
    }

    function assertEq(bytes32 a, bytes32 b, string memory message) internal pure {
        if (a != b) revert AssertionFailed(message);
    }

    function publicKey(uint256 pk) internal pure returns (bytes32[2] memory key) {
        (uint256 x, uint256 y) = vm.publicKeyP256(pk);
        key[0] = bytes32(x);
        key[1] = bytes32(y);
    }

    function authenticatorData(bytes1 flags) internal pure returns (bytes memory) {
        return abi.encodePacked(sha256("abcdefghijklmnopabcdefghijklmnop"), flags, uint32(7));
    }

    /// @dev The exact clientDataJSON Chrome produces for a `navigator.credentials.get` from the extension.
    function clientDataJSON(bytes32 challenge) internal pure returns (string memory) {
        return clientDataJSON(challenge, ',"crossOrigin":false}');
    }

    function clientDataJSON(bytes32 challenge, string memory tail) internal pure returns (string memory) {
        return clientDataJSON(challenge, ORIGIN, tail);
    }

    function clientDataJSON(bytes32 challenge, string memory origin, string memory tail)
        internal
        pure
        returns (string memory)
    {
        return string.concat(
            '{"type":"webauthn.get","challenge":"',
            Base64.encodeURL(abi.encodePacked(challenge)),
            '","origin":"',
            origin,
            '"',
            tail
        );
    }

    /// @dev P-256 signature with s normalised to low-s.
    function signLowS(uint256 pk, bytes32 digest) internal pure returns (bytes32 r, bytes32 s) {
        (r, s) = vm.signP256(pk, digest);
        if (uint256(s) > P256_N / 2) s = bytes32(P256_N - uint256(s));
    }

    /// @dev `abi.encode(authenticatorData, clientDataJSON, rs, credentialId, VERIFIER_SOLIDITY)` signed by `pk`.
    function passkeySig(uint256 pk, bytes memory authData, string memory clientData, bytes memory credId)
        internal
        pure
        returns (bytes memory)
    {
        (bytes32 r, bytes32 s) = signLowS(pk, sha256(abi.encodePacked(authData, sha256(bytes(clientData)))));
        return abi.encode(authData, clientData, [r, s], credId, VERIFIER_SOLIDITY);
    }

    /// @dev Well-formed passkey signature over `challenge` with the default key, credential and origin.
    function passkeySig(bytes32 challenge) internal pure returns (bytes memory) {
        return passkeySig(PASSKEY_PK, authenticatorData(0x05), clientDataJSON(challenge), CRED_ID);
    }

    /// @dev The key-registration challenge of `WebAuthnValidator.addValidationKey`, from its documented formula.
    function registrationChallenge(
        address account,
        address validator,
        bytes memory credId,
        bytes32[2] memory key,
        string memory origin
    ) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                KEY_REGISTRATION_TYPEHASH,
                account,
                block.chainid,
                validator,
                keccak256(credId),
                key[0],
                key[1],
                keccak256(bytes(origin))
            )
        );
    }

    /// @dev Proof of possession of `pk`'s key for `addValidationKey(credId, publicKey(pk), origin, proof)` called
    /// by `account` on `validator`: the passkey assertion (as Chrome formats it) over the registration challenge.
    function keyProof(uint256 pk, address account, address validator, bytes memory credId, string memory origin)
        internal
        view
        returns (bytes memory)
    {
        bytes32 challenge = registrationChallenge(account, validator, credId, publicKey(pk), origin);
        return
            passkeySig(pk, authenticatorData(0x05), clientDataJSON(challenge, origin, ',"crossOrigin":false}'), credId);
    }
}
