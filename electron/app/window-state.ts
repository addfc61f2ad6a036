import fs from 'node:fs';
import path from 'node:path';

/** A rectangle in screen coordinates (DIP). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A window's size and place as remembered between runs; no x/y = let the OS centre it. */
export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

/** Size of the console window on first start. */
export const DEFAULT_WINDOW: WindowState = { width: 1100, height: 760, maximized: false };
/** Smallest console window the layout works in. */
export const MIN_WINDOW = { width: 480, height: 360 };
/** How much of the title bar must be on a screen for the window to be grabbable. */
const GRAB = { width: 64, height: 32 };

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 1e6;
}

function overlap(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const w = Math.min(a.x + a.width, b.x + b.width) - x;
  const h = Math.min(a.y + a.height, b.y + b.height) - y;
  return w > 0 && h > 0 ? { x, y, width: w, height: h } : null;
}

/**
 * Where to open a window given what was saved and the screens' work areas now. A saved
 * place is kept only if enough of its title bar lands on a screen to grab it (monitors are
 * unplugged, resolutions change); the window is then clamped into that screen. Otherwise
 * the size is kept and the position dropped, so the OS centres it. Junk in the file gives
 * the default.
 */
export function restoreWindowState(saved: unknown, workAreas: Rect[], defaults: WindowState = DEFAULT_WINDOW, min: { width: number; height: number } = MIN_WINDOW): WindowState {
  const s = (saved && typeof saved === 'object' ? saved : {}) as Record<string, unknown>;
  const maximized = s.maximized === true;
  let width = isInt(s.width) ? Math.round(s.width) : defaults.width;
  let height = isInt(s.height) ? Math.round(s.height) : defaults.height;
  width = Math.max(min.width, width);
  height = Math.max(min.height, height);
  const largest = workAreas.reduce((m, a) => ({ width: Math.max(m.width, a.width), height: Math.max(m.height, a.height) }), { width: 0, height: 0 });
  if (largest.width > 0) width = Math.min(width, Math.max(min.width, largest.width));
  if (largest.height > 0) height = Math.min(height, Math.max(min.height, largest.height));
  if (!isInt(s.x) || !isInt(s.y)) return { width, height, maximized };

  const x = Math.round(s.x);
  const y = Math.round(s.y);
  const titleBar: Rect = { x, y, width, height: GRAB.height };
  const area = workAreas.find((a) => {
    const o = overlap(titleBar, a);
    return o !== null && o.width >= Math.min(GRAB.width, width) && o.height >= Math.min(GRAB.height, a.height);
  });
  if (!area) return { width, height, maximized };
  const w = Math.min(width, Math.max(min.width, area.width));
  const h = Math.min(height, Math.max(min.height, area.height));
  const cx = Math.min(Math.max(x, area.x), area.x + area.width - w);
  const cy = Math.min(Math.max(y, area.y), area.y + area.height - h);
  return { x: cx, y: cy, width: w, height: h, maximized };
}

/** What to remember of a window: its normal (un-maximized) bounds and whether it was maximized. */
export function captureWindowState(normalBounds: Rect, maximized: boolean): WindowState {
  return { x: normalBounds.x, y: normalBounds.y, width: normalBounds.width, height: normalBounds.height, maximized };
}

/** The window-state file of one window kind in userData. */
export class WindowStateFile {
  constructor(
    private readonly dir: string,
    private readonly name: string,
  ) {}

  get file(): string {
    return path.join(this.dir, `window-${this.name}.json`);
  }

  /** The saved state, or undefined. */
  read(): unknown {
    try {
      return JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Saves atomically (a crash mid-write leaves the old file, never half a JSON). */
  write(state: WindowState): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, this.file);
  }
}
