/** The service's V8 flags have one owner; the two places that cannot import it must match it. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_NODE_FLAGS } from '../../electron/service/node-flags.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('service node flags', () => {
  it('npm run serve starts node with exactly SERVICE_NODE_FLAGS', () => {
    const serve: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.serve;
    const words = serve.split('&&').at(-1)!.trim().split(/\s+/);
    expect(words.slice(1, 1 + SERVICE_NODE_FLAGS.length)).toEqual(SERVICE_NODE_FLAGS);
    expect(words[1 + SERVICE_NODE_FLAGS.length]).toMatch(/cli\.js$/);
  });

  it("the lubdub script's #! line carries exactly SERVICE_NODE_FLAGS", () => {
    const first = fs.readFileSync(path.join(ROOT, 'electron/service/cli.ts'), 'utf8').split('\n')[0];
    expect(first).toBe(`#!/usr/bin/env -S node ${SERVICE_NODE_FLAGS.join(' ')}`);
  });
});
