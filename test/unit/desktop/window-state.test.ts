import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureWindowState, DEFAULT_WINDOW, restoreWindowState, WindowStateFile, type Rect } from '../../../electron/app/window-state.js';
import { tempDir } from '../../helpers/serve.js';

const FHD: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
const RIGHT: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };
const LAPTOP: Rect = { x: 0, y: 25, width: 1280, height: 775 };

describe('restoreWindowState', () => {
  it.each<[string, unknown, Rect[], ReturnType<typeof restoreWindowState>]>([
    ['nothing saved: default size, OS centres it', undefined, [FHD], { width: 1100, height: 760, maximized: false }],
    ['junk saved: default', 'garbage', [FHD], { width: 1100, height: 760, maximized: false }],
    ['NaN and strings: default size', { x: 'a', y: NaN, width: '800', height: null }, [FHD], { width: 1100, height: 760, maximized: false }],
    ['a saved place on the screen is kept', { x: 200, y: 100, width: 900, height: 700, maximized: false }, [FHD], { x: 200, y: 100, width: 900, height: 700, maximized: false }],
    ['maximized is kept', { x: 0, y: 0, width: 900, height: 700, maximized: true }, [FHD], { x: 0, y: 0, width: 900, height: 700, maximized: true }],
    ['on the second monitor, still plugged in', { x: 2500, y: 300, width: 1000, height: 800 }, [FHD, RIGHT], { x: 2500, y: 300, width: 1000, height: 800, maximized: false }],
    ['second monitor unplugged: size kept, place dropped', { x: 2500, y: 300, width: 1000, height: 800 }, [FHD], { width: 1000, height: 800, maximized: false }],
    ['title bar above the screen: place dropped', { x: 100, y: -500, width: 800, height: 600 }, [FHD], { width: 800, height: 600, maximized: false }],
    ['only a sliver on screen: place dropped', { x: 1900, y: 100, width: 800, height: 600 }, [FHD], { width: 800, height: 600, maximized: false }],
    ['hanging off the right edge but grabbable: pulled inside', { x: 1500, y: 100, width: 800, height: 600 }, [FHD], { x: 1120, y: 100, width: 800, height: 600, maximized: false }],
    ['bigger than the laptop screen now: shrunk to it', { x: 0, y: 25, width: 1900, height: 1000 }, [LAPTOP], { x: 0, y: 25, width: 1280, height: 775, maximized: false }],
    ['tiny saved size: raised to the minimum', { x: 10, y: 10, width: 50, height: 20 }, [FHD], { x: 10, y: 10, width: 480, height: 360, maximized: false }],
    ['negative-coordinate monitor on the left', { x: -1500, y: 200, width: 900, height: 700 }, [FHD, { x: -1920, y: 0, width: 1920, height: 1080 }], { x: -1500, y: 200, width: 900, height: 700, maximized: false }],
    ['no displays reported: keep what was saved', { width: 900, height: 700 }, [], { width: 900, height: 700, maximized: false }],
  ])('%s', (_name, saved, areas, want) => {
    expect(restoreWindowState(saved, areas)).toEqual(want);
  });

  it('defaults can differ per window', () => {
    expect(restoreWindowState(undefined, [FHD], { width: 720, height: 820, maximized: false })).toEqual({ width: 720, height: 820, maximized: false });
  });

  it('capture → restore on the same screen is the identity', () => {
    const s = captureWindowState({ x: 321, y: 123, width: 1000, height: 700 }, true);
    expect(restoreWindowState(JSON.parse(JSON.stringify(s)), [FHD])).toEqual(s);
  });
});

describe('WindowStateFile', () => {
  it('writes and reads back; a corrupt file reads as nothing', () => {
    const dir = tempDir();
    const f = new WindowStateFile(dir, 'console');
    expect(f.read()).toBeUndefined();
    f.write({ ...DEFAULT_WINDOW, x: 5, y: 6 });
    expect(f.read()).toEqual({ ...DEFAULT_WINDOW, x: 5, y: 6 });
    fs.writeFileSync(f.file, '{"width": 9');
    expect(f.read()).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual(['window-console.json']);
  });
});
