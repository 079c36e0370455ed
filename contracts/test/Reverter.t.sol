// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Reverter} from "./utils/Reverter.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @dev The end-to-end tests' hostile contract reverts with exactly the nesting it claims.
contract ReverterTest is TestBase {
    error FailedOpWithRevert(uint256 opIndex, string reason, bytes inner);

    function _data(uint256 levels) private returns (bytes memory data) {
        Reverter reverter = new Reverter();
        try reverter.nested(levels) {
            revert("no revert");
        } catch (bytes memory caught) {
            data = caught;
        }
    }

    function _strip(bytes memory data) private pure returns (bytes4 selector, bytes memory rest) {
        // forge-lint: disable-next-line(unsafe-typecast)
        selector = bytes4(data); // the first four bytes: the selector
        rest = new bytes(data.length - 4);
        for (uint256 i = 0; i < rest.length; ++i) {
            rest[i] = data[i + 4];
        }
    }

    function test_nested_levelsDecodeDownToTheReason() public {
        bytes memory data = _data(3);
        assertEq(data.length, 100 + 224 * 3, "length");
        for (uint256 k = 3; k > 0; --k) {
            (bytes4 selector, bytes memory rest) = _strip(data);
            assertEq(selector, FailedOpWithRevert.selector, "selector");
            (uint256 opIndex, string memory reason, bytes memory inner) = abi.decode(rest, (uint256, string, bytes));
            assertEq(opIndex, k, "opIndex");
            assertEq(keccak256(bytes(reason)), keccak256("AA23"), "reason");
            data = inner;
        }
        (bytes4 errorSelector, bytes memory message) = _strip(data);
        assertEq(errorSelector, bytes4(keccak256("Error(string)")), "Error(string)");
        assertEq(keccak256(bytes(abi.decode(message, (string)))), keccak256("deep"), "deep");
    }

    function test_nested_aMegabyteIsCheap() public {
        assertEq(_data(5000).length, 100 + 224 * 5000, "1.1 MB");
    }
}
