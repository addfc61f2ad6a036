/**
 * Draws Lubdub's tray and app icons and writes them as PNG into build/icons.
 * Pure Node (zlib), no image library: `npx tsx build/generate-icons.ts`.
 *
 * Tray icons, one per state, each a different *shape* so state never rests on colour alone:
 *   up = filled circle, late = triangle, down = octagon (stop sign), idle = ring,
 *   disconnected = ring with a slash.
 * Variants: `-light` (for light panels: darker colours), `-dark` (for dark panels: lighter
 * colours) and `Template` (black + alpha; macOS recolours it for its menu bar). Each at
 * 16 px and 32 px (`@2x`), the names Electron's nativeImage picks by scale factor.
 * App icon: 512 px, a heart with a pulse line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

/** The tray states that have an icon. */
export const TRAY_STATES = ['up', 'late', 'down', 'idle', 'disconnected'] as const;
/** The tray icon variants. */
export const TRAY_VARIANTS = ['light', 'dark', 'Template'] as const;
export type TrayState = (typeof TRAY_STATES)[number];
export type TrayVariant = (typeof TRAY_VARIANTS)[number];

type Rgb = [number, number, number];

const COLOURS: Record<'light' | 'dark', Record<TrayState, Rgb>> = {
  // light panels: saturated, darker tones
  light: { up: [0x1e, 0x8e, 0x3e], late: [0xd5, 0x6e, 0x00], down: [0xd9, 0x30, 0x25], idle: [0x5f, 0x63, 0x68], disconnected: [0x5f, 0x63, 0x68] },
  // dark panels: lighter tones
  dark: { up: [0x5b, 0xd1, 0x7a], late: [0xfb, 0xbc, 0x04], down: [0xff, 0x6b, 0x5e], idle: [0xc4, 0xc7, 0xcc], disconnected: [0xc4, 0xc7, 0xcc] },
};

// ---- PNG encoding ----

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 as PNG chunks use it. */
export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** An 8-bit RGBA PNG of `width`×`height` from row-major RGBA bytes. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Decodes a PNG written by `encodePng` (RGBA, filter 0) back to pixels; checks every CRC. */
export function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG');
  let off = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('ascii', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (crc32(png.subarray(off + 4, off + 8 + len)) !== png.readUInt32BE(off + 8 + len)) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 6) throw new Error('not 8-bit RGBA');
    } else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    if (raw[row] !== 0) throw new Error('unsupported PNG filter');
    rgba.set(raw.subarray(row + 1, row + 1 + width * 4), y * width * 4);
  }
  return { width, height, rgba };
}

// ---- drawing: shapes as "is this point inside?" in unit coordinates, supersampled ----

type Inside = (x: number, y: number) => boolean;

class Canvas {
  readonly rgba: Uint8Array;
  constructor(readonly size: number) {
    this.rgba = new Uint8Array(size * size * 4);
  }

  /** Composites `shape` (unit square coordinates, y down) in `rgb`, source-over, anti-aliased. */
  fill(shape: Inside, rgb: Rgb, ss = 4): void {
    const n = this.size;
    for (let py = 0; py < n; py++) {
      for (let px = 0; px < n; px++) {
        let hits = 0;
        for (let sy = 0; sy < ss; sy++) {
          for (let sx = 0; sx < ss; sx++) {
            if (shape((px + (sx + 0.5) / ss) / n, (py + (sy + 0.5) / ss) / n)) hits++;
          }
        }
        if (hits === 0) continue;
        const a = hits / (ss * ss);
        const i = (py * n + px) * 4;
        const da = this.rgba[i + 3] / 255;
        const oa = a + da * (1 - a);
        for (let k = 0; k < 3; k++) {
          this.rgba[i + k] = Math.round((rgb[k] * a + this.rgba[i + k] * da * (1 - a)) / oa);
        }
        this.rgba[i + 3] = Math.round(oa * 255);
      }
    }
  }
}

