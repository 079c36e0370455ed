// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @dev Minimal ERC-721 for tests: anyone can `safeMint` (which calls `onERC721Received` on contracts).
contract TestERC721 is ERC721 {
    constructor() ERC721("Test NFT", "TNFT") {}

    function safeMint(address to, uint256 tokenId) external {
        _safeMint(to, tokenId);
    }
}
