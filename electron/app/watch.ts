import { DEFAULT_SHARE_PORT } from '../../shared/api/office.js';
import { urlHost } from '../../shared/domain/ping-url.js';
import type { FoundLubdub } from './discover.js';
import type { Paired, PairingPrompt } from './office.js';
import { PairingError } from './office.js';
import type { Prompt } from './prompt.js';
import type { WatchMenuState } from './tray-model.js';

/** How long "Find on this network…" listens for announcements. */
export const FIND_WAIT_MS = 3000;

/**
 * The share port URL a typed address means: `host`, `host:port`, `[v6]:port`, or an
 * https URL; the share port is 8422 unless given. A string is what is wrong with it.
 */
export function shareUrlOf(input: string): string | { error: string } {
  const raw = input.trim();
  if (!raw) return { error: 'Type the address of the computer that runs the office Lubdub.' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    return { error: `"${raw.slice(0, 100)}" is not a host name or address.` };
  }
  if (u.protocol !== 'https:') return { error: 'Office mode pairs over https only: type the host (and its share port).' };
  if (u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || !u.hostname) {
    return { error: 'Only a host and a port, e.g. nas.local or 192.168.1.20:8422.' };
  }
  return `https://${u.host}${u.port ? '' : `:${DEFAULT_SHARE_PORT}`}`;
}

/** Where to pair with a Lubdub the search found: its address (the LAN may not resolve `.local`), its share port. */
export function shareUrlOfFound(f: FoundLubdub): string | null {
  if (f.sharePort === null) return null;
  const addr = f.addresses.find((a) => !a.includes(':')) ?? f.addresses.find((a) => !/^fe[89ab]/i.test(a)) ?? f.host;
  return `https://${urlHost(addr)}:${f.sharePort}`;
}

/** What the Watch menu's flows need from the shell. */
export interface WatchContext {
  prompt: Prompt;
  /** this desk's name in pairing requests */
  deskName: string;
  /** browses the LAN for Lubdubs (discover.ts; tests inject one) */
  find: () => Promise<FoundLubdub[]>;
  /** office.ts `pair()` */
  pair: (url: string, deskName: string, askCode: (p: PairingPrompt) => Promise<string>) => Promise<Paired>;
  /** stores the paired target with its pinned certificate and watches it */
  watchPaired: (p: Paired) => void;
  /** the menu's state changed: redraw the tray */
  changed: () => void;
  /** the search ended: show the menu with its results (a menu closes when its item is clicked) */
  showResults: () => void;
  /** "14:05" for a time (the lockout's end) */
  timeOfDay: (at: number) => string;
}

/** The user closed the prompt. */
class Cancelled extends Error {}

/**
 * Tray → Watch: "Find on this network…" (lists what mDNS found), "Enter an address…", and
 * pairing with the six-digit code in the prompt window. A wrong code says so and asks for
 * the new one the server shows; the lockout after too many is shown, not retried. On
 * success the desk stores the device key and the pinned certificate and watches the office
 * Lubdub.
 */
export class WatchMenu {
  private searching = false;
  private found: FoundLubdub[] | null = null;
  private pairing = false;

  constructor(private readonly ctx: WatchContext) {}

  /** What the tray's Watch menu shows. */
  state(): WatchMenuState {
    return {
      searching: this.searching,
      pairing: this.pairing,
      found: this.found?.map((f) => ({ id: f.instance || f.name, name: f.name, host: f.host, shared: f.sharePort !== null })) ?? null,
    };
  }

  /** "Find on this network…": browses for a few seconds; the menu lists the results. */
  async find(): Promise<void> {
    if (this.searching || this.pairing) return;
    this.searching = true;
    this.ctx.changed();
    try {
      this.found = await this.ctx.find();
    } catch {
      this.found = [];
    } finally {
      this.searching = false;
      this.ctx.changed();
    }
    this.ctx.showResults();
  }

  /** A Lubdub from the search results was chosen. */
  async choose(id: string): Promise<boolean> {
    const f = this.found?.find((x) => (x.instance || x.name) === id);
    const url = f ? shareUrlOfFound(f) : null;
    if (!f || !url) return false;
    return this.pairWith(url, f.name);
  }

  /** "Enter an address…": asks for host[:port], then pairs. */
  async enterAddress(): Promise<boolean> {
    if (this.pairing) return false;
    let error: string | undefined;
    let value = '';
    for (;;) {
      const typed = await this.ctx.prompt.ask({
        title: 'Watch another Lubdub',
        message: `The address of the computer that runs it, with its share port if not ${DEFAULT_SHARE_PORT} (Settings → Office mode there shows it).`,
        error,
        field: { label: 'Address', kind: 'address', value },
        submit: 'Continue',
      });
      if (typed === null) {
        this.ctx.prompt.close();
        return false;
      }
      const url = shareUrlOf(typed);
      if (typeof url === 'string') return this.pairWith(url, new URL(url).host);
      error = url.error;
      value = typed;
    }
  }

  /** Pairs with the share port at `url`, asking for the code until it is right, cancelled or locked. */
  async pairWith(url: string, label: string): Promise<boolean> {
    if (this.pairing) return false;
    this.pairing = true;
    this.ctx.changed();
    const { prompt } = this.ctx;
    let error: string | undefined;
    try {
      for (;;) {
        let asked = false;
        try {
          const paired = await this.ctx.pair(url, this.ctx.deskName, async (p) => {
            asked = true;
            const code = await prompt.ask({
              title: `Pair with ${label}`,
              message: `${label} now shows a six-digit code with this computer's name ("${this.ctx.deskName}"), in a notification and in Settings → Office mode. Type it here within 2 minutes. Its certificate: ${p.fingerprint.slice(0, 23)}…`,
              error,
              field: { label: 'Code', kind: 'code' },
              submit: 'Pair',
            });
            if (code === null) throw new Cancelled();
            return code;
          });
          prompt.close();
          this.ctx.watchPaired(paired);
          return true;
        } catch (e) {
          if (e instanceof Cancelled) return false;
          const locked = e instanceof PairingError && e.status === 429;
          if (locked) {
            const until = /until (\S+)/.exec(e.message)?.[1];
            const at = until ? Date.parse(until) : NaN;
            await prompt.ask({
              title: `Pairing with ${label} is locked`,
              message: `Too many wrong codes: ${label} refuses pairing${Number.isFinite(at) ? ` until ${this.ctx.timeOfDay(at)}` : ' for 10 minutes'}. Try again then.`,
              submit: 'Close',
            });
            return false;
          }
          const why = (e as Error).message;
          if (asked) {
            // The server ended that request: the next one shows a new code.
            error = `Not paired: ${why}. ${label} shows a new code now; type that one.`;
            continue;
          }
          const again = await prompt.ask({ title: `Could not pair with ${label}`, message: `${url} answered: ${why}`, error: 'Is sharing on there (Settings → Office mode)?', submit: 'Try again', cancel: true });
          if (again === null) return false;
          error = undefined;
        }
      }
    } finally {
      prompt.close();
      this.pairing = false;
      this.ctx.changed();
    }
  }
}
