// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccountERC7579} from "@openzeppelin/contracts/account/extensions/draft-AccountERC7579.sol";
import {AccountERC7579Hooked} from "@openzeppelin/contracts/account/extensions/draft-AccountERC7579Hooked.sol";
import {IEntryPoint} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {TestBase} from "./utils/TestBase.sol";
import {TestERC20} from "./utils/TestERC20.sol";

/// @dev OpenZeppelin's ERC-7579 account, as is.
contract PlainAccount is AccountERC7579 {
    function entryPoint() public pure override returns (IEntryPoint) {
        return IEntryPoint(0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108);
    }
}

/// @dev The same account with OpenZeppelin's hook support (`AccountERC7579Hooked`), no hook installed.
contract HookedAccount is AccountERC7579Hooked {
    function entryPoint() public pure override returns (IEntryPoint) {
        return IEntryPoint(0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108);
    }
}

/// @dev What hook support costs an account that has no hook (docs/gas.md, "Hooks"): the same token transfer
/// executed by the same account with and without `AccountERC7579Hooked`. The difference is the hook lookup every
/// execution makes (a cold storage read), paid whether or not a hook is ever installed.
contract HookCostTest is TestBase {
    address internal constant ENTRY_POINT = 0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108;

    function _transferGas(AccountERC7579 account) internal returns (uint256 used) {
        TestERC20 token = new TestERC20();
        token.mint(address(account), 100);
        bytes memory call =
            abi.encodePacked(address(token), uint256(0), abi.encodeCall(token.transfer, (address(0xbeef), 1)));
        vm.prank(ENTRY_POINT);
        uint256 before = gasleft();
        account.execute(bytes32(0), call);
        used = before - gasleft();
    }

    function test_hookSupportCostsEveryExecutionWithoutAHook() public {
        uint256 plain = _transferGas(new PlainAccount());
        uint256 hooked = _transferGas(new HookedAccount());
        uint256 extra = hooked - plain;
        // At least the cold read of the hook's slot (2,100 gas), and not much more.
        assertTrue(extra >= 2_100 && extra < 2_600, "hook lookup cost");
    }
}
