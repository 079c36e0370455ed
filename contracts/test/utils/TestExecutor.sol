// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC7579Module, IERC7579Execution} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";

/// @dev A third-party ERC-7579 executor, as a developer might offer one: installed with `abi.encode(operator)`,
/// it lets that operator make the account call anything (`run`). What an executor can do is exactly this, which is
/// why the wallet asks for the passkey with a red warning before installing one.
contract TestExecutor is IERC7579Module {
    /// @dev The operator each account named when it installed this executor.
    mapping(address account => address operator) public operatorOf;

    error NotOperator();

    function onInstall(bytes calldata data) external {
        operatorOf[msg.sender] = abi.decode(data, (address));
    }

    function onUninstall(bytes calldata) external {
        delete operatorOf[msg.sender];
    }

    function isModuleType(uint256 moduleTypeId) external pure returns (bool) {
        return moduleTypeId == 2;
    }

    /// @dev Makes `account` call `to` with `value` and `data` (ERC-7579 single call, default exec type).
    function run(address account, address to, uint256 value, bytes calldata data) external returns (bytes[] memory) {
        require(msg.sender == operatorOf[account], NotOperator());
        return IERC7579Execution(account).executeFromExecutor(bytes32(0), abi.encodePacked(to, value, data));
    }
}
