// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {WebAuthnValidator} from "../src/WebAuthnValidator.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev Account-list bookkeeping against a model: four accounts and two credentials, random sequences of
/// addValidationKey (proven, listed), onInstall (unproven, unlisted), removeValidationKey and onUninstall-with-keys.
/// After every step each list holds exactly the accounts whose key for that credential was added with a proof and
/// is still there, each once; keys and key counts match the model.
contract WebAuthnAccountListFuzzTest is TestBase {
    uint256 internal constant ACCOUNTS = 4;
    uint256 internal constant CREDS = 2;

    WebAuthnValidator internal validator;

    // Model.
    bool[CREDS][ACCOUNTS] internal hasKey;
    bool[CREDS][ACCOUNTS] internal listed;
    uint256[ACCOUNTS] internal count;

    function setUp() public {
        validator = new WebAuthnValidator();
    }

    function _account(uint256 a) internal pure returns (address) {
        // forge-lint: disable-next-line(unsafe-typecast)
        return address(uint160(0xA0 + a));
    }

    function _cred(uint256 c) internal pure returns (bytes memory) {
        return abi.encodePacked(bytes16(keccak256(abi.encode("credential", c))));
    }

    function _pk(uint256 a, uint256 c) internal pure returns (uint256) {
        return 100 + a * CREDS + c;
    }

    function _strings(string memory s) internal pure returns (string[] memory r) {
        r = new string[](1);
        r[0] = s;
    }

    function _bytes(bytes memory b) internal pure returns (bytes[] memory r) {
        r = new bytes[](1);
        r[0] = b;
    }

    /// @dev Calls the validator as account `a`; returns the revert data (empty on success).
    function _call(uint256 a, bytes memory data) internal returns (bool ok, bytes memory ret) {
        vm.prank(_account(a));
        (ok, ret) = address(validator).call(data);
    }

    function _expect(bool ok, bytes memory ret, bytes4 expected) internal pure {
        if (expected == bytes4(0)) {
            assertTrue(ok, "expected success");
        } else {
            assertTrue(!ok && keccak256(ret) == keccak256(abi.encodePacked(expected)), "expected error");
        }
    }

    function _step(uint8 op) internal {
        uint256 kind = op % 4;
        uint256 a = (op >> 2) % ACCOUNTS;
        uint256 c = (op >> 4) % CREDS;
        bytes memory cred = _cred(c);
        bytes4 expected;
        if (kind == 0) {
            // addValidationKey with a proof of possession.
            bytes memory proof = keyProof(_pk(a, c), _account(a), address(validator), cred, ORIGIN);
            (bool ok, bytes memory ret) = _call(
                a, abi.encodeCall(WebAuthnValidator.addValidationKey, (cred, publicKey(_pk(a, c)), ORIGIN, proof))
            );
            expected = hasKey[a][c] ? WebAuthnValidator.KeyAlreadyExists.selector : bytes4(0);
            _expect(ok, ret, expected);
            if (ok) {
                hasKey[a][c] = true;
                listed[a][c] = true;
                ++count[a];
            }
        } else if (kind == 1) {
            // onInstall: the first-passkey path, unproven and unlisted.
            (bool ok, bytes memory ret) =
                _call(a, abi.encodeCall(WebAuthnValidator.onInstall, (abi.encode(cred, publicKey(_pk(a, c)), ORIGIN))));
            expected = hasKey[a][c] ? WebAuthnValidator.KeyAlreadyExists.selector : bytes4(0);
            _expect(ok, ret, expected);
            if (ok) {
                hasKey[a][c] = true;
                ++count[a];
            }
        } else if (kind == 2) {
            (bool ok, bytes memory ret) =
                _call(a, abi.encodeCall(WebAuthnValidator.removeValidationKey, (cred, ORIGIN)));
            if (count[a] <= 1) expected = WebAuthnValidator.CannotRemoveLastKey.selector;
            else if (!hasKey[a][c]) expected = WebAuthnValidator.KeyNotFound.selector;
            _expect(ok, ret, expected);
            if (ok) {
                hasKey[a][c] = false;
                listed[a][c] = false;
                --count[a];
            }
        } else {
            (bool ok, bytes memory ret) =
                _call(a, abi.encodeCall(WebAuthnValidator.onUninstall, (abi.encode(_strings(ORIGIN), _bytes(cred)))));
            expected = hasKey[a][c] ? bytes4(0) : WebAuthnValidator.KeyNotFound.selector;
            _expect(ok, ret, expected);
            if (ok) {
                hasKey[a][c] = false;
                listed[a][c] = false;
                --count[a];
            }
        }
        _check();
    }

    function _check() internal view {
        for (uint256 c = 0; c < CREDS; ++c) {
            address[] memory list = validator.getAccountList(ORIGIN, _cred(c));
            uint256 expectedLength = 0;
            for (uint256 a = 0; a < ACCOUNTS; ++a) {
                uint256 seen = 0;
                for (uint256 i = 0; i < list.length; ++i) {
                    if (list[i] == _account(a)) ++seen;
                }
                assertEq(seen, listed[a][c] ? 1 : 0, "listed exactly when proven, once");
                if (listed[a][c]) ++expectedLength;
                bytes32[2] memory key = validator.getAccountKey(ORIGIN, _cred(c), _account(a));
                assertEq(key[0], hasKey[a][c] ? publicKey(_pk(a, c))[0] : bytes32(0), "key");
            }
            assertEq(list.length, expectedLength, "no other entries");
        }
        for (uint256 a = 0; a < ACCOUNTS; ++a) {
            assertEq(validator.keyCount(_account(a)), count[a], "key count");
        }
    }

    /// forge-config: default.fuzz.runs = 128
    function testFuzz_accountList_matchesModel(uint256 seed) public {
        for (uint256 i = 0; i < 32; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast)
            _step(uint8(seed >> (8 * i)));
        }
    }

    /// @dev A fixed sequence covering add/remove orders: remove first, middle and last entries, mixing listed and
    /// unlisted keys of the same credential.
    function test_accountList_mixedSequence() public {
        // op = kind | account << 2 | cred << 4
        uint8[20] memory ops = [
            uint8(1 | 0 << 2 | 1 << 4), // a0 onInstall c1 (unlisted first key)
            0 | 0 << 2, // a0 add c0 (listed)
            0 | 1 << 2, // a1 add c0 -> [a0, a1]
            1 | 2 << 2, // a2 onInstall c0 (unlisted)
            0 | 3 << 2, // a3 add c0 -> [a0, a1, a3]
            2 | 0 << 2, // a0 remove c0 (first entry) -> [a3, a1]
            0 | 2 << 2 | 1 << 4, // a2 add c1 (second key, listed) -> c1: [a2]
            2 | 2 << 2, // a2 remove c0 (unlisted key, list of others) -> c0 unchanged
            3 | 1 << 2, // a1 uninstall c0 (middle/last) -> [a3]
            0 | 0 << 2, // a0 add c0 again -> [a3, a0]
            0 | 0 << 2, // a0 add c0: KeyAlreadyExists
            1 | 0 << 2, // a0 onInstall c0: KeyAlreadyExists
            2 | 3 << 2, // a3 remove c0: CannotRemoveLastKey
            3 | 3 << 2, // a3 uninstall c0 -> [a0]
            3 | 3 << 2, // a3 uninstall c0 again: KeyNotFound
            2 | 0 << 2 | 1 << 4, // a0 remove c1 (unlisted, empty list of c1 for a0) -> c1: [a2]
            3 | 0 << 2, // a0 uninstall c0 -> []
            0 | 1 << 2 | 1 << 4, // a1 add c1 -> [a2, a1]
            3 | 2 << 2 | 1 << 4, // a2 uninstall c1 (first entry) -> [a1]
            3 | 1 << 2 | 1 << 4 // a1 uninstall c1 -> []
        ];
        for (uint256 i = 0; i < ops.length; ++i) {
            _step(ops[i]);
        }
        assertEq(validator.getAccountList(ORIGIN, _cred(0)).length, 0, "c0 empty");
        assertEq(validator.getAccountList(ORIGIN, _cred(1)).length, 0, "c1 empty");
    }
}
