{
  // ERC-7562 data collector for `debug_traceCall` of `EntryPoint.handleOps([op], beneficiary)`
  // (geth-style JavaScript tracer; anvil runs it). It records, for the validation phases only
  // (the factory's `createSender` call and the account's `validateUserOp`, each a direct call
  // of the EntryPoint), every opcode the rules restrict, every storage access with its slot,
  // every call and code access with its target, and the inputs of every KECCAK256 (to tell
  // which slots are associated with which address). `xtask/src/erc7562.rs` applies the rules.
  phase: null,
  depth: 0,
  lastOp: "",
  out: { events: [], keccak: [] },
  banned: {
    ORIGIN: 1, GASPRICE: 1, BLOCKHASH: 1, COINBASE: 1, TIMESTAMP: 1, NUMBER: 1, DIFFICULTY: 1, PREVRANDAO: 1,
    RANDOM: 1, GASLIMIT: 1, BASEFEE: 1, BLOBHASH: 1, BLOBBASEFEE: 1, CREATE: 1, INVALID: 1, SELFDESTRUCT: 1,
    BALANCE: 1, SELFBALANCE: 1,
  },
  calls: { CALL: 1, CALLCODE: 1, DELEGATECALL: 1, STATICCALL: 1 },
  word(log, i) {
    return "0x" + log.stack.peek(i).toString(16);
  },
  enter(frame) {
    this.depth += 1;
    if (this.depth === 1) {
      const selector = toHex(frame.getInput()).slice(0, 10);
      this.phase = selector === "0x570e1a36" ? "factory" : selector === "0x19822f7c" ? "account" : selector === "0x52b7512c" ? "paymaster" : null;
    }
    if (this.phase !== null && frame.getType() === "CREATE2") {
      this.out.events.push({ phase: this.phase, kind: "create2", address: toHex(frame.getFrom()), target: toHex(frame.getTo()) });
    }
  },
  exit(result) {
    this.depth -= 1;
    if (this.depth === 0) this.phase = null;
  },
  step(log, db) {
    const op = log.op.toString();
    if (this.lastOp === "GAS" && !this.calls[op]) {
      this.out.events.push({ phase: this.lastPhase, kind: "opcode", op: "GAS", address: this.lastAddress });
    }
    this.lastOp = "";
    if (this.phase === null || log.getDepth() < 2) return;
    const address = toHex(log.contract.getAddress());
    if (op === "GAS") {
      this.lastOp = op;
      this.lastPhase = this.phase;
      this.lastAddress = address;
      return;
    }
    if (op === "SLOAD" || op === "SSTORE" || op === "TLOAD" || op === "TSTORE") {
      this.out.events.push({ phase: this.phase, kind: "storage", op, address, slot: this.word(log, 0) });
    } else if (op === "KECCAK256" || op === "SHA3") {
      const offset = Number(log.stack.peek(0));
      const size = Number(log.stack.peek(1));
      if (size >= 32 && size <= 512) {
        try {
          this.out.keccak.push(toHex(log.memory.slice(offset, offset + size)));
        } catch (e) {}
      }
    } else if (this.calls[op]) {
      const value = op === "CALL" || op === "CALLCODE" ? this.word(log, 2) : "0x0";
      const inOffset = Number(log.stack.peek(op === "CALL" || op === "CALLCODE" ? 3 : 2));
      const inSize = Number(log.stack.peek(op === "CALL" || op === "CALLCODE" ? 4 : 3));
      // The selector and the first argument (what `depositTo` is for).
      let input = "0x";
      if (inSize > 0) {
        try {
          input = toHex(log.memory.slice(inOffset, inOffset + Math.min(inSize, 36)));
        } catch (e) {}
      }
      this.out.events.push({ phase: this.phase, kind: "call", op, address, target: this.word(log, 1), value, input });
    } else if (op === "EXTCODESIZE" || op === "EXTCODEHASH" || op === "EXTCODECOPY") {
      this.out.events.push({ phase: this.phase, kind: "code", op, address, target: this.word(log, 0) });
    }
    // Banned opcodes, and any opcode the node does not name (unassigned: OP-013).
    if (this.banned[op] || /^(opcode|UNKNOWN|0x)/i.test(op)) {
      this.out.events.push({ phase: this.phase, kind: "opcode", op, address });
    }
  },
  fault(log, db) {},
  result(ctx, db) {
    return this.out;
  }
}
