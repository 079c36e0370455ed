// Demo dapp: finds SSO Wallet through EIP-6963 (mipd), connects, shows the account and its
// balance, and sends ETH with viem — the way any dapp would. `window.dapp` exposes the same
// objects (and an ethers v6 BrowserProvider and a web3.js v4 instance) to the end-to-end tests.
import { BrowserProvider } from "ethers";
import { Web3 } from "web3";
import { createStore } from "mipd";
import { createPublicClient, createWalletClient, custom, formatEther, parseEther } from "viem";

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const store = createStore();
const dapp = { store, provider: null, info: null, wallet: null, public: null, ethers: null, web3: null, address: null };
window.dapp = dapp;

function showError(e) {
  $("dapp-error").textContent = e ? `${e.code ?? ""} ${e.shortMessage ?? e.message ?? e}`.trim() : "";
}

async function refresh() {
  if (!dapp.address) return;
  const [chainId, balance] = await Promise.all([dapp.public.getChainId(), dapp.public.getBalance({ address: dapp.address })]);
  $("dapp-chain").textContent = String(chainId);
  $("dapp-balance").textContent = `${formatEther(balance)} ETH`;
}

function useWallet(detail) {
  if (dapp.provider || detail.info.rdns !== "dev.ssowallet") return;
  dapp.provider = detail.provider;
  dapp.info = detail.info;
  dapp.wallet = createWalletClient({ transport: custom(detail.provider) });
  dapp.public = createPublicClient({ transport: custom(detail.provider) });
  dapp.ethers = new BrowserProvider(detail.provider);
  dapp.web3 = new Web3(detail.provider);
  $("dapp-wallet").textContent = detail.info.name;
  $("dapp-wallet-icon").src = detail.info.icon;
  $("dapp-connect").disabled = false;
  detail.provider.on("accountsChanged", (accounts) => {
    dapp.address = accounts[0] ?? null;
    $("dapp-address").textContent = dapp.address ?? "—";
    $("dapp-send").disabled = !dapp.address;
    refresh().catch(showError);
  });
}

store.getProviders().forEach(useWallet);
store.subscribe((providers) => providers.forEach(useWallet));

$("dapp-connect").addEventListener("click", async () => {
  showError(null);
  try {
    const [address] = await dapp.wallet.requestAddresses();
    dapp.address = address;
    $("dapp-address").textContent = address;
    $("dapp-send").disabled = false;
    await refresh();
  } catch (e) {
    showError(e);
  }
});

$("dapp-send").addEventListener("click", async () => {
  showError(null);
  $("dapp-send").disabled = true;
  try {
    const hash = await dapp.wallet.sendTransaction({
      account: dapp.address,
      chain: null,
      to: $("dapp-to").value.trim(),
      value: parseEther($("dapp-amount").value.trim()),
    });
    $("dapp-tx-hash").textContent = hash;
    await refresh();
  } catch (e) {
    showError(e);
  } finally {
    $("dapp-send").disabled = false;
  }
});
