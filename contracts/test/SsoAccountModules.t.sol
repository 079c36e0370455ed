// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Account} from "@openzeppelin/contracts/account/Account.sol";
import {AccountERC7579} from "@openzeppelin/contracts/account/extensions/draft-AccountERC7579.sol";
import {ERC7579Utils} from "@openzeppelin/contracts/account/utils/draft-ERC7579Utils.sol";
import {IERC7579Execution} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {AccountFactory} from "../src/AccountFactory.sol";
import {SsoAccount} from "../src/SsoAccount.sol";
import {WebAuthnValidator} from "../src/WebAuthnValidator.sol";
import {TestBase} from "./utils/TestBase.sol";
import {TestERC20} from "./utils/TestERC20.sol";
import {TestExecutor} from "./utils/TestExecutor.sol";
import {TestFallbackHandler} from "./utils/TestFallbackHandler.sol";

/// @dev A module whose `onUninstall` refuses (mode 1) or burns all the gas it is given (mode 2).
contract StubbornModule {
    uint256 public immutable moduleType;
    uint256 public mode;

    constructor(uint256 type_) {
        moduleType = type_;
    }

    function setMode(uint256 m) external {
        mode = m;
    }

    function isModuleType(uint256 moduleTypeId) external view returns (bool) {
        return moduleTypeId == moduleType;
    }

    function onInstall(bytes calldata) external {}

    function onUninstall(bytes calldata) external view {
        if (mode == 1) revert("stay");
        if (mode == 2) while (true) {}
    }
}

/// @dev An executor that, being uninstalled, tries to take the account's tokens (it names the token at install).
contract ClingingExecutor {
    address public token;

    function isModuleType(uint256 moduleTypeId) external pure returns (bool) {
        return moduleTypeId == 2;
    }

    function onInstall(bytes calldata) external {}

    function setToken(address t) external {
        token = t;
    }

    function onUninstall(bytes calldata) external {
        IERC7579Execution(msg.sender)
            .executeFromExecutor(
                bytes32(0),
                abi.encodePacked(
                    token, uint256(0), abi.encodeWithSignature("transfer(address,uint256)", address(this), 100)
                )
            );
    }
}

