// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEntryPoint} from "account-abstraction/interfaces/IEntryPoint.sol";
import {IStakeManager} from "account-abstraction/interfaces/IStakeManager.sol";
import {PackedUserOperation as EpUserOp} from "account-abstraction/interfaces/PackedUserOperation.sol";
import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {
    Execution,
    IERC7579Execution,
    IERC7579ModuleConfig
} from "@openzeppelin/contracts/interfaces/draft-IERC7579.sol";
import {Account} from "@openzeppelin/contracts/account/Account.sol";
import {ERC7579Utils} from "@openzeppelin/contracts/account/utils/draft-ERC7579Utils.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {Errors} from "@openzeppelin/contracts/utils/Errors.sol";
import {AccountFactory} from "../src/AccountFactory.sol";
import {SsoAccount} from "../src/SsoAccount.sol";
import {WebAuthnValidator} from "../src/WebAuthnValidator.sol";
import {TestBase} from "./utils/TestBase.sol";
import {TestERC721} from "./utils/TestERC721.sol";
import {TestERC1155} from "./utils/TestERC1155.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";

contract Target {
    uint256 public value;
    uint256 public received;

    function set(uint256 v) external payable {
        value = v;
        received += msg.value;
    }

    function fail() external pure {
        revert("nope");
    }
}

/// @dev WETH9's pattern: `withdraw` pays with `transfer()`, which forwards only the 2,300-gas stipend.
contract StipendPayer {
    mapping(address => uint256) public balanceOf;

    function deposit() external payable {
        balanceOf[msg.sender] += msg.value;
    }

    function withdraw(uint256 wad) external {
        balanceOf[msg.sender] -= wad;
        payable(msg.sender).transfer(wad);
    }
}

/// @dev Validator that records the UserOp it is asked to validate, and can revert or return short data.
contract RecordingValidator {
    bytes32 public seenOp;
    bytes32 public seenHash;
    uint256 public mode; // 0: return 42, 1: revert with reason, 2: return nothing

    function setMode(uint256 m) external {
        mode = m;
    }

    function isModuleType(uint256 moduleTypeId) external pure returns (bool) {
        return moduleTypeId == 1;
    }

    function onInstall(bytes calldata) external {}

    function onUninstall(bytes calldata) external {}

    function validateUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash) external returns (uint256) {
        seenOp = keccak256(abi.encode(userOp));
        seenHash = userOpHash;
        if (mode == 1) revert("validator says no");
        if (mode == 2) {
            assembly ("memory-safe") {
                return(0, 0)
            }
        }
        return 42;
    }
}

/// @dev Reverts without data.
contract SilentReverter {
    fallback() external payable {
        revert();
    }
}

