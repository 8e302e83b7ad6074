import { describe, expect, it } from 'vitest';
import { newAnswer } from '../../../src/core/answer.js';
import { toJson } from '../../../src/render/json.js';
import { errorToText, toText } from '../../../src/render/text.js';
import { hugeAnswer, webserverAnswer } from '../../support/answers.js';
import { expectGolden } from '../../support/golden.js';

describe('toText', () => {
  it('prints the title, summary, address table and port meanings', () => {
    const out = toText(webserverAnswer());
    const lines = out.split('\n');
    expect(lines[0]).toBe('container webserver-1');
    expect(out).toMatch(/bridge\s+bridge\s+172\.17\.0\.2\/16\s+172\.17\.0\.0\/16\s+172\.17\.0\.1\s+172\.17\.255\.255\s+02:42:ac:11:00:02/);
    expect(out).toMatch(/80\/tcp\s+publish\s+127\.0\.0\.1:8080\s+127\.0\.0\.1:8080 on the host forwards to 172\.17\.0\.2:80\./);
    expect(out).toContain('• Containers on a bridge network get a private address');
    expect(out).toContain('→ ping webserver-1 --port 80');
    expect(out).not.toContain('\u001b['); // no colour unless asked
  });

  it('matches the golden rendering', async () => {
    await expectGolden(new URL('./__golden__/container-webserver-1.txt', import.meta.url), toText(webserverAnswer()));
  });

  it('shows everything in the terminal, even 300 ports', () => {
    const out = toText(hugeAnswer(300));
    expect(out).toContain('10000/tcp');
    expect(out).toContain('10299/tcp');
  });

  it('colours headings only when asked', () => {
    expect(toText(webserverAnswer(), { color: true })).toContain('\u001b[1mcontainer webserver-1\u001b[22m');
    expect(toText(webserverAnswer(), { color: false })).not.toContain('\u001b[');
  });

  it('colours the verdict by its tone and every warning line yellow', () => {
    const failed = { ...webserverAnswer(), summary: 'web-1 does not answer', probes: [{ kind: 'icmp' as const, target: '172.18.0.2', ok: false, from: 'this host', error: 'timeout' }] };
    const text = toText(failed, { color: true });
    expect(text).toContain('\u001b[1m\u001b[31mweb-1 does not answer');
    expect(text).toMatch(/ {2}\u001b\[31m.*172\.18\.0\.2/);
    const warned = toText({ ...webserverAnswer(), warnings: ['port 80 is bound to 127.0.0.1 only'] }, { color: true });
    expect(warned).toContain('\u001b[33m  ! port 80 is bound to 127.0.0.1 only\u001b[39m');
  });

  it('prints errors as one reason line plus details', () => {
    expect(errorToText('no container "x"', ['Did you mean: web-1'])).toBe('netpeek: no container "x"\n  Did you mean: web-1\n');
  });
});

describe('toJson', () => {
  it('is the Answer itself', () => {
    const a = webserverAnswer();
    expect(JSON.parse(toJson(a))).toEqual(a);
  });
});

describe('toText of a why answer', () => {
  it('leads with the verdict, then one checklist line per step; the first failure\'s fix is not repeated', () => {
    const answer = newAnswer('why', 'why svc/cart', {
      summary: 'Broken at selector: Selector app=crat matches no pod. Set the selector\'s app to cart.',
      diagnosis: {
        firstFailure: 'selector',
        steps: [
          { id: 'service', status: 'pass', evidence: 'Service cart exists.' },
          { id: 'selector', status: 'fail', evidence: 'Selector app=crat matches no pod.', fix: "Set the selector's app to cart." },
          { id: 'target-port', status: 'skip', evidence: 'Not checked: the selector selects no pods.' },
          { id: 'policy', status: 'warn', evidence: 'Isolated by shop/only-web.', fix: 'Name a client.' },
        ],
      },
    });
    expect(toText(answer).split('\n').slice(0, 8)).toEqual([
      'why svc/cart',
      "Broken at selector: Selector app=crat matches no pod. Set the selector's app to cart.",
      '',
      'Checks',
      '  ✓ service: Service cart exists.',
      '  ✗ selector: Selector app=crat matches no pod.',
      '  – target-port: Not checked: the selector selects no pods.',
      '  ! policy: Isolated by shop/only-web. → Name a client.',
    ]);
  });
});
