// SSO Wallet inpage provider (MAIN world, document_start).
// An EIP-1193 provider announced with EIP-6963. It holds no state the wallet trusts: every
// request goes through the content script to the background, which takes the origin from
// Chrome, never from here. Kept small and dependency-free: the page's CSP applies to it.
(() => {
  "use strict";
  if (window.__ssoWalletInjected) return;
  Object.defineProperty(window, "__ssoWalletInjected", { value: true });

  const TO_CONTENT = "sso-wallet:to-content";
  const TO_PAGE = "sso-wallet:to-page";
  const ICON =
    "data:image/svg+xml;base64," +
    btoa(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 128 128"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#5b5bf7"/><stop offset="1" stop-color="#8f3cf0"/></linearGradient></defs><rect width="128" height="128" rx="28" fill="url(#g)"/><circle cx="50" cy="58" r="22" fill="none" stroke="#fff" stroke-width="10"/><path d="M66 74l30 30M84 92l10-10M76 84l8-8" stroke="#fff" stroke-width="10" stroke-linecap="round" fill="none"/></svg>',
    );

  class ProviderRpcError extends Error {
    constructor(code, message, data) {
      super(message);
      this.code = code;
      if (data !== undefined) this.data = data;
    }
  }

  const pending = new Map();
  const listeners = new Map();
  let nextId = 1;
  let chainId = null;
  let connected = false;
  let subscribed = false;

  function emit(event, payload) {
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        listener(payload);
      } catch (e) {
        console.error(e);
      }
    }
  }

  function noteChain(id) {
    if (typeof id !== "string") return;
    if (!connected) {
      connected = true;
      chainId = id;
      emit("connect", { chainId: id });
    } else if (id !== chainId) {
      chainId = id;
      emit("chainChanged", id);
    }
  }

  window.addEventListener("message", (event) => {
    if (event.source !== window || event.origin !== location.origin) return;
    const msg = event.data;
    if (!msg || msg.target !== TO_PAGE) return;
    const { payload } = msg;
    if (payload && typeof payload.event === "string") {
      if (payload.event === "chainChanged") noteChain(payload.data);
      else emit(payload.event, payload.data);
      return;
    }
    const entry = pending.get(payload?.id);
    if (!entry) return;
    pending.delete(payload.id);
    if (payload.error) {
      const { code, message, data } = payload.error;
      entry.reject(new ProviderRpcError(code, message, data));
    } else {
      if (entry.method === "eth_chainId") noteChain(payload.result);
      entry.resolve(payload.result);
    }
  });

  function send(method, params) {
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject, method });
      window.postMessage({ target: TO_CONTENT, payload: { id, method, params } }, location.origin);
    });
  }

  const provider = {
    isSsoWallet: true,
    request(args) {
      if (!args || typeof args !== "object" || Array.isArray(args)) {
        return Promise.reject(new ProviderRpcError(-32602, "request() expects an object {method, params}"));
      }
      const { method, params } = args;
      if (typeof method !== "string" || method.length === 0) {
        return Promise.reject(new ProviderRpcError(-32602, "method must be a non-empty string"));
      }
      if (params !== undefined && (params === null || typeof params !== "object")) {
        return Promise.reject(new ProviderRpcError(-32602, "params must be an array or an object"));
      }
      let cloned;
      try {
        // Structured-clonable, JSON-shaped params only (no functions, no prototypes).
        cloned = params === undefined ? undefined : JSON.parse(JSON.stringify(params));
      } catch {
        return Promise.reject(new ProviderRpcError(-32602, "params must be JSON-serialisable"));
      }
      const answer = send(method, cloned);
      if (!connected && method !== "eth_chainId") {
        // First contact: learn the chain so `connect` fires.
        answer.finally(() => send("eth_chainId").catch(() => {}));
      }
      return answer;
    },
    on(event, listener) {
      if (typeof listener !== "function") return provider;
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(listener);
      // A page that listens must be reachable: the first subscription opens the channel (and
      // learns the chain, so `connect` fires) even if the page never sent a request.
      if (!connected && !subscribed) {
        subscribed = true;
        send("eth_chainId").catch(() => {});
      }
      return provider;
    },
    removeListener(event, listener) {
      listeners.get(event)?.delete(listener);
      return provider;
    },
    isConnected() {
      return connected;
    },
  };
  provider.addListener = provider.on;
  provider.off = provider.removeListener;
  Object.freeze(provider);

  if (!("ethereum" in window)) {
    Object.defineProperty(window, "ethereum", { value: provider, configurable: true, enumerable: true });
  }

  const info = Object.freeze({
    uuid: crypto.randomUUID(),
    name: "SSO Wallet",
    icon: ICON,
    rdns: "dev.ssowallet",
  });
  const announce = () =>
    window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();
