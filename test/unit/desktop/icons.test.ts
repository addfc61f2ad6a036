import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, ICONS_DIR, iconFiles, renderTrayIcon, TRAY_STATES } from '../../../build/generate-icons.js';
import { appIconFile, trayIconFile } from '../../../electron/app/icons.js';

describe('icons', () => {
  const files = iconFiles();

  it('every committed icon is what the generator draws (run `npm run icons` after changing it)', () => {
    for (const f of files) {
      const committed = decodePng(fs.readFileSync(path.join(ICONS_DIR, f.file)));
      const drawn = decodePng(f.png);
      expect({ file: f.file, w: committed.width, h: committed.height }).toEqual({ file: f.file, w: f.size, h: f.size });
      expect(Buffer.from(committed.rgba).equals(Buffer.from(drawn.rgba)), f.file).toBe(true);
    }
  });

  it('5 states × (light, dark, Template) × (16 px, 32 px @2x) + a 512 px app icon', () => {
    expect(files).toHaveLength(5 * 3 * 2 + 1);
    expect(files.find((f) => f.file === 'icon.png')?.size).toBe(512);
    expect(files.filter((f) => f.file.endsWith('@2x.png')).every((f) => f.size === 32)).toBe(true);
  });

  it('the shell asks only for files that exist, with their @2x sibling', () => {
    for (const state of [...TRAY_STATES]) {
      for (const [platform, dark] of [
        ['linux', false],
        ['linux', true],
        ['win32', false],
        ['darwin', false],
      ] as const) {
        const p = trayIconFile(ICONS_DIR, state, platform, dark);
        expect(fs.existsSync(p), p).toBe(true);
        expect(fs.existsSync(p.replace(/\.png$/, '@2x.png')), p).toBe(true);
      }
    }
    expect(fs.existsSync(appIconFile(ICONS_DIR))).toBe(true);
  });

  it('each state has its own shape (state is never colour alone): template alpha masks all differ', () => {
    const masks = TRAY_STATES.map((s) => Buffer.from(renderTrayIcon(s, 'Template', 32).filter((_, i) => i % 4 === 3)).toString('hex'));
    expect(new Set(masks).size).toBe(TRAY_STATES.length);
  });

  it('template images are black with alpha (macOS recolours them)', () => {
    const px = renderTrayIcon('down', 'Template', 16);
    for (let i = 0; i < px.length; i += 4) expect([px[i], px[i + 1], px[i + 2]]).toEqual([0, 0, 0]);
    expect(px.some((_, i) => i % 4 === 3 && px[i] === 255)).toBe(true);
  });

  it('PNG encode/decode round-trips and a corrupted chunk is detected', () => {
    const rgba = new Uint8Array(3 * 2 * 4).map((_, i) => (i * 37) % 256);
    const png = encodePng(3, 2, rgba);
    expect(decodePng(png)).toEqual({ width: 3, height: 2, rgba });
    png[40] ^= 0xff;
    expect(() => decodePng(png)).toThrow(/CRC/);
  });
});
