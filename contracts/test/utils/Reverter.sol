// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @dev A hostile contract for the wallet's end-to-end tests: it reverts with `levels` of the EntryPoint's
/// `FailedOpWithRevert(uint256 opIndex, string reason, bytes inner)`, each wrapping the next, around
/// `Error("deep")` — 224 bytes per level (5,000 levels ≈ 1.1 MB), written in one pass (O(levels) gas).
contract Reverter {
    /// @dev Reverts with the nested data; never returns.
    function nested(uint256 levels) external pure {
        assembly ("memory-safe") {
            let start := mload(0x40)
            // Level k (k >= 1) is 196 bytes of head, then level k-1, then 28 zero bytes of padding: level 0
            // (Error("deep"), 100 bytes) sits at 196 * levels, and the padding of every level is zeros at the end.
            // The length of level k is 100 + 224 k.
            for { let k := levels } gt(k, 0) { k := sub(k, 1) } {
                let p := add(start, mul(sub(levels, k), 196))
                mstore(p, shl(224, 0x65c8fd4d)) // FailedOpWithRevert(uint256,string,bytes)
                mstore(add(p, 4), k) // opIndex
                mstore(add(p, 36), 0x60) // offset of reason
                mstore(add(p, 68), 0xa0) // offset of inner
                mstore(add(p, 100), 4) // reason length
                mstore(add(p, 132), shl(224, 0x41413233)) // "AA23"
                mstore(add(p, 164), add(100, mul(224, sub(k, 1)))) // inner length
            }
            let q := add(start, mul(levels, 196))
            mstore(q, shl(224, 0x08c379a0)) // Error(string)
            mstore(add(q, 4), 0x20)
            mstore(add(q, 36), 4)
            mstore(add(q, 68), shl(224, 0x64656570)) // "deep"
            revert(start, add(100, mul(224, levels)))
        }
    }
}
