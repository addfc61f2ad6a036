import { describe, expect, it } from 'vitest';
import { wrappedCronLine, wrapperInstallLines } from '../../shared/api/wrapper.js';

describe('wrapper install lines', () => {
  it('gives the curl and the wget install of /wrap.sh from the ping base URL', () => {
    expect(wrapperInstallLines('http://nas.local:8420/')).toEqual({
      curl: 'curl -fsS http://nas.local:8420/wrap.sh -o /usr/local/bin/lubdub-run && chmod +x /usr/local/bin/lubdub-run',
      wget: 'wget -q -O /usr/local/bin/lubdub-run http://nas.local:8420/wrap.sh && chmod +x /usr/local/bin/lubdub-run',
    });
  });

  it('installs elsewhere when asked (a NAS whose /usr is read-only)', () => {
    expect(wrapperInstallLines('http://nas.local:8420', '/opt/bin/lubdub-run').wget).toBe(
      'wget -q -O /opt/bin/lubdub-run http://nas.local:8420/wrap.sh && chmod +x /opt/bin/lubdub-run',
    );
  });

  it('quotes a URL or destination a shell would interpret', () => {
    expect(wrapperInstallLines("http://x:1/a'b;id", '/opt/my bin/lubdub-run').curl).toBe(
      "curl -fsS 'http://x:1/a'\\''b;id/wrap.sh' -o '/opt/my bin/lubdub-run' && chmod +x '/opt/my bin/lubdub-run'",
    );
    expect(wrappedCronLine('0 3 * * *', 'http://x:1/$(id)', 'job')).toBe("0 3 * * * /usr/local/bin/lubdub-run 'http://x:1/$(id)' -- job");
  });

  it('wraps a crontab command behind lubdub-run with a normalised schedule', () => {
    expect(wrappedCronLine(' 30  2 * * *', 'http://nas.local:8420/ping/abc', '/usr/local/bin/backup.sh')).toBe(
      '30 2 * * * /usr/local/bin/lubdub-run http://nas.local:8420/ping/abc -- /usr/local/bin/backup.sh',
    );
  });
});

describe('docs/wrapper.md "Wrapping a job"', () => {
  it('shows the same install lines the console offers', async () => {
    const fs = await import('node:fs');
    const readme = fs.readFileSync(new URL('../../docs/wrapper.md', import.meta.url), 'utf8');
    // the page's <host> placeholder would be quoted as a value: build with a plain host, then show the placeholder
    const lines = wrapperInstallLines('http://HOST:8420');
    lines.curl = lines.curl.replace('HOST', '<host>');
    lines.wget = lines.wget.replace('HOST', '<host>');
    expect(readme).toMatch(/^# Wrapping a job$/m);
    expect(readme).toContain(lines.curl);
    expect(readme).toContain(lines.wget);
  });
});
