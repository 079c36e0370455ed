// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @dev Foundry cheatcodes for reading JSON fixtures and switching the EVM version (same cheatcode address as
/// `Vm`: 0x7109709ECfa91a80626fF3989D68f67F5b1DD12D). Kept apart from `Vm.sol` so the two can change independently.
interface VmJson {
    function projectRoot() external view returns (string memory path);
    function readFile(string calldata path) external view returns (string memory data);
    function keyExistsJson(string calldata json, string calldata key) external view returns (bool);
    function parseJsonBytes(string calldata json, string calldata key) external pure returns (bytes memory);
    function parseJsonBytes32(string calldata json, string calldata key) external pure returns (bytes32);
    function parseJsonString(string calldata json, string calldata key) external pure returns (string memory);
    function parseJsonBool(string calldata json, string calldata key) external pure returns (bool);
    function toString(uint256 value) external pure returns (string memory);
    function setEvmVersion(string calldata evm) external;
    function getEvmVersion() external pure returns (string memory evm);
    function skip(bool skipTest) external;
}
