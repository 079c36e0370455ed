//! The 4-byte selectors of the token functions (ERC-20, ERC-721, ERC-1155) whose arguments the
//! session rules judge (open recipients, unlimited approvals) and the descriptions read (token
//! amounts). Both [`super::rules`] and [`super::describe`] use them, so they live in neither.

/// `approve(address,uint256)` (ERC-20; ERC-721 shares the selector).
pub const APPROVE: [u8; 4] = [0x09, 0x5e, 0xa7, 0xb3];
/// `increaseAllowance(address,uint256)`.
pub const INCREASE_ALLOWANCE: [u8; 4] = [0x39, 0x50, 0x93, 0x51];
/// `setApprovalForAll(address,bool)` (ERC-721 / ERC-1155).
pub const SET_APPROVAL_FOR_ALL: [u8; 4] = [0xa2, 0x2c, 0xb4, 0x65];
/// `transfer(address,uint256)`.
pub(super) const TRANSFER: [u8; 4] = [0xa9, 0x05, 0x9c, 0xbb];
/// `transferFrom(address,address,uint256)`.
pub(super) const TRANSFER_FROM: [u8; 4] = [0x23, 0xb8, 0x72, 0xdd];
/// `safeTransferFrom(address,address,uint256)` (ERC-721).
pub(super) const SAFE_TRANSFER_FROM: [u8; 4] = [0x42, 0x84, 0x2e, 0x0e];
/// `safeTransferFrom(address,address,uint256,bytes)` (ERC-721).
pub(super) const SAFE_TRANSFER_FROM_DATA: [u8; 4] = [0xb8, 0x8d, 0x4f, 0xde];
/// `safeTransferFrom(address,address,uint256,uint256,bytes)` (ERC-1155).
pub(super) const SAFE_TRANSFER_FROM_1155: [u8; 4] = [0xf2, 0x42, 0x43, 0x2a];
