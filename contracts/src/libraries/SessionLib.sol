// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PackedUserOperation} from "@openzeppelin/contracts/interfaces/IERC4337.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title SessionLib
/// @notice Session data model of {SessionKeyValidator} plus the pure helpers it uses. The structs and enums are
/// ABI-identical to ZKsync SSO's `SessionLib`, so `sessionHash = keccak256(abi.encode(spec))` matches its encoding;
/// off-chain code (the Rust wallet) mirrors exactly these definitions.
/// @dev The decoders never revert on out-of-range offsets of the outer layout: they return `ok == false` so that
/// validation can answer `SIG_VALIDATION_FAILED`. Nested fields of a {SessionSpec} read through a calldata pointer
/// are bounds-checked by the compiler (which reverts on malformed ABI).
library SessionLib {
    /// @notice How a limit is enforced.
    /// @dev Unlimited: not tracked. Lifetime: total over the session's life. Allowance: total per fixed period
    /// aligned to the Unix epoch (`periodId = timestamp / period`). Stream: a total that accrues by the second —
    /// `initial + perSecond × (t − start)` at time `t`, at most `cap` — packed into the limit (see {streamAvailable});
    /// not part of ZKsync SSO's model, which has the first three only.
    enum LimitType {
        Unlimited,
        Lifetime,
        Allowance,
        Stream
    }

    /// @notice Comparison of a calldata word (left) against `refValue` (right), both as unsigned 256-bit integers.
    enum Condition {
        Unconstrained,
        Equal,
        Greater,
        Less,
        GreaterOrEqual,
        LessOrEqual,
        NotEqual
    }

    /// @notice Lifecycle of a session for an account: NotInitialized → Active → Closed (final).
    enum Status {
        NotInitialized,
        Active,
        Closed
    }

    /// @notice A usage limit (fees, value, or a constrained calldata word).
    /// @param limitType Unlimited, Lifetime, Allowance or Stream.
    /// @param limit Maximum total (Lifetime), maximum per period (Allowance), or for Stream
    /// `cap << 170 | perSecond << 85 | initial` (85, 85 and 86 bits; a cap of all ones means none).
    /// @param period Allowance period in seconds (must be non-zero for Allowance); for Stream, the Unix time the
    /// stream starts; ignored otherwise.
    struct UsageLimit {
        LimitType limitType;
        uint256 limit;
        uint48 period;
    }

    /// @notice A constraint on one static 32-byte ABI word of the call data.
    /// @param condition How the word compares to `refValue`.
    /// @param index Word index: the word sits at call data offset `4 + 32 * index`.
    /// @param refValue Right-hand side of the comparison.
    /// @param limit Usage limit charged `uint256(word)` per call.
    struct Constraint {
        Condition condition;
        uint64 index;
        bytes32 refValue;
        UsageLimit limit;
    }

    /// @notice Permission to call `selector` on `target`.
    /// @param target Called contract.
    /// @param selector Function selector (first 4 bytes of the call data).
    /// @param maxValuePerUse Maximum `msg.value` per call.
    /// @param valueLimit Usage limit charged the call's value.
    /// @param constraints Constraints on call data words; all must hold.
    struct CallSpec {
        address target;
        bytes4 selector;
        uint256 maxValuePerUse;
        UsageLimit valueLimit;
        Constraint[] constraints;
    }

    /// @notice Permission to send ETH with empty call data to `target`.
    /// @param target Recipient, or {ANY_RECIPIENT} for every recipient.
    /// @param maxValuePerUse Maximum value per transfer.
    /// @param valueLimit Usage limit charged the transferred value.
    struct TransferSpec {
        address target;
        uint256 maxValuePerUse;
        UsageLimit valueLimit;
    }

    /// @notice A session: a secp256k1 key allowed to sign UserOps within these policies until `expiresAt`.
    /// @param signer The session key's address (globally unique across all sessions).
    /// @param expiresAt Last timestamp (inclusive) at which the session can be used.
    /// @param feeLimit Limit on the maximum gas cost of UserOps without paymaster (never Unlimited).
    /// @param callPolicies Allowed function calls (first match on `(target, selector)` wins).
    /// @param transferPolicies Allowed plain ETH transfers (first match on `target` wins).
    struct SessionSpec {
        address signer;
        uint48 expiresAt;
        UsageLimit feeLimit;
        CallSpec[] callPolicies;
        TransferSpec[] transferPolicies;
    }

    /// @notice Remaining amount of one limit, with the policy it belongs to.
    /// @param remaining What can still be used (in the current period for Allowance; `type(uint256).max` if
    /// Unlimited).
    /// @param target The policy's target.
    /// @param selector The policy's selector (zero for transfer policies).
    /// @param index The constraint's word index (zero for value limits).
    struct LimitState {
        uint256 remaining;
        address target;
        bytes4 selector;
        uint256 index;
    }

    /// @notice Snapshot of a session's on-chain state for an account.
    /// @param status The session status.
    /// @param feesRemaining Remaining fee budget (current period for Allowance).
    /// @param transferValue One entry per transfer policy, in order.
    /// @param callValue One entry per call policy, in order.
    /// @param callParams One entry per constraint, call policies in order and constraints in order within each.
    struct SessionState {
        Status status;
        uint256 feesRemaining;
        LimitState[] transferValue;
        LimitState[] callValue;
        LimitState[] callParams;
    }

    /// @dev Number of head words of an ABI-encoded {SessionSpec} (UsageLimit is static and inlined: 3 words).
    uint256 internal constant SPEC_HEAD_SIZE = 7 * 32;

    /// @notice The target of a transfer policy that matches a plain transfer to any recipient (an address no one
    /// holds a key for; chosen over `address(0)`, which the account executes as itself, so that a zero left in a
    /// request by mistake never widens a session).
    address internal constant ANY_RECIPIENT = address(type(uint160).max);

    /// @dev Width masks of a Stream limit's packed fields: initial and perSecond (85 bits), cap (86 bits).
    uint256 internal constant STREAM_AMOUNT_MASK = (1 << 85) - 1;
    /// @dev A Stream cap of all ones: the accrued amount is not capped.
    uint256 internal constant STREAM_NO_CAP = (1 << 86) - 1;

    /// @notice What a Stream limit has accrued at time `time`: nothing before `start`, then
    /// `min(cap, initial + perSecond × (time − start))` with the fields of `packed` (see {UsageLimit}).
    /// @dev No overflow: `initial, perSecond < 2^85` and `time − start < 2^48`.
    /// @param packed The limit's `limit` field.
    /// @param start The limit's `period` field (the stream's start).
    /// @param time The time (a uint48 from the signature, or `block.timestamp` in views).
    /// @return The accrued amount.
    function streamAvailable(uint256 packed, uint256 start, uint256 time) internal pure returns (uint256) {
        if (time < start) return 0;
        uint256 cap = packed >> 170;
        // Unchecked: see @dev.
        unchecked {
            uint256 accrued = (packed & STREAM_AMOUNT_MASK) + ((packed >> 85) & STREAM_AMOUNT_MASK) * (time - start);
            return cap != STREAM_NO_CAP && accrued > cap ? cap : accrued;
        }
    }

    /// @notice Whether `param` satisfies `condition` against `refValue` (unsigned 256-bit comparison).
    /// @param condition The condition.
    /// @param param The calldata word.
    /// @param refValue The reference value.
    /// @return True iff the condition holds (always for Unconstrained).
    function checkCondition(Condition condition, bytes32 param, bytes32 refValue) internal pure returns (bool) {
        uint256 a = uint256(param);
        uint256 b = uint256(refValue);
        if (condition == Condition.Unconstrained) return true;
        if (condition == Condition.Equal) return a == b;
        if (condition == Condition.Greater) return a > b;
        if (condition == Condition.Less) return a < b;
        if (condition == Condition.GreaterOrEqual) return a >= b;
        if (condition == Condition.LessOrEqual) return a <= b;
        return a != b; // NotEqual
    }

    /// @notice Upper bound of the gas cost of a UserOp paid by the account:
    /// `maxFeePerGas × (preVerificationGas + verificationGasLimit + callGasLimit)`.
    /// @dev Uses no block-dependent opcode (ERC-7562). `ok == false` on overflow.
    /// @param userOp The UserOp.
    /// @return ok False on arithmetic overflow.
    /// @return cost The maximum cost in wei.
    function maxGasCost(PackedUserOperation calldata userOp) internal pure returns (bool ok, uint256 cost) {
        uint256 limits = uint256(userOp.accountGasLimits);
        uint256 gas;
        // accountGasLimits = verificationGasLimit (high 128 bits) ‖ callGasLimit (low 128 bits)
        // forge-lint: disable-next-line(unsafe-typecast)
        (ok, gas) = Math.tryAdd(userOp.preVerificationGas, (limits >> 128) + uint128(limits));
        if (!ok) return (false, 0);
        // gasFees = maxPriorityFeePerGas (high 128 bits) ‖ maxFeePerGas (low 128 bits)
        // forge-lint: disable-next-line(unsafe-typecast)
        return Math.tryMul(uint128(uint256(userOp.gasFees)), gas);
    }

    /// @notice Splits the session UserOp signature data `abi.encode(bytes ecdsaSignature, SessionSpec spec,
    /// uint48[] periodIds)` into calldata views without copying, and computes the session hash.
    /// @dev Checks that the three head offsets, the signature bytes and the period id array lie within `data`;
    /// returns `ok == false` otherwise. The spec's encoding is taken to be exactly the bytes from its offset to
    /// the `periodIds` offset (as in the standard, canonical ABI encoding), and `sessionHash` is
    /// `keccak256(0x20 ‖ those bytes)`, which equals `keccak256(abi.encode(spec))` for a canonical encoding.
    /// This is sound: an Active `sessionHash` was computed at creation from a canonical encoding, so (by collision
    /// resistance) the hashed bytes are that canonical encoding, whose internal offsets all point inside it, and
    /// reading `spec` through the calldata pointer yields exactly the created spec. A non-canonical encoding only
    /// produces a hash that matches no session.
    /// @param data The signature data (after the 20-byte validator prefix).
    /// @return ok Whether the outer layout is well-formed.
    /// @return signature The ECDSA signature bytes.
    /// @return spec The session spec.
    /// @return sessionHash `keccak256(abi.encode(spec))` for a canonically encoded spec.
    /// @return periodIds The period ids.
    function decodeSignature(bytes calldata data)
        internal
        pure
        returns (
            bool ok,
            bytes calldata signature,
            SessionSpec calldata spec,
            bytes32 sessionHash,
            uint48[] calldata periodIds
        )
    {
        signature = data[:0];
        assembly ("memory-safe") {
            spec := data.offset
            periodIds.offset := data.offset
            periodIds.length := 0
        }
        uint256 len = data.length;
        if (len < 3 * 32) return (false, signature, spec, 0, periodIds);
        uint256 o1 = word(data, 32);
        uint256 o2 = word(data, 64);
        // Unchecked: every subtraction below is guarded by the comparison before it, and every sum is at most
        // `data.length`.
        unchecked {
            {
                // ecdsaSignature
                uint256 o0 = word(data, 0);
                if (o0 > len - 32) return (false, signature, spec, 0, periodIds);
                uint256 l0 = word(data, o0);
                if (l0 > len - o0 - 32) return (false, signature, spec, 0, periodIds);
                signature = slice(data, o0 + 32, l0);
            }
            // periodIds
            if (o2 > len - 32) return (false, signature, spec, 0, periodIds);
            len = word(data, o2); // periodIds.length
            if (len > (data.length - o2 - 32) / 32) return (false, signature, spec, 0, periodIds);
            // spec: exactly the bytes between its offset and the periodIds offset
            if (o1 > o2 || o2 - o1 < SPEC_HEAD_SIZE) return (false, signature, spec, 0, periodIds);
            sessionHash = hashSpecEncoding(slice(data, o1, o2 - o1));
        }
        assembly ("memory-safe") {
            spec := add(data.offset, o1)
            periodIds.offset := add(add(data.offset, o2), 32)
            periodIds.length := len
        }
        ok = true;
    }

    /// @notice Decodes account call data `execute(bytes32 mode, bytes executionCalldata)` exactly as the
    /// account's ABI decoder reads it (selector `0xe9ae5c53`).
    /// @param callData The UserOp call data.
    /// @return ok Whether the selector is `execute` and the layout is in bounds.
    /// @return mode The ERC-7579 execution mode.
    /// @return executionCalldata The execution data.
    function decodeExecute(bytes calldata callData)
        internal
        pure
        returns (bool ok, bytes32 mode, bytes calldata executionCalldata)
    {
        executionCalldata = callData[:0];
        uint256 len = callData.length;
        // execute(bytes32,bytes)
        if (len < 4 + 64 || word(callData, 0) >> 224 != 0xe9ae5c53) return (false, 0, executionCalldata);
        mode = bytes32(word(callData, 4));
        uint256 offset = word(callData, 36);
        // Unchecked: `len >= 68`, `offset <= len - 36` and `length <= len - start` bound every operation.
        unchecked {
            if (offset > len - 4 - 32) return (false, 0, executionCalldata);
            uint256 start = 4 + offset + 32;
            uint256 length = word(callData, 4 + offset);
            if (length > len - start) return (false, 0, executionCalldata);
            return (true, mode, slice(callData, start, length));
        }
    }

    /// @notice Reads the head of an ERC-7579 batch `abi.encode(Execution[])`.
    /// @param exec The execution data.
    /// @return ok Whether the array head and its element offsets lie within `exec`.
    /// @return arrayStart Offset of the first element offset (just after the length word).
    /// @return count Number of executions.
    function decodeBatchHead(bytes calldata exec) internal pure returns (bool ok, uint256 arrayStart, uint256 count) {
        uint256 len = exec.length;
        if (len < 32) return (false, 0, 0);
        uint256 offset = word(exec, 0);
        // Unchecked: `len >= 32` and `offset <= len - 32`, so `arrayStart <= len`.
        unchecked {
            if (offset > len - 32) return (false, 0, 0);
            count = word(exec, offset);
            arrayStart = offset + 32;
            if (count > (len - arrayStart) / 32) return (false, 0, 0);
        }
        ok = true;
    }

    /// @notice Reads execution `i` of a batch whose head was read by {decodeBatchHead}, requiring every part of it
    /// (head, call data) to lie within `exec` and the target word to be a clean address, so the validator sees
    /// exactly what the account will execute.
    /// @param exec The execution data.
    /// @param arrayStart As returned by {decodeBatchHead}.
    /// @param i Execution index (< count).
    /// @return ok Whether execution `i` is well-formed.
    /// @return target The call target.
    /// @return value The call value.
    /// @return callData The call data.
    function batchItem(bytes calldata exec, uint256 arrayStart, uint256 i)
        internal
        pure
        returns (bool ok, address target, uint256 value, bytes calldata callData)
    {
        callData = exec[:0];
        uint256 len = exec.length;
        // Unchecked: `arrayStart + 32 * i < len` (i < count, see {decodeBatchHead}); each offset read is compared
        // against `len` before it is added, so every position stays at most `len`.
        unchecked {
            // `pos` walks: element offset → element → call data; `raw` holds the word just read.
            uint256 raw = word(exec, arrayStart + 32 * i); // element offset, relative to arrayStart
            if (raw > len || len - raw < arrayStart + 96) return (false, address(0), 0, callData);
            uint256 pos = arrayStart + raw;
            raw = word(exec, pos); // target word
            if (raw >> 160 != 0) return (false, address(0), 0, callData);
            // forge-lint: disable-next-line(unsafe-typecast)
            target = address(uint160(raw)); // upper 96 bits checked zero just above
            value = word(exec, pos + 32);
            raw = word(exec, pos + 64); // call data offset, relative to the element
            if (raw > len || len - raw < pos + 32) return (false, address(0), 0, callData);
            pos += raw;
            raw = word(exec, pos); // call data length
            if (raw > len - pos - 32) return (false, address(0), 0, callData);
            return (true, target, value, slice(exec, pos + 32, raw));
        }
    }

    /// @notice `keccak256(abi.encode(spec))` from the spec's tuple encoding (`abi.encode(spec)` without its leading
    /// offset word `0x20`).
    /// @param encoding The tuple encoding of the spec.
    /// @return h The session hash.
    function hashSpecEncoding(bytes calldata encoding) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, 0x20)
            calldatacopy(add(ptr, 0x20), encoding.offset, encoding.length)
            h := keccak256(ptr, add(encoding.length, 0x20))
        }
    }

    /// @notice Length of the tuple encoding of `spec` if the calldata bytes at `spec` are exactly its canonical ABI
    /// encoding (so that `abi.encode(spec) == 0x20 ‖ calldata[spec : spec + length]`), else 0; and whether some
    /// Allowance limit of the spec has period 0 (meaningful only when `length != 0`).
    /// @dev Checks every head offset against the canonical layout (tails in order, no gaps), every value type for
    /// clean high/low bits and enum range, and that all bytes lie within the call data. Never reverts.
    /// @param spec The spec, a calldata pointer.
    /// @return length The encoding length, or 0 if the encoding is not canonical.
    /// @return zeroPeriod Whether an Allowance limit (fee, value or constraint limit) has period 0.
    function canonicalSpecLength(SessionSpec calldata spec) internal pure returns (uint256 length, bool zeroPeriod) {
        assembly ("memory-safe") {
            // UsageLimit at `q`: limitType < 4 and period < 2^48.
            function limitOk(q) -> r {
                r := and(lt(calldataload(q), 4), iszero(shr(48, calldataload(add(q, 0x40)))))
            }
            // UsageLimit at `q` is an Allowance with period 0.
            function zeroPeriodAt(q) -> r {
                r := and(eq(calldataload(q), 2), iszero(calldataload(add(q, 0x40))))
            }
            function specLength(b, end) -> len, zp {
                // SessionSpec head (7 words) and the callPolicies length word
                if gt(add(b, 0x100), end) { leave }
                if shr(160, calldataload(b)) { leave } // signer
                if shr(48, calldataload(add(b, 0x20))) { leave } // expiresAt
                if iszero(limitOk(add(b, 0x40))) { leave } // feeLimit
                zp := zeroPeriodAt(add(b, 0x40))
                if iszero(eq(calldataload(add(b, 0xa0)), 0xe0)) { leave } // callPolicies offset
                let heads := add(b, 0x100)
                let n := calldataload(add(b, 0xe0))
                if gt(n, div(sub(end, heads), 0x20)) { leave }
                let p := add(heads, mul(n, 0x20))
                for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                    if iszero(eq(calldataload(add(heads, mul(i, 0x20))), sub(p, heads))) { leave }
                    // CallSpec head (7 words) and the constraints length word
                    if gt(add(p, 0x100), end) { leave }
                    if shr(160, calldataload(p)) { leave } // target
                    if shl(32, calldataload(add(p, 0x20))) { leave } // selector
                    if iszero(limitOk(add(p, 0x60))) { leave } // valueLimit
                    zp := or(zp, zeroPeriodAt(add(p, 0x60)))
                    if iszero(eq(calldataload(add(p, 0xc0)), 0xe0)) { leave } // constraints offset
                    let m := calldataload(add(p, 0xe0))
                    p := add(p, 0x100)
                    if gt(m, div(sub(end, p), 0xc0)) { leave }
                    for { let j := 0 } lt(j, m) { j := add(j, 1) } {
                        if iszero(lt(calldataload(p), 7)) { leave } // condition
                        if shr(64, calldataload(add(p, 0x20))) { leave } // index
                        if iszero(limitOk(add(p, 0x60))) { leave } // limit
                        zp := or(zp, zeroPeriodAt(add(p, 0x60)))
                        p := add(p, 0xc0)
                    }
                }
                if iszero(eq(calldataload(add(b, 0xc0)), sub(p, b))) { leave } // transferPolicies offset
                if gt(add(p, 0x20), end) { leave }
                let t := calldataload(p)
                p := add(p, 0x20)
                if gt(t, div(sub(end, p), 0xa0)) { leave }
                for { let k := 0 } lt(k, t) { k := add(k, 1) } {
                    if shr(160, calldataload(p)) { leave } // target
                    if iszero(limitOk(add(p, 0x40))) { leave } // valueLimit
                    zp := or(zp, zeroPeriodAt(add(p, 0x40)))
                    p := add(p, 0xa0)
                }
                len := sub(p, b)
            }
            let zp
            length, zp := specLength(spec, calldatasize())
            zeroPeriod := zp
        }
    }

    /// @dev `data[start:start + length]` without bounds checks; the caller guarantees
    /// `start + length <= data.length`.
    function slice(bytes calldata data, uint256 start, uint256 length) internal pure returns (bytes calldata s) {
        assembly ("memory-safe") {
            s.offset := add(data.offset, start)
            s.length := length
        }
    }

    /// @dev The 32-byte word of `data` at `pos`; the caller guarantees `pos + 32 <= data.length`.
    function word(bytes calldata data, uint256 pos) internal pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := calldataload(add(data.offset, pos))
        }
    }
}
