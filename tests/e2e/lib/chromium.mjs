// Launching Debian Chromium headless with an unpacked extension, the one way every script here
// does it (the flags keep Chromium off the closed network).
import { chromium } from "playwright-core";

/**
 * The CDP virtual authenticator every script uses: a platform authenticator (ctap2, internal)
 * with resident keys and user verification, answering without a prompt.
 */
export const AUTHENTICATOR = {
  protocol: "ctap2",
  transport: "internal",
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
};

/** Launches a persistent context with `extension` loaded; returns it with the extension id. */
export async function launchWithExtension({ profile, extension, executablePath, extraArgs = [] }) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      `--disable-extensions-except=${extension}`,
      `--load-extension=${extension}`,
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  });
  try {
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker"));
    return { context, extensionId: new URL(worker.url()).host };
  } catch (e) {
    await context.close().catch(() => {});
    throw e;
  }
}