/// @dev The account's executor and fallback-handler modules: every install and uninstall guard, what an installed
/// executor and fallback handler can do, and that no module can block its own uninstall.
contract SsoAccountModulesTest is TestBase {
    address internal constant ENTRY_POINT = 0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108;
    address internal constant OPERATOR = address(0x0b0b);
    address internal constant RECIPIENT = address(0xbeef);

    WebAuthnValidator internal validator;
    SsoAccount internal account;
    TestExecutor internal executor;
    TestFallbackHandler internal handler;
    TestERC20 internal token;

    event ModuleInstalled(uint256 moduleTypeId, address module);
    event ModuleUninstalled(uint256 moduleTypeId, address module);
    event ModuleUninstallCallFailed(uint256 moduleTypeId, address module);

    function setUp() public {
        _deployEntryPointAt(ENTRY_POINT);
        validator = new WebAuthnValidator();
        SsoAccount implementation = new SsoAccount(address(validator));
        AccountFactory factory = new AccountFactory(address(implementation), address(validator));
        account = SsoAccount(payable(factory.createAccount(keccak256("salt"), CRED_ID, publicKey(PASSKEY_PK), ORIGIN)));
        executor = new TestExecutor();
        handler = new TestFallbackHandler();
        token = new TestERC20();
        token.mint(address(account), 100);
    }

    function _selector() internal pure returns (bytes memory) {
        return abi.encodePacked(TestFallbackHandler.whoAsked.selector);
    }

    // ---- who may install ----

    function test_install_onlyEntryPointOrSelf() public {
        vm.expectRevert(abi.encodeWithSelector(Account.AccountUnauthorized.selector, address(this)));
        account.installModule(2, address(executor), abi.encode(OPERATOR));
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(Account.AccountUnauthorized.selector, OPERATOR));
        account.uninstallModule(1, address(validator), "");
    }

    function test_install_rejectsHooksAndUnknownTypes() public {
        vm.startPrank(ENTRY_POINT);
        for (uint256 t = 4; t < 7; ++t) {
            vm.expectRevert(abi.encodeWithSelector(ERC7579Utils.ERC7579UnsupportedModuleType.selector, t));
            account.installModule(t, address(executor), "");
            vm.expectRevert(abi.encodeWithSelector(ERC7579Utils.ERC7579UnsupportedModuleType.selector, t));
            account.uninstallModule(t, address(executor), "");
        }
        vm.expectRevert(abi.encodeWithSelector(ERC7579Utils.ERC7579UnsupportedModuleType.selector, 0));
        account.installModule(0, address(executor), "");
        vm.stopPrank();
        assertTrue(!account.isModuleInstalled(4, address(executor), ""), "no hooks");
    }

    function test_install_rejectsMismatchedType() public {
        vm.startPrank(ENTRY_POINT);
        vm.expectRevert(
            abi.encodeWithSelector(ERC7579Utils.ERC7579MismatchedModuleTypeId.selector, 3, address(executor))
        );
        account.installModule(3, address(executor), _selector());
        vm.expectRevert(
            abi.encodeWithSelector(ERC7579Utils.ERC7579MismatchedModuleTypeId.selector, 2, address(handler))
        );
        account.installModule(2, address(handler), "");
        vm.stopPrank();
    }

    function test_install_rejectsAnAddressWithoutCode() public {
        vm.prank(ENTRY_POINT);
        vm.expectRevert();
        account.installModule(2, address(0x1234), "");
    }

    // ---- executors ----

    function test_executor_installRunsAndUninstalls() public {
        vm.prank(ENTRY_POINT);
        vm.expectEmit(address(account));
        emit ModuleInstalled(2, address(executor));
        account.installModule(2, address(executor), abi.encode(OPERATOR));
        assertTrue(account.isModuleInstalled(2, address(executor), ""), "installed");
        assertEq(executor.operatorOf(address(account)), OPERATOR, "onInstall ran");

        vm.prank(OPERATOR);
        executor.run(address(account), address(token), 0, abi.encodeCall(token.transfer, (RECIPIENT, 40)));
        assertEq(token.balanceOf(RECIPIENT), 40, "the executor moved the account's tokens");

        vm.prank(ENTRY_POINT);
        vm.expectRevert(
            abi.encodeWithSelector(ERC7579Utils.ERC7579AlreadyInstalledModule.selector, 2, address(executor))
        );
        account.installModule(2, address(executor), abi.encode(OPERATOR));

        vm.prank(ENTRY_POINT);
        vm.expectEmit(address(account));
        emit ModuleUninstalled(2, address(executor));
        account.uninstallModule(2, address(executor), "");
        assertTrue(!account.isModuleInstalled(2, address(executor), ""), "uninstalled");
        assertEq(executor.operatorOf(address(account)), address(0), "onUninstall ran");

        vm.prank(ENTRY_POINT);
        vm.expectRevert(abi.encodeWithSelector(ERC7579Utils.ERC7579UninstalledModule.selector, 2, address(executor)));
        account.uninstallModule(2, address(executor), "");
    }

    function test_executor_notInstalledCannotExecute() public {
        vm.expectRevert(abi.encodeWithSelector(ERC7579Utils.ERC7579UninstalledModule.selector, 2, address(this)));
        account.executeFromExecutor(bytes32(0), abi.encodePacked(address(token), uint256(0), ""));
        // Installed on another account only: still refused here.
        vm.prank(ENTRY_POINT);
        account.installModule(2, address(executor), abi.encode(OPERATOR));
        vm.prank(ENTRY_POINT);
        account.uninstallModule(2, address(executor), "");
        vm.prank(address(executor));
        vm.expectRevert(abi.encodeWithSelector(ERC7579Utils.ERC7579UninstalledModule.selector, 2, address(executor)));
        account.executeFromExecutor(bytes32(0), abi.encodePacked(address(token), uint256(0), ""));
    }

    function test_executor_cannotDelegatecall() public {
        vm.prank(ENTRY_POINT);
        account.installModule(2, address(executor), abi.encode(OPERATOR));
        bytes32 delegate = bytes32(uint256(0xff) << 248);
        vm.prank(address(executor));
        vm.expectRevert();
        account.executeFromExecutor(delegate, abi.encodePacked(address(token), ""));
    }

    // ---- fallback handlers ----

    function test_fallback_routesWithTheCallerAppended() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                AccountERC7579.ERC7579MissingFallbackHandler.selector, TestFallbackHandler.whoAsked.selector
            )
        );
        TestFallbackHandler(address(account)).whoAsked();
        vm.prank(ENTRY_POINT);
        account.installModule(3, address(handler), _selector());
        assertTrue(account.isModuleInstalled(3, address(handler), _selector()), "installed for its selector");
        assertTrue(!account.isModuleInstalled(3, address(handler), hex"12345678"), "not for another");
        assertTrue(!account.isModuleInstalled(3, address(handler), hex"123456"), "a short context is no selector");
        assertTrue(!account.isModuleInstalled(3, address(0), hex"12345678"), "zero is never installed");
        vm.prank(RECIPIENT);
        (address via, address caller) = TestFallbackHandler(address(account)).whoAsked();
        assertEq(via, address(account), "the account called the handler");
        assertEq(caller, RECIPIENT, "ERC-2771: the original caller appended");
    }

    function test_fallback_oneHandlerPerSelector() public {
        TestFallbackHandler other = new TestFallbackHandler();
        vm.startPrank(ENTRY_POINT);
        account.installModule(3, address(handler), _selector());
        vm.expectRevert(abi.encodeWithSelector(ERC7579Utils.ERC7579AlreadyInstalledModule.selector, 3, address(other)));
        account.installModule(3, address(other), _selector());
        // Uninstalling needs the handler the selector really has.
        vm.expectRevert(abi.encodeWithSelector(ERC7579Utils.ERC7579UninstalledModule.selector, 3, address(other)));
        account.uninstallModule(3, address(other), _selector());
        vm.expectRevert(abi.encodeWithSelector(AccountERC7579.ERC7579CannotDecodeFallbackData.selector));
        account.uninstallModule(3, address(handler), hex"aabbcc");
        vm.expectRevert(abi.encodeWithSelector(AccountERC7579.ERC7579CannotDecodeFallbackData.selector));
        account.installModule(3, address(other), "");
        account.uninstallModule(3, address(handler), _selector());
        vm.stopPrank();
        assertTrue(!account.isModuleInstalled(3, address(handler), _selector()), "uninstalled");
        vm.expectRevert(
            abi.encodeWithSelector(
                AccountERC7579.ERC7579MissingFallbackHandler.selector, TestFallbackHandler.whoAsked.selector
            )
        );
        TestFallbackHandler(address(account)).whoAsked();
    }

    // ---- no module can block its own uninstall ----

    function test_uninstall_aRevertingOnUninstallCannotBlockIt() public {
        for (uint256 t = 1; t <= 3; ++t) {
            StubbornModule module = new StubbornModule(t);
            module.setMode(1);
            bytes memory context = t == 3 ? _selector() : bytes("");
            vm.startPrank(ENTRY_POINT);
            account.installModule(t, address(module), context);
            vm.expectEmit(address(account));
            emit ModuleUninstallCallFailed(t, address(module));
            vm.expectEmit(address(account));
            emit ModuleUninstalled(t, address(module));
            account.uninstallModule(t, address(module), context);
            vm.stopPrank();
            assertTrue(!account.isModuleInstalled(t, address(module), context), "uninstalled all the same");
        }
    }

    function test_uninstall_aModuleBurningAllGasCannotBlockIt() public {
        StubbornModule module = new StubbornModule(2);
        module.setMode(2);
        vm.startPrank(ENTRY_POINT);
        account.installModule(2, address(module), "");
        vm.expectEmit(address(account));
        emit ModuleUninstallCallFailed(2, address(module));
        account.uninstallModule{gas: 2_200_000}(2, address(module), "");
        vm.stopPrank();
        assertTrue(!account.isModuleInstalled(2, address(module), ""), "uninstalled");
    }

    function test_uninstall_tooLittleGasRevertsInsteadOfStarvingTheModule() public {
        vm.startPrank(ENTRY_POINT);
        account.installModule(2, address(executor), abi.encode(OPERATOR));
        vm.expectRevert(SsoAccount.UninstallNeedsMoreGas.selector);
        account.uninstallModule{gas: 1_000_000}(2, address(executor), "");
        vm.stopPrank();
        assertTrue(account.isModuleInstalled(2, address(executor), ""), "still installed: nothing happened");
        assertEq(executor.operatorOf(address(account)), OPERATOR, "onUninstall never ran");
    }

    function test_uninstall_theModuleIsRemovedBeforeItsOnUninstallRuns() public {
        // An executor that tries to use the account from its onUninstall: it is no longer installed by then.
        ClingingExecutor clinging = new ClingingExecutor();
        clinging.setToken(address(token));
        vm.startPrank(ENTRY_POINT);
        account.installModule(2, address(clinging), "");
        vm.expectEmit(address(account));
        emit ModuleUninstallCallFailed(2, address(clinging));
        account.uninstallModule(2, address(clinging), "");
        vm.stopPrank();
        assertEq(token.balanceOf(address(clinging)), 0, "it could not move the account's tokens on its way out");
        assertTrue(!account.isModuleInstalled(2, address(clinging), ""), "uninstalled");
    }

    function test_uninstall_aCooperativeModuleEmitsNoFailure() public {
        vm.startPrank(ENTRY_POINT);
        account.installModule(2, address(executor), abi.encode(OPERATOR));
        vm.recordLogs();
        account.uninstallModule(2, address(executor), "");
        vm.stopPrank();
        assertEq(vm.getRecordedLogs().length, 1, "ModuleUninstalled only");
    }
}
