/**
 * The prompt window's preload ("Enter an address…", the pairing code). The page has no
 * script at all; this preload, in its isolated world, wires the page's form to the one
 * prompt channel and exposes nothing to the page. Self-contained like preload.cts: it
 * imports nothing but `electron`, the channel name checked at compile time.
 */
import electron = require('electron');
import type { PromptAnswer, PromptChannel } from '../app/ipc.js' with { 'resolution-mode': 'import' };

const CHANNEL = 'lubdub:prompt-answer' as const satisfies PromptChannel;

// The DOM as far as this file uses it (the shell's tsconfig has no DOM library).
interface Ev {
  key?: string;
  preventDefault(): void;
}
interface El {
  value?: string;
  addEventListener(type: string, f: (e: Ev) => void): void;
}
interface Doc {
  getElementById(id: string): El | null;
  addEventListener(type: string, f: (e: Ev) => void): void;
}
const doc = (globalThis as unknown as { document: Doc }).document;

let sent = false;
function send(answer: PromptAnswer): void {
  if (sent) return;
  sent = true;
  void electron.ipcRenderer.invoke(CHANNEL, answer).catch(() => (sent = false));
}

doc.addEventListener('DOMContentLoaded', () => {
  const input = doc.getElementById('answer');
  doc.getElementById('prompt')?.addEventListener('submit', (e) => {
    e.preventDefault();
    send({ value: input ? String(input.value ?? '') : '' });
  });
  doc.getElementById('cancel')?.addEventListener('click', () => send({ value: null }));
  doc.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') send({ value: null });
  });
});
