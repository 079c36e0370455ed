// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title AccountProxy
/// @notice The code every account is: an ERC-1167 minimal proxy of the {SsoAccount} implementation, preceded by
/// five bytes that end a call without calldata (a plain ETH transfer) right there, without the delegatecall.
/// @dev Why: a contract paying with `transfer()` / `send()` (WETH9's `withdraw`, many vaults and auctions) forwards
/// only 2,300 gas, and an ERC-1167 proxy's delegatecall to a cold implementation alone costs 2,600. With the
/// prefix a plain transfer costs the account 19 gas. Every other call is delegated exactly as ERC-1167 does.
///
/// Runtime (52 bytes):
/// `36 15 60 32 57` — if calldatasize is 0, jump to the final `JUMPDEST STOP`;
/// `363d3d373d3d3d363d73 <implementation> 5af43d82803e903d91 603057fd5bf3` — ERC-1167's body, its jump target
/// moved by the five bytes (0x2b → 0x30);
/// `5b 00` — JUMPDEST STOP.
/// Creation code: `3d 60 34 80 60 0a 3d 39 81 f3` (ERC-1167's, copying and returning the 0x34-byte runtime).
library AccountProxy {
    /// @notice The creation code of an account proxy of `implementation`.
    /// @param implementation The {SsoAccount} implementation.
    /// @return The creation code (62 bytes).
    function creationCode(address implementation) internal pure returns (bytes memory) {
        return abi.encodePacked(
            hex"3d603480600a3d3981f3",
            hex"3615603257363d3d373d3d3d363d73",
            implementation,
            hex"5af43d82803e903d91603057fd5bf35b00"
        );
    }
}
