//! ERC-7579 execution encodings: the `execute(bytes32 mode, bytes executionCalldata)` call the
//! account receives from the EntryPoint.

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::{SolCall, SolValue};

use crate::abi::{Execution, IERC7579Execution};

/// Call type "single", exec type "default".
pub const MODE_SINGLE: B256 = B256::ZERO;

/// Call type "batch" (`0x01` in the first byte), exec type "default".
pub const MODE_BATCH: B256 = {
    let mut mode = [0u8; 32];
    mode[0] = 0x01;
    B256::new(mode)
};

/// One call the account makes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Call {
    /// The callee.
    pub to: Address,
    /// Wei sent with the call.
    pub value: U256,
    /// Calldata (empty for a plain transfer).
    pub data: Bytes,
}

/// `execute` calldata for one call: `abi.encodePacked(target, value, callData)`.
pub fn execute_single(call: &Call) -> Bytes {
    let mut packed = Vec::with_capacity(52 + call.data.len());
    packed.extend_from_slice(call.to.as_slice());
    packed.extend_from_slice(&call.value.to_be_bytes::<32>());
    packed.extend_from_slice(&call.data);
    IERC7579Execution::executeCall {
        mode: MODE_SINGLE,
        executionCalldata: packed.into(),
    }
    .abi_encode()
    .into()
}

/// `execute` calldata for an atomic batch: `abi.encode(Execution[])`.
pub fn execute_batch(calls: &[Call]) -> Bytes {
    let executions: Vec<Execution> = calls
        .iter()
        .map(|c| Execution {
            target: c.to,
            value: c.value,
            callData: c.data.clone(),
        })
        .collect();
    IERC7579Execution::executeCall {
        mode: MODE_BATCH,
        executionCalldata: executions.abi_encode().into(),
    }
    .abi_encode()
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, hex};

    #[test]
    fn single_call_is_selector_mode_and_packed_execution() {
        let call = Call {
            to: address!("00000000000000000000000000000000000000aa"),
            value: U256::from(5),
            data: Bytes::from_static(&[0xde, 0xad]),
        };
        let encoded = execute_single(&call);
        // execute(bytes32,bytes) selector
        assert_eq!(&encoded[..4], &hex!("e9ae5c53"));
        assert_eq!(&encoded[4..36], MODE_SINGLE.as_slice());
        let decoded = IERC7579Execution::executeCall::abi_decode(&encoded).unwrap();
        let packed = decoded.executionCalldata;
        assert_eq!(packed.len(), 20 + 32 + 2);
        assert_eq!(&packed[..20], call.to.as_slice());
        assert_eq!(U256::from_be_slice(&packed[20..52]), U256::from(5));
        assert_eq!(&packed[52..], &[0xde, 0xad]);
    }

    #[test]
    fn batch_round_trips_through_abi() {
        let calls = vec![
            Call {
                to: Address::repeat_byte(1),
                value: U256::from(1),
                data: Bytes::new(),
            },
            Call {
                to: Address::repeat_byte(2),
                value: U256::ZERO,
                data: Bytes::from_static(&[1, 2, 3, 4]),
            },
        ];
        let decoded = IERC7579Execution::executeCall::abi_decode(&execute_batch(&calls)).unwrap();
        assert_eq!(decoded.mode[0], 1);
        let executions = Vec::<Execution>::abi_decode(&decoded.executionCalldata).unwrap();
        assert_eq!(executions.len(), 2);
        assert_eq!(executions[1].callData.as_ref(), &[1, 2, 3, 4]);
    }
}
