// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC7579Module} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";

/// @dev A third-party ERC-7579 fallback handler: installed for `whoAsked()`, the account answers that call through
/// it, with the original caller appended to the calldata (ERC-2771), as ERC-7579 requires.
contract TestFallbackHandler is IERC7579Module {
    function onInstall(bytes calldata) external {}

    function onUninstall(bytes calldata) external {}

    function isModuleType(uint256 moduleTypeId) external pure returns (bool) {
        return moduleTypeId == 3;
    }

    /// @dev The account that forwarded the call and the caller it names.
    function whoAsked() external view returns (address account, address caller) {
        account = msg.sender;
        caller = address(bytes20(msg.data[msg.data.length - 20:]));
    }
}