contract SsoAccountTest is TestBase {
    address internal constant ENTRY_POINT = 0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108;
    bytes32 internal constant SALT = keccak256("salt");
    bytes32 internal constant MODE_SINGLE = bytes32(0);
    bytes32 internal constant MODE_BATCH = bytes32(uint256(0x01) << 248);
    bytes32 internal constant MODE_TRY_BATCH = bytes32((uint256(0x01) << 248) | (uint256(0x01) << 240));
    bytes32 internal constant MODE_DELEGATECALL = bytes32(uint256(0xff) << 248);

    WebAuthnValidator internal validator;
    SsoAccount internal implementation;
    AccountFactory internal factory;
    Target internal target;

    function setUp() public {
        _deployEntryPointAt(ENTRY_POINT);

        validator = new WebAuthnValidator();
        implementation = new SsoAccount(address(validator));
        factory = new AccountFactory(address(implementation), address(validator));
        target = new Target();
    }

    function _create() internal returns (SsoAccount) {
        return SsoAccount(payable(factory.createAccount(SALT, CRED_ID, publicKey(PASSKEY_PK), ORIGIN)));
    }

    // ---- factory ----

    function test_getAddress_matchesCreateAccount() public {
        address predicted = factory.getAddress(SALT, CRED_ID, publicKey(PASSKEY_PK), ORIGIN);
        assertEq(predicted.code.length, 0, "not deployed yet");
        assertEq(address(_create()), predicted, "address");
        assertTrue(predicted.code.length > 0, "deployed");
    }

    function test_createAccount_addressDependsOnlyOnSaltAndPasskey() public {
        bytes32[2] memory key = publicKey(PASSKEY_PK);
        address predicted = factory.getAddress(SALT, CRED_ID, key, ORIGIN);
        vm.prank(address(0xCAFE));
        address fromOther = factory.getAddress(SALT, CRED_ID, key, ORIGIN);
        assertEq(fromOther, predicted, "view independent of caller");
        vm.prank(address(0xCAFE));
        assertEq(factory.createAccount(SALT, CRED_ID, key, ORIGIN), predicted, "create independent of caller");
        assertTrue(factory.getAddress(keccak256("other"), CRED_ID, key, ORIGIN) != predicted, "salt");
        assertTrue(factory.getAddress(SALT, CRED_ID, publicKey(2), ORIGIN) != predicted, "key");
        assertTrue(factory.getAddress(SALT, hex"ffeeddccbbaa99887766554433221100", key, ORIGIN) != predicted, "cred");
        assertTrue(factory.getAddress(SALT, CRED_ID, key, "https://example.org") != predicted, "origin");
    }

    function test_createAccount_secondCallReturnsSameAccount() public {
        address first = address(_create());
        assertEq(address(_create()), first, "same account, no revert");
    }

    function test_createAccount_emitsAccountCreated() public {
        address predicted = factory.getAddress(SALT, CRED_ID, publicKey(PASSKEY_PK), ORIGIN);
        bytes32[2] memory key = publicKey(PASSKEY_PK);
        vm.expectEmit(address(factory));
        emit AccountFactory.AccountCreated(predicted, SALT);
        factory.createAccount(SALT, CRED_ID, key, ORIGIN);
    }

    function test_createAccount_installsWebAuthnValidatorWithPasskey() public {
        SsoAccount account = _create();
        assertTrue(account.isModuleInstalled(1, address(validator), ""), "validator installed");
        assertEq(validator.getAccountKey(ORIGIN, CRED_ID, address(account))[0], publicKey(PASSKEY_PK)[0], "key");
        assertEq(validator.keyCount(address(account)), 1, "key count");
        // The first passkey is bound by the CREATE2 address, not listed (ERC-7562: no shared storage written).
        assertEq(validator.getAccountList(ORIGIN, CRED_ID).length, 0, "not in the account list");
    }

    function _stake(address factory_) internal view returns (IStakeManager.DepositInfo memory) {
        return IEntryPoint(ENTRY_POINT).getDepositInfo(factory_);
    }

    function test_addStake_stakesFactoryInEntryPoint() public {
        assertTrue(!_stake(address(factory)).staked, "not staked yet");
        vm.deal(address(0xCAFE), 3 ether);
        vm.prank(address(0xCAFE)); // anyone
        factory.addStake{value: 1 ether}(1 days);
        IStakeManager.DepositInfo memory info = _stake(address(factory));
        assertTrue(info.staked, "staked");
        assertEq(info.stake, 1 ether, "stake");
        assertEq(info.unstakeDelaySec, 1 days, "delay");
        assertEq(info.withdrawTime, 0, "locked");
        assertEq(info.deposit, 0, "no deposit");
        assertEq(address(factory).balance, 0, "nothing kept in the factory");

        // Someone else adds more (same or longer delay): it adds up.
        vm.deal(address(0xD00D), 2 ether);
        vm.prank(address(0xD00D));
        factory.addStake{value: 2 ether}(2 days);
        info = _stake(address(factory));
        assertEq(info.stake, 3 ether, "stakes add up");
        assertEq(info.unstakeDelaySec, 2 days, "longer delay");
        vm.prank(address(0xCAFE));
        factory.addStake{value: 1 ether}(2 days);
        assertEq(_stake(address(factory)).stake, 4 ether, "again");
        assertEq(ENTRY_POINT.balance, 4 ether, "held by the EntryPoint");
    }

    function test_addStake_entryPointRulesApply() public {
        vm.deal(address(this), 1 ether);
        vm.expectRevert(bytes("no stake specified"));
        factory.addStake(1 days);
        vm.expectRevert(bytes("must specify unstake delay"));
        factory.addStake{value: 1}(0);
        factory.addStake{value: 1}(2 days);
        vm.expectRevert(bytes("cannot decrease unstake time"));
        factory.addStake{value: 1}(1 days);
    }

    /// @dev The factory has no owner and no path to `unlockStake` / `withdrawStake`: the stake stays locked.
    function test_addStake_factoryCannotUnlockOrWithdraw() public {
        vm.deal(address(this), 1 ether);
        factory.addStake{value: 1 ether}(1 days);
        (bool ok,) = address(factory).call(abi.encodeCall(IStakeManager.unlockStake, ()));
        assertTrue(!ok, "no unlockStake");
        (ok,) = address(factory).call(abi.encodeCall(IStakeManager.withdrawStake, (payable(address(this)))));
        assertTrue(!ok, "no withdrawStake");
        (ok,) = address(factory).call(abi.encodeCall(IStakeManager.withdrawTo, (payable(address(this)), 1)));
        assertTrue(!ok, "no withdrawTo");
        // The EntryPoint only lets the staked address itself unlock or withdraw.
        vm.expectRevert(bytes("not staked"));
        IEntryPoint(ENTRY_POINT).unlockStake();
        vm.expectRevert(bytes("No stake to withdraw"));
        IEntryPoint(ENTRY_POINT).withdrawStake(payable(address(this)));
        IStakeManager.DepositInfo memory info = _stake(address(factory));
        assertTrue(info.staked && info.withdrawTime == 0 && info.stake == 1 ether, "still locked");
    }

    // ---- account basics ----

    function _cloneSalt() internal pure returns (bytes32) {
        return keccak256(abi.encode(SALT, CRED_ID, publicKey(PASSKEY_PK), ORIGIN));
    }

    function test_initialize_implementationIsDisabled() public {
        vm.expectRevert(SsoAccount.InvalidInitialization.selector);
        implementation.initialize(_cloneSalt(), "");
    }

    function test_initialize_cannotReinitialize() public {
        SsoAccount account = _create();
        vm.expectRevert(SsoAccount.InvalidInitialization.selector);
        account.initialize(_cloneSalt(), "");
        vm.prank(address(0xBAD));
        vm.expectRevert(SsoAccount.InvalidInitialization.selector);
        account.initialize(_cloneSalt(), "");
        vm.expectRevert(SsoAccount.InvalidInitialization.selector);
        account.initialize(bytes32(0), "");
    }

    function test_defaultValidator_uninstallAndReinstall() public {
        SsoAccount account = _create();
        vm.startPrank(ENTRY_POINT);
        vm.expectRevert(
            abi.encodeWithSelector(ERC7579Utils.ERC7579AlreadyInstalledModule.selector, 1, address(validator))
        );
        account.installModule(1, address(validator), "");
        account.uninstallModule(1, address(validator), "");
        assertTrue(!account.isModuleInstalled(1, address(validator), ""), "uninstalled");
        vm.expectRevert(abi.encodeWithSelector(ERC7579Utils.ERC7579UninstalledModule.selector, 1, address(validator)));
        account.uninstallModule(1, address(validator), "");
        account.installModule(1, address(validator), "");
        assertTrue(account.isModuleInstalled(1, address(validator), ""), "re-installed");
        vm.stopPrank();
    }

    function test_otherValidator_installAndUninstall() public {
        SsoAccount account = _create();
        WebAuthnValidator other = new WebAuthnValidator();
        assertTrue(!account.isModuleInstalled(1, address(other), ""), "not installed");
        assertTrue(!account.isModuleInstalled(1, address(0), ""), "zero never installed");
        vm.startPrank(ENTRY_POINT);
        account.installModule(1, address(other), "");
        assertTrue(account.isModuleInstalled(1, address(other), ""), "installed");
        vm.expectRevert(abi.encodeWithSelector(ERC7579Utils.ERC7579AlreadyInstalledModule.selector, 1, address(other)));
        account.installModule(1, address(other), "");
        account.uninstallModule(1, address(other), "");
        assertTrue(!account.isModuleInstalled(1, address(other), ""), "uninstalled");
        assertTrue(account.isModuleInstalled(1, address(validator), ""), "default untouched");
        vm.expectRevert(abi.encodeWithSelector(ERC7579Utils.ERC7579UninstalledModule.selector, 1, address(other)));
        account.uninstallModule(1, address(other), "");
        vm.stopPrank();
    }

    function test_installModule_rejectsWrongModuleType() public {
        SsoAccount account = _create();
        vm.prank(ENTRY_POINT);
        vm.expectRevert(
            abi.encodeWithSelector(ERC7579Utils.ERC7579MismatchedModuleTypeId.selector, 2, address(validator))
        );
        account.installModule(2, address(validator), "");
    }

    function test_entryPoint_isV08() public {
        assertEq(address(_create().entryPoint()), ENTRY_POINT, "entry point");
    }

    function test_eip712Domain_isSsoAccountV1() public {
        SsoAccount account = _create();
        (bytes1 fields, string memory name, string memory version, uint256 chainId, address verifying,,) =
            account.eip712Domain();
        assertTrue(fields == 0x0f, "fields");
        assertEq(keccak256(bytes(name)), keccak256("SsoAccount"), "name");
        assertEq(keccak256(bytes(version)), keccak256("1"), "version");
        assertEq(chainId, block.chainid, "chain id");
        assertEq(verifying, address(account), "verifying contract is the clone");
    }

    function test_supportsExecutionMode_singleBatchDefaultTryOnly() public {
        SsoAccount account = _create();
        assertTrue(account.supportsExecutionMode(MODE_SINGLE), "single");
        assertTrue(account.supportsExecutionMode(MODE_BATCH), "batch");
        assertTrue(account.supportsExecutionMode(MODE_TRY_BATCH), "try batch");
        assertTrue(!account.supportsExecutionMode(MODE_DELEGATECALL), "no delegatecall");
        assertTrue(!account.supportsExecutionMode(bytes32(uint256(0x02) << 240)), "no unknown exec type");
    }

    function test_receive_withinTheTransferStipend() public {
        SsoAccount account = _create();
        StipendPayer weth = new StipendPayer();
        vm.deal(address(account), 1 ether);
        vm.prank(ENTRY_POINT);
        account.execute(
            MODE_SINGLE, abi.encodePacked(address(weth), uint256(1 ether), abi.encodeCall(StipendPayer.deposit, ()))
        );
        assertEq(address(account).balance, 0, "deposited");
        // The account unwraps: WETH9-style `withdraw` pays it back with `transfer()` (2,300 gas).
        vm.prank(ENTRY_POINT);
        account.execute(
            MODE_SINGLE, abi.encodePacked(address(weth), uint256(0), abi.encodeCall(StipendPayer.withdraw, (1 ether)))
        );
        assertEq(address(account).balance, 1 ether, "withdrawn with a 2,300-gas transfer");
        // The bare stipend is enough, from any payer.
        vm.deal(address(this), 1);
        (bool ok,) = address(account).call{value: 1, gas: 2300}("");
        assertTrue(ok, "2,300 gas");
    }

    function test_proxy_is52BytesAndDelegatesEveryCallWithData() public {
        SsoAccount account = _create();
        bytes memory code = address(account).code;
        assertEq(code.length, 52, "runtime size");
        assertEq(
            keccak256(code),
            keccak256(
                abi.encodePacked(
                    hex"3615603257363d3d373d3d3d363d73",
                    address(implementation),
                    hex"5af43d82803e903d91603057fd5bf35b00"
                )
            ),
            "runtime"
        );
        assertEq(keccak256(bytes(account.accountId())), keccak256("sso-wallet.SsoAccount.v1.0.0"), "delegated");
        // Value with calldata is not a plain transfer: it is delegated (and no fallback handler takes it).
        vm.deal(address(this), 1);
        (bool ok,) = address(account).call{value: 1}(hex"12345678");
        assertTrue(!ok, "unknown selector still reverts");
    }

    function test_receive_acceptsEth() public {
        SsoAccount account = _create();
        vm.deal(address(this), 1 ether);
        (bool ok,) = address(account).call{value: 1 ether}("");
        assertTrue(ok && address(account).balance == 1 ether, "received");
    }

    // ---- tokens sent to the account ----

    function test_receivesErc721SafeMintsAndSafeTransfers() public {
        SsoAccount account = _create();
        TestERC721 nft = new TestERC721();
        nft.safeMint(address(account), 1);
        assertEq(nft.ownerOf(1), address(account), "safeMint to the account");
        address holder = address(0xA11CE);
        nft.safeMint(holder, 2);
        vm.prank(holder);
        nft.safeTransferFrom(holder, address(account), 2);
        assertEq(nft.ownerOf(2), address(account), "safeTransferFrom to the account");
    }

    function test_receivesErc1155MintsAndBatches() public {
        SsoAccount account = _create();
        TestERC1155 tokens = new TestERC1155();
        tokens.mint(address(account), 7, 3);
        uint256[] memory ids = new uint256[](2);
        uint256[] memory amounts = new uint256[](2);
        (ids[0], ids[1], amounts[0], amounts[1]) = (8, 9, 10, 11);
        tokens.mintBatch(address(account), ids, amounts);
        assertEq(tokens.balanceOf(address(account), 7), 3, "single");
        assertEq(tokens.balanceOf(address(account), 8), 10, "batch 0");
        assertEq(tokens.balanceOf(address(account), 9), 11, "batch 1");
    }

    function test_supportsInterface_erc165AndErc1155Receiver() public {
        SsoAccount account = _create();
        assertTrue(account.supportsInterface(type(IERC165).interfaceId), "ERC-165");
        assertTrue(account.supportsInterface(type(IERC1155Receiver).interfaceId), "ERC-1155 receiver");
        assertTrue(!account.supportsInterface(0xffffffff), "never 0xffffffff");
    }

    // ---- execution ----

    function test_execute_singleFromEntryPoint() public {
        SsoAccount account = _create();
        vm.deal(address(account), 1 ether);
        vm.prank(ENTRY_POINT);
        account.execute(MODE_SINGLE, abi.encodePacked(address(target), uint256(5), abi.encodeCall(Target.set, (42))));
        assertEq(target.value(), 42, "value");
        assertEq(target.received(), 5, "eth");
    }

    function test_execute_batchFromEntryPoint() public {
        SsoAccount account = _create();
        vm.deal(address(account), 1 ether);
        Execution[] memory calls = new Execution[](2);
        calls[0] = Execution(address(target), 0, abi.encodeCall(Target.set, (1)));
        calls[1] = Execution(address(0xD00D), 0.25 ether, "");
        vm.prank(ENTRY_POINT);
        account.execute(MODE_BATCH, abi.encode(calls));
        assertEq(target.value(), 1, "call");
        assertEq(address(0xD00D).balance, 0.25 ether, "transfer");
    }

    function test_execute_tryBatchContinuesAfterFailure() public {
        SsoAccount account = _create();
        Execution[] memory calls = new Execution[](2);
        calls[0] = Execution(address(target), 0, abi.encodeCall(Target.fail, ()));
        calls[1] = Execution(address(target), 0, abi.encodeCall(Target.set, (7)));
        vm.prank(ENTRY_POINT);
        account.execute(MODE_TRY_BATCH, abi.encode(calls));
        assertEq(target.value(), 7, "second call ran");
    }

    function test_execute_defaultBatchRevertsOnFailure() public {
        SsoAccount account = _create();
        Execution[] memory calls = new Execution[](1);
        calls[0] = Execution(address(target), 0, abi.encodeCall(Target.fail, ()));
        vm.prank(ENTRY_POINT);
        vm.expectRevert();
        account.execute(MODE_BATCH, abi.encode(calls));
    }

    function test_execute_rejectsDelegatecall() public {
        SsoAccount account = _create();
        vm.prank(ENTRY_POINT);
        vm.expectRevert(abi.encodeWithSelector(ERC7579Utils.ERC7579UnsupportedCallType.selector, bytes1(0xff)));
        account.execute(MODE_DELEGATECALL, abi.encodePacked(address(target), abi.encodeCall(Target.set, (1))));
    }

    function test_execute_rejectsOtherCaller() public {
        SsoAccount account = _create();
        vm.expectRevert(abi.encodeWithSelector(Account.AccountUnauthorized.selector, address(this)));
        account.execute(MODE_SINGLE, abi.encodePacked(address(target), uint256(0), abi.encodeCall(Target.set, (1))));
    }

    function test_execute_singleTargetZeroIsAccount() public {
        SsoAccount account = _create();
        WebAuthnValidator other = new WebAuthnValidator();
        bytes memory install = abi.encodeCall(IERC7579ModuleConfig.installModule, (1, address(other), ""));
        vm.prank(ENTRY_POINT);
        account.execute(MODE_SINGLE, abi.encodePacked(address(0), uint256(0), install));
        assertTrue(account.isModuleInstalled(1, address(other), ""), "called itself");
    }

    function test_execute_singleBubblesRevertData() public {
        SsoAccount account = _create();
        vm.prank(ENTRY_POINT);
        vm.expectRevert(bytes("nope"));
        account.execute(MODE_SINGLE, abi.encodePacked(address(target), uint256(0), abi.encodeCall(Target.fail, ())));
    }

    function test_execute_singleFailureWithoutDataIsFailedCall() public {
        SsoAccount account = _create();
        address reverter = address(new SilentReverter());
        vm.prank(ENTRY_POINT);
        vm.expectRevert(Errors.FailedCall.selector);
        account.execute(MODE_SINGLE, abi.encodePacked(reverter, uint256(0)));
    }

    function test_execute_singleRejectsShortExecutionData() public {
        SsoAccount account = _create();
        vm.deal(address(account), 1 ether);
        vm.prank(ENTRY_POINT);
        vm.expectRevert();
        account.execute(MODE_SINGLE, abi.encodePacked(address(0xD00D), uint248(1))); // 51 bytes
        vm.prank(ENTRY_POINT);
        account.execute(MODE_SINGLE, abi.encodePacked(address(0xD00D), uint256(1))); // 52 bytes
        assertEq(address(0xD00D).balance, 1, "52 bytes: plain transfer");
    }

    function test_execute_singleTryModeStillTries() public {
        SsoAccount account = _create();
        bytes32 modeTrySingle = bytes32(uint256(0x01) << 240);
        vm.prank(ENTRY_POINT);
        account.execute(modeTrySingle, abi.encodePacked(address(target), uint256(0), abi.encodeCall(Target.fail, ())));
    }

    // ---- validateUserOp routing ----

    function test_validateUserOp_failsForUninstalledValidatorPrefix() public {
        SsoAccount account = _create();
        PackedUserOperation memory op;
        op.sender = address(account);
        op.signature = abi.encodePacked(address(0xBAD), passkeySig(keccak256("h")));
        vm.prank(ENTRY_POINT);
        assertEq(account.validateUserOp(op, keccak256("h"), 0), 1, "uninstalled validator");
    }

    /// @dev The UserOp is forwarded to the validator by copying its calldata encoding: the validator decodes
    /// exactly the same UserOp and hash; its reverts bubble up and short return data reverts.
    function test_validateUserOp_forwardsUserOpUnchanged() public {
        SsoAccount account = _create();
        RecordingValidator rec = new RecordingValidator();
        vm.prank(ENTRY_POINT);
        account.installModule(1, address(rec), "");
        PackedUserOperation memory op;
        op.sender = address(account);
        op.nonce = 7;
        op.initCode = hex"0102";
        op.callData = abi.encodeCall(Target.set, (3));
        op.accountGasLimits = bytes32(uint256(5));
        op.preVerificationGas = 6;
        op.gasFees = bytes32(uint256(8));
        op.paymasterAndData = hex"aabbcc";
        op.signature = abi.encodePacked(address(rec), hex"deadbeef");
        vm.deal(address(account), 1 ether);
        vm.prank(ENTRY_POINT);
        assertEq(account.validateUserOp(op, keccak256("h"), 3), 42, "validator's answer");
        assertEq(rec.seenOp(), keccak256(abi.encode(op)), "same userOp");
        assertEq(rec.seenHash(), keccak256("h"), "same hash");
        assertEq(ENTRY_POINT.balance, 3, "prefund paid");

        rec.setMode(1);
        vm.prank(ENTRY_POINT);
        vm.expectRevert(bytes("validator says no"));
        account.validateUserOp(op, keccak256("h"), 0);
        rec.setMode(2);
        vm.prank(ENTRY_POINT);
        vm.expectRevert();
        account.validateUserOp(op, keccak256("h"), 0);
    }

    function test_constructor_rejectsNonValidatorDefault() public {
        vm.expectRevert();
        new SsoAccount(address(target));
    }

    function test_implementation_hasNoValidatorInstalled() public view {
        assertTrue(!implementation.isModuleInstalled(1, address(validator), ""), "implementation inert");
    }

    function test_validateUserOp_failsForSignatureShorterThanPrefix() public {
        SsoAccount account = _create();
        PackedUserOperation memory op;
        op.sender = address(account);
        op.signature = hex"0102";
        vm.prank(ENTRY_POINT);
        assertEq(account.validateUserOp(op, keccak256("h"), 0), 1, "short signature");
    }

    // ---- EntryPoint end to end ----

    function _op(address sender, bytes memory initCode, bytes memory callData)
        internal
        view
        returns (EpUserOp memory op)
    {
        op.sender = sender;
        op.nonce = IEntryPoint(ENTRY_POINT).getNonce(sender, 0);
        op.initCode = initCode;
        op.callData = callData;
        op.accountGasLimits = bytes32((uint256(2_000_000) << 128) | 300_000);
        op.preVerificationGas = 60_000;
        op.gasFees = bytes32((uint256(1 gwei) << 128) | 2 gwei);
    }

    function _signOp(EpUserOp memory op) internal view {
        bytes32 userOpHash = IEntryPoint(ENTRY_POINT).getUserOpHash(op);
        op.signature = abi.encodePacked(address(validator), passkeySig(userOpHash));
    }

    function _handle(EpUserOp memory op) internal {
        EpUserOp[] memory ops = new EpUserOp[](1);
        ops[0] = op;
        vm.prank(address(0xB0B0), address(0xB0B0));
        IEntryPoint(ENTRY_POINT).handleOps(ops, payable(address(0xBEEF)));
    }

    function test_handleOps_deploysAccountViaInitCodeAndTransfersEth() public {
        bytes32[2] memory key = publicKey(PASSKEY_PK);
        address sender = factory.getAddress(SALT, CRED_ID, key, ORIGIN);
        vm.deal(sender, 1 ether);
        bytes memory initCode = abi.encodePacked(
            address(factory), abi.encodeCall(AccountFactory.createAccount, (SALT, CRED_ID, key, ORIGIN))
        );
        bytes memory callData = abi.encodeCall(
            IERC7579Execution.execute, (MODE_SINGLE, abi.encodePacked(address(0xD00D), uint256(0.1 ether), ""))
        );
        EpUserOp memory op = _op(sender, initCode, callData);
        _signOp(op);
        _handle(op);
        assertTrue(sender.code.length > 0, "deployed");
        assertEq(address(0xD00D).balance, 0.1 ether, "transferred");
        assertEq(IEntryPoint(ENTRY_POINT).getNonce(sender, 0), 1, "nonce");

        // Second op, account already deployed, batch execution.
        Execution[] memory calls = new Execution[](2);
        calls[0] = Execution(address(target), 0, abi.encodeCall(Target.set, (9)));
        calls[1] = Execution(address(0xD00D), 0.2 ether, "");
        EpUserOp memory op2 =
            _op(sender, "", abi.encodeCall(IERC7579Execution.execute, (MODE_BATCH, abi.encode(calls))));
        _signOp(op2);
        _handle(op2);
        assertEq(target.value(), 9, "batch call");
        assertEq(address(0xD00D).balance, 0.3 ether, "batch transfer");
    }

    /// @dev ERC-7562: during the deploying UserOp (validation phase, including the factory call) the validator
    /// touches only storage associated with the sender: its key `_keys[origin][cred][sender]` (slot 0 mapping,
    /// two words) and `_keyCount[sender]` (slot 2 mapping) — never the per-credential account list. The factory
    /// touches no storage at all.
    function test_handleOps_deploymentTouchesOnlySenderAssociatedValidatorStorage() public {
        bytes32[2] memory key = publicKey(PASSKEY_PK);
        address sender = factory.getAddress(SALT, CRED_ID, key, ORIGIN);
        vm.deal(sender, 1 ether);
        bytes memory initCode = abi.encodePacked(
            address(factory), abi.encodeCall(AccountFactory.createAccount, (SALT, CRED_ID, key, ORIGIN))
        );
        EpUserOp memory op = _op(sender, initCode, ""); // no execution phase: only validation is recorded
        _signOp(op);
        vm.record();
        _handle(op);
        assertTrue(sender.code.length > 0, "deployed");

        bytes32 keySlot = keccak256(
            abi.encode(sender, keccak256(abi.encodePacked(CRED_ID, keccak256(abi.encodePacked(ORIGIN, uint256(0))))))
        );
        bytes32 countSlot = keccak256(abi.encode(sender, uint256(2)));
        (bytes32[] memory reads, bytes32[] memory writes) = vm.accesses(address(validator));
        assertTrue(writes.length > 0, "key written");
        for (uint256 i = 0; i < writes.length; ++i) {
            bytes32 w = writes[i];
            assertTrue(w == keySlot || w == bytes32(uint256(keySlot) + 1) || w == countSlot, "write: sender's slots");
        }
        for (uint256 i = 0; i < reads.length; ++i) {
            bytes32 r = reads[i];
            assertTrue(r == keySlot || r == bytes32(uint256(keySlot) + 1) || r == countSlot, "read: sender's slots");
        }
        (reads, writes) = vm.accesses(address(factory));
        assertEq(reads.length + writes.length, 0, "factory storage untouched");
    }

    /// @dev Adding a passkey the wallet's way: a UserOp signed by the first passkey calls addValidationKey with a
    /// proof by the new passkey; the account is then listed and the new passkey signs UserOps.
    function test_handleOps_addValidationKeyWithProofThenSignWithNewKey() public {
        SsoAccount account = _create();
        vm.deal(address(account), 1 ether);
        uint256 newPk = 0xb0b5;
        bytes memory newCred = hex"ffeeddccbbaa99887766554433221100";
        bytes memory proof = keyProof(newPk, address(account), address(validator), newCred, ORIGIN);
        bytes memory add =
            abi.encodeCall(WebAuthnValidator.addValidationKey, (newCred, publicKey(newPk), ORIGIN, proof));
        EpUserOp memory op = _op(
            address(account),
            "",
            abi.encodeCall(
                IERC7579Execution.execute, (MODE_SINGLE, abi.encodePacked(address(validator), uint256(0), add))
            )
        );
        op.accountGasLimits = bytes32((uint256(2_000_000) << 128) | 2_000_000); // P-256 without precompile
        _signOp(op);
        _handle(op);
        assertEq(validator.keyCount(address(account)), 2, "two keys");
        address[] memory list = validator.getAccountList(ORIGIN, newCred);
        assertEq(list.length, 1, "listed");
        assertEq(list[0], address(account), "the account");

        EpUserOp memory op2 = _op(
            address(account),
            "",
            abi.encodeCall(IERC7579Execution.execute, (MODE_SINGLE, abi.encodePacked(address(0xD00D), uint256(1), "")))
        );
        bytes32 userOpHash = IEntryPoint(ENTRY_POINT).getUserOpHash(op2);
        op2.signature = abi.encodePacked(
            address(validator), passkeySig(newPk, authenticatorData(0x05), clientDataJSON(userOpHash), newCred)
        );
        _handle(op2);
        assertEq(address(0xD00D).balance, 1, "signed by the new passkey");
    }

    /// @dev A UserOp carrying a registration proof as its signature is rejected (different challenge), and a proof
    /// is no ERC-1271 signature either.
    function test_registrationProofIsNoUserOpOrErc1271Signature() public {
        SsoAccount account = _create();
        vm.deal(address(account), 1 ether);
        bytes memory proof = keyProof(PASSKEY_PK, address(account), address(validator), CRED_ID, ORIGIN);
        EpUserOp memory op = _op(address(account), "", "");
        op.signature = abi.encodePacked(address(validator), proof);
        EpUserOp[] memory ops = new EpUserOp[](1);
        ops[0] = op;
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA24 signature error"));
        vm.prank(address(0xB0B0), address(0xB0B0));
        IEntryPoint(ENTRY_POINT).handleOps(ops, payable(address(0xBEEF)));
        bytes32 challenge =
            registrationChallenge(address(account), address(validator), CRED_ID, publicKey(PASSKEY_PK), ORIGIN);
        assertTrue(
            account.isValidSignature(challenge, abi.encodePacked(address(validator), proof)) == 0xffffffff, "1271"
        );
    }

    function test_handleOps_rejectsWrongPasskeySignature() public {
        bytes32[2] memory key = publicKey(PASSKEY_PK);
        address sender = factory.getAddress(SALT, CRED_ID, key, ORIGIN);
        vm.deal(sender, 1 ether);
        bytes memory initCode = abi.encodePacked(
            address(factory), abi.encodeCall(AccountFactory.createAccount, (SALT, CRED_ID, key, ORIGIN))
        );
        EpUserOp memory op = _op(sender, initCode, "");
        op.signature = abi.encodePacked(address(validator), passkeySig(keccak256("not the userOpHash")));
        EpUserOp[] memory ops = new EpUserOp[](1);
        ops[0] = op;
        vm.expectRevert(abi.encodeWithSelector(IEntryPoint.FailedOp.selector, 0, "AA24 signature error"));
        vm.prank(address(0xB0B0), address(0xB0B0));
        IEntryPoint(ENTRY_POINT).handleOps(ops, payable(address(0xBEEF)));
    }

    // ---- ERC-1271 / ERC-7739 ----

    function _domainSeparator(address account) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("SsoAccount"),
                keccak256("1"),
                block.chainid,
                account
            )
        );
    }

    function _personalSign(address account, bytes32 hash) internal view returns (bytes memory) {
        bytes32 structHash = keccak256(abi.encode(keccak256("PersonalSign(bytes prefixed)"), hash));
        bytes32 challenge = MessageHashUtils.toTypedDataHash(_domainSeparator(account), structHash);
        return abi.encodePacked(address(validator), passkeySig(challenge));
    }

    function test_isValidSignature_acceptsPersonalSign() public {
        SsoAccount account = _create();
        bytes32 hash = MessageHashUtils.toEthSignedMessageHash(bytes("hello"));
        assertTrue(account.isValidSignature(hash, _personalSign(address(account), hash)) == 0x1626ba7e, "valid");
        assertTrue(
            account.isValidSignature(keccak256("x"), _personalSign(address(account), hash)) == 0xffffffff, "hash"
        );
    }

    function test_isValidSignature_rejectsReplayOnAnotherAccount() public {
        SsoAccount account = _create();
        SsoAccount other =
            SsoAccount(payable(factory.createAccount(keccak256("2"), CRED_ID, publicKey(PASSKEY_PK), ORIGIN)));
        bytes32 hash = keccak256("message");
        bytes memory sig = _personalSign(address(account), hash);
        assertTrue(other.isValidSignature(hash, sig) == 0xffffffff, "replay rejected");
    }

    function test_isValidSignature_acceptsTypedDataSign() public {
        SsoAccount account = _create();
        bytes32 appSeparator = keccak256("some app domain separator");
        string memory contentsType = "Mail(address to,string contents)";
        bytes32 contentsHash = keccak256(abi.encode(keccak256(bytes(contentsType)), address(0xD00D), keccak256("hi")));
        bytes32 hash = MessageHashUtils.toTypedDataHash(appSeparator, contentsHash);
        bytes32 typedDataSignTypehash = keccak256(
            abi.encodePacked(
                "TypedDataSign(Mail contents,string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)",
                contentsType
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                typedDataSignTypehash,
                contentsHash,
                keccak256("SsoAccount"),
                keccak256("1"),
                block.chainid,
                address(account),
                bytes32(0)
            )
        );
        bytes memory inner = passkeySig(MessageHashUtils.toTypedDataHash(appSeparator, structHash));
        bytes memory sig = abi.encodePacked(
            address(validator), inner, appSeparator, contentsHash, contentsType, uint16(bytes(contentsType).length)
        );
        assertTrue(account.isValidSignature(hash, sig) == 0x1626ba7e, "valid");
        assertTrue(account.isValidSignature(keccak256("x"), sig) == 0xffffffff, "wrong hash");
    }

    function test_isValidSignature_answersErc7739Probe() public {
        SsoAccount account = _create();
        bytes32 probe = 0x7739773977397739773977397739773977397739773977397739773977397739;
        assertTrue(account.isValidSignature(probe, "") == 0x77390001, "probe");
    }

    function test_isValidSignature_rejectsGarbage() public {
        SsoAccount account = _create();
        assertTrue(account.isValidSignature(keccak256("x"), hex"01") == 0xffffffff, "short");
        assertTrue(
            account.isValidSignature(keccak256("x"), abi.encodePacked(address(validator), hex"deadbeef")) == 0xffffffff,
            "garbage"
        );
    }
}