const circle = (cx: number, cy: number, r: number): Inside => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const ring = (cx: number, cy: number, r: number, w: number): Inside => (x, y) => {
  const d = Math.hypot(x - cx, y - cy);
  return d <= r && d >= r - w;
};
/** Distance from (x,y) to the segment a–b. */
function segDist(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}
const stroke = (pts: [number, number][], w: number): Inside => (x, y) => {
  for (let i = 1; i < pts.length; i++) if (segDist(x, y, pts[i - 1][0], pts[i - 1][1], pts[i][0], pts[i][1]) <= w / 2) return true;
  return false;
};
/** A convex polygon (points in order). */
const polygon = (pts: [number, number][]): Inside => (x, y) => {
  let sign = 0;
  for (let i = 0; i < pts.length; i++) {
    const [ax, ay] = pts[i];
    const [bx, by] = pts[(i + 1) % pts.length];
    const c = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    if (c !== 0) {
      if (sign === 0) sign = Math.sign(c);
      else if (Math.sign(c) !== sign) return false;
    }
  }
  return true;
};
const octagon = (cx: number, cy: number, r: number): [number, number][] =>
  Array.from({ length: 8 }, (_, i) => {
    const a = Math.PI / 8 + (i * Math.PI) / 4;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });

/** The shape of a tray state, in unit coordinates. */
function trayShape(state: TrayState): Inside {
  switch (state) {
    case 'up':
      return circle(0.5, 0.5, 0.4);
    case 'late':
      return polygon([
        [0.5, 0.06],
        [0.96, 0.9],
        [0.04, 0.9],
      ]);
    case 'down':
      return polygon(octagon(0.5, 0.5, 0.46));
    case 'idle':
      return ring(0.5, 0.5, 0.4, 0.13);
    case 'disconnected':
      return (x, y) =>
        ring(0.5, 0.5, 0.4, 0.13)(x, y) ||
        stroke(
          [
            [0.14, 0.86],
            [0.86, 0.14],
          ],
          0.13,
        )(x, y);
  }
}

/** RGBA pixels of one tray icon. */
export function renderTrayIcon(state: TrayState, variant: TrayVariant, size: number): Uint8Array {
  const c = new Canvas(size);
  const colour: Rgb = variant === 'Template' ? [0, 0, 0] : COLOURS[variant][state];
  c.fill(trayShape(state), colour);
  return c.rgba;
}

/** RGBA pixels of the app icon: a red heart with a white pulse line on a dark rounded square. */
export function renderAppIcon(size: number): Uint8Array {
  const c = new Canvas(size);
  const r = 0.18;
  const roundedSquare: Inside = (x, y) => {
    const m = 0.04;
    const qx = Math.max(Math.abs(x - 0.5) - (0.5 - m - r), 0);
    const qy = Math.max(Math.abs(y - 0.5) - (0.5 - m - r), 0);
    return qx * qx + qy * qy <= r * r;
  };
  c.fill(roundedSquare, [0x1f, 0x29, 0x33], 2);
  // Heart: a square turned 45° with two circles on its upper edges.
  const s = 0.36;
  const cx = 0.5;
  const cy = 0.6;
  const h = s / Math.SQRT2;
  const diamond = polygon([
    [cx, cy - h],
    [cx + h, cy],
    [cx, cy + h],
    [cx - h, cy],
  ]);
  const heart: Inside = (x, y) => diamond(x, y) || circle(cx - h / 2, cy - h / 2, s / 2)(x, y) || circle(cx + h / 2, cy - h / 2, s / 2)(x, y);
  c.fill(heart, [0xe5, 0x48, 0x4d], 2);
  c.fill(
    stroke(
      [
        [0.16, 0.52],
        [0.36, 0.52],
        [0.43, 0.38],
        [0.5, 0.7],
        [0.57, 0.46],
        [0.62, 0.52],
        [0.84, 0.52],
      ],
      0.045,
    ),
    [0xff, 0xff, 0xff],
    2,
  );
  return c.rgba;
}

/** Every icon file, relative to build/icons, with its PNG bytes. */
export function iconFiles(): { file: string; size: number; png: Buffer }[] {
  const out: { file: string; size: number; png: Buffer }[] = [];
  for (const state of TRAY_STATES) {
    for (const variant of TRAY_VARIANTS) {
      const base = variant === 'Template' ? `tray-${state}Template` : `tray-${state}-${variant}`;
      for (const [suffix, size] of [
        ['', 16],
        ['@2x', 32],
      ] as const) {
        out.push({ file: `tray/${base}${suffix}.png`, size, png: encodePng(size, size, renderTrayIcon(state, variant, size)) });
      }
    }
  }
  out.push({ file: 'icon.png', size: 512, png: encodePng(512, 512, renderAppIcon(512)) });
  return out;
}

/** The directory the icons are written to. */
export const ICONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'icons');

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  for (const { file, png } of iconFiles()) {
    const target = path.join(ICONS_DIR, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, png);
    console.log(`${path.relative(process.cwd(), target)}  ${png.length} bytes`);
  }
}
