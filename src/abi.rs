//! Solidity bindings (alloy `sol!`) for the contracts the wallet calls. They mirror
//! `contracts/src` and the EntryPoint v0.8; the e2e tests prove the encodings are accepted.

#![allow(missing_docs)]

alloy_sol_types::sol! {
    /// The deterministic account factory: the address depends only on the salt and the
    /// initial passkey.
    interface IAccountFactory {
        function getAddress(bytes32 salt, bytes credentialId, bytes32[2] publicKey, string originDomain) external view returns (address);
        function createAccount(bytes32 salt, bytes credentialId, bytes32[2] publicKey, string originDomain) external returns (address account);
        event AccountCreated(address indexed account, bytes32 indexed salt);
    }

    /// ERC-7579 execution.
    interface IERC7579Execution {
        function execute(bytes32 mode, bytes executionCalldata) external payable;
    }

    /// ERC-7579 module configuration, as the account implements it.
    interface IERC7579ModuleConfig {
        function installModule(uint256 moduleTypeId, address module, bytes initData) external;
        function uninstallModule(uint256 moduleTypeId, address module, bytes deInitData) external;
        function isModuleInstalled(uint256 moduleTypeId, address module, bytes additionalContext) external view returns (bool);
        event ModuleInstalled(uint256 moduleTypeId, address module);
        event ModuleUninstalled(uint256 moduleTypeId, address module);
    }

    /// ERC-7579 `IERC7579Module`: what a module says of its type.
    interface IERC7579Module {
        function isModuleType(uint256 moduleTypeId) external view returns (bool);
    }

    /// One call of an ERC-7579 batch.
    struct Execution {
        address target;
        uint256 value;
        bytes callData;
    }

    /// An entity's deposit and stake in the EntryPoint (v0.8 `IStakeManager.DepositInfo`).
    struct DepositInfo {
        uint256 deposit;
        bool staked;
        uint112 stake;
        uint32 unstakeDelaySec;
        uint48 withdrawTime;
    }

    /// The EntryPoint's nonce and stake managers, and the bundle entry point (which the
    /// devnet's ERC-7562 guard traces; the wallet itself never bundles).
    interface IEntryPoint {
        function getNonce(address sender, uint192 key) external view returns (uint256 nonce);
        function getDepositInfo(address account) external view returns (DepositInfo info);
        function handleOps(SignedUserOperation[] ops, address beneficiary) external;
        event UserOperationEvent(bytes32 indexed userOpHash, address indexed sender, address indexed paymaster, uint256 nonce, bool success, uint256 actualGasCost, uint256 actualGasUsed);
    }

    /// The guardian recovery module (`contracts/src/recovery/GuardianRecovery.sol`): the owner's
    /// setup, the guardians' approvals, finalizing, and the events the wallet reads.
    interface IGuardianRecovery {
        struct RecoveryRequest {
            bytes credentialId;
            bytes32[2] publicKey;
            string originDomain;
            address finalizer;
        }
        function setGuardians(address[] guardians, uint256 threshold, uint256 delay, uint256 maxRecoveryFee) external;
        function cancelRecovery() external;
        function approve(address account, uint64 round, RecoveryRequest request) external;
        function approveWithSignatures(address account, uint64 round, RecoveryRequest request, address[] signers, bytes[] signatures) external;
        function finalize(address account, uint64 round, RecoveryRequest request, bytes proof) external;
        function recoveryConfig(address account) external view returns (address[] guardians, uint256 threshold, uint256 delay, uint64 round, uint256 pendingSinceBlock, uint256 maxRecoveryFee);
        function requestApprovals(address account, bytes32 hash) external view returns (uint256 approvedBy, uint256 readyAt);
        function requestHash(address account, uint64 round, RecoveryRequest request) external pure returns (bytes32);
        function approvalDigest(address account, uint64 round, RecoveryRequest request) external view returns (bytes32);
        event GuardiansSet(address indexed account, uint64 round, address[] guardians, uint256 threshold, uint256 delay, uint256 maxRecoveryFee);
        event RecoveryRequested(address indexed account, uint64 indexed round, bytes32 indexed requestHash, RecoveryRequest request);
        event RecoveryApproved(address indexed account, uint64 indexed round, bytes32 indexed requestHash, address guardian);
        event RecoveryScheduled(address indexed account, uint64 indexed round, bytes32 indexed requestHash, uint256 readyAt);
        event RecoveryCancelled(address indexed account, uint64 indexed round);
        event RecoveryFinalized(address indexed account, uint64 indexed round, bytes32 indexed requestHash);
    }

    /// The passkey validator: lookups for logging in, key management (called by the account) and
    /// the events the passkey list is read from.
    interface IWebAuthnValidator {
        function getAccountKey(string originDomain, bytes credentialId, address account) external view returns (bytes32[2]);
        function getAccountList(string originDomain, bytes credentialId) external view returns (address[]);
        function keyCount(address account) external view returns (uint256);
        function addValidationKey(bytes credentialId, bytes32[2] newKey, string originDomain, bytes proof) external returns (bool);
        function registrationChallenge(address account, bytes credentialId, bytes32[2] publicKey, string originDomain) external view returns (bytes32);
        function removeValidationKey(bytes credentialId, string originDomain) external;
        event PasskeyCreated(address indexed account, bytes32 indexed originDomainHash, string originDomain, bytes credentialId, bytes32[2] publicKey);
        event PasskeyRemoved(address indexed account, bytes32 indexed originDomainHash, string originDomain, bytes credentialId);
    }

    /// ERC-20 metadata, for showing token amounts.
    interface IERC20Metadata {
        function symbol() external view returns (string);
        function decimals() external view returns (uint8);
        function balanceOf(address owner) external view returns (uint256);
        function transfer(address to, uint256 amount) external returns (bool);
    }

    /// ERC-721 ownership and name, for NFTs a site suggests.
    interface IERC721 {
        function ownerOf(uint256 tokenId) external view returns (address);
        function symbol() external view returns (string);
    }

    /// ERC-1155 balances, for NFTs a site suggests.
    interface IERC1155 {
        function balanceOf(address account, uint256 id) external view returns (uint256);
    }

    /// A UserOperation as the EntryPoint takes it (`handleOps`) and passes it to accounts and
    /// paymasters.
    struct SignedUserOperation {
        address sender;
        uint256 nonce;
        bytes initCode;
        bytes callData;
        bytes32 accountGasLimits;
        uint256 preVerificationGas;
        bytes32 gasFees;
        bytes paymasterAndData;
        bytes signature;
    }

    /// ERC-7579 validators (the passkey and session validators): what the account asks of
    /// one during validation (the session differential test asks the session validator).
    interface IValidator {
        function validateUserOp(SignedUserOperation userOp, bytes32 userOpHash) external returns (uint256);
    }

    /// ERC-4337 paymasters: asked (as the EntryPoint) before a sponsored operation is shown.
    interface IPaymaster {
        function validatePaymasterUserOp(SignedUserOperation userOp, bytes32 userOpHash, uint256 maxCost)
            external returns (bytes context, uint256 validationData);
    }

    /// The EIP-712 struct whose signing hash is the EntryPoint v0.8 userOpHash.
    struct PackedUserOperation {
        address sender;
        uint256 nonce;
        bytes initCode;
        bytes callData;
        bytes32 accountGasLimits;
        uint256 preVerificationGas;
        bytes32 gasFees;
        bytes paymasterAndData;
    }
}
