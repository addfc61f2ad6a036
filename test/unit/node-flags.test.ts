/** The service's V8 flags have one owner; the two places that cannot import it must match it. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_ENV, SERVICE_NODE_FLAGS } from '../../electron/service/node-flags.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('service node flags', () => {
  const envWords = Object.entries(SERVICE_ENV).map(([k, v]) => `${k}=${v}`);

  it('npm run serve starts node with exactly SERVICE_ENV and SERVICE_NODE_FLAGS', () => {
    const serve: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.serve;
    const words = serve.split('&&').at(-1)!.trim().split(/\s+/);
    expect(words.slice(0, envWords.length)).toEqual(envWords);
    const node = words.slice(envWords.length);
    expect(node[0]).toBe('node');
    expect(node.slice(1, 1 + SERVICE_NODE_FLAGS.length)).toEqual(SERVICE_NODE_FLAGS);
    expect(node[1 + SERVICE_NODE_FLAGS.length]).toMatch(/cli\.js$/);
  });

  it("the lubdub script's #! line carries exactly SERVICE_ENV and SERVICE_NODE_FLAGS", () => {
    const first = fs.readFileSync(path.join(ROOT, 'electron/service/cli.ts'), 'utf8').split('\n')[0];
    expect(first).toBe(`#!/usr/bin/env -S ${[...envWords, 'node', ...SERVICE_NODE_FLAGS].join(' ')}`);
  });
});
