// SSO Wallet content relay (ISOLATED world). A dumb pipe between the page's provider and the
// background: it checks shape and size, adds nothing the background trusts (the background reads
// the origin from the port's sender), and reconnects when the service worker restarted.
(() => {
  "use strict";
  const TO_CONTENT = "sso-wallet:to-content";
  const TO_PAGE = "sso-wallet:to-page";
  const MAX_BYTES = 256 * 1024;
  // This document's id: the background answers by it, so an answer finds the page again on a
  // new port after the service worker restarted.
  const PAGE_ID = crypto.randomUUID();
  let port = null;
  const inFlight = new Set();
  // Reconnects in quick succession (the port died within a second); bounded, so a worker that
  // cannot start never makes the page spin. A port that lived longer (an idle stop) starts over.
  let reconnects = 0;
  const MAX_RECONNECTS = 5;

  function toPage(payload) {
    window.postMessage({ target: TO_PAGE, payload }, location.origin);
  }

  function connect() {
    if (port) return port;
    port = chrome.runtime.connect({ name: `provider:${PAGE_ID}` });
    const openedAt = Date.now();
    port.onMessage.addListener((payload) => {
      // An approval's answer can come twice (the background sends it again on `resume`, in case
      // the first went to a port that had already failed on this side): the first one counts.
      if (payload && typeof payload.id === "number" && !inFlight.delete(payload.id)) return;
      toPage(payload);
    });
    port.onDisconnect.addListener(() => {
      port = null;
      // The worker stopped. Requests waiting for the user survive it (the background keeps them
      // in chrome.storage.session): reconnect at once and say which ids are still open; the
      // background answers 4900 for those it lost, and the rest when the user decides.
      if (inFlight.size === 0) return;
      if (Date.now() - openedAt > 1000) reconnects = 0;
      const giveUp = () => {
        for (const id of inFlight) {
          toPage({ id, error: { code: 4900, message: "SSO Wallet is unavailable; please retry." } });
        }
        inFlight.clear();
        reconnects = 0;
      };
      if (++reconnects > MAX_RECONNECTS) return giveUp();
      setTimeout(() => {
        try {
          connect().postMessage({ resume: [...inFlight] });
        } catch {
          giveUp();
        }
      }, 50 * reconnects);
    });
    return port;
  }

  window.addEventListener("message", (event) => {
    if (event.source !== window || event.origin !== location.origin) return;
    const msg = event.data;
    if (!msg || msg.target !== TO_CONTENT) return;
    const p = msg.payload;
    if (!p || typeof p !== "object" || !Number.isSafeInteger(p.id) || typeof p.method !== "string") return;
    let size;
    try {
      size = JSON.stringify(p).length;
    } catch {
      size = Infinity;
    }
    if (size > MAX_BYTES) {
      toPage({ id: p.id, error: { code: -32602, message: `request is larger than ${MAX_BYTES} bytes` } });
      return;
    }
    inFlight.add(p.id);
    try {
      connect().postMessage({ id: p.id, method: p.method, params: p.params });
    } catch {
      // The port died between checks (worker restart): reconnect once.
      port = null;
      connect().postMessage({ id: p.id, method: p.method, params: p.params });
    }
  });
})();
