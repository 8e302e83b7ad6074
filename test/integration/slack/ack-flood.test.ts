import { describe, expect, it } from 'vitest';
import { startHarness } from '../../support/slack/bot-harness.js';

/**
 * The edge acks /netpeek at once and holds the answers back while requests keep arriving
 * (after-ack-queue.ts). A flood must not starve them: answers still come while it lasts, and every acked
 * command is answered once it ends. (Whether an answer here ran in a quiet moment or because the
 * flood had held it back for maxDeferMs depends on the machine's scheduling; the rule itself is tested
 * with a controlled clock in test/unit/slack/after-ack-queue.test.ts.)
 */
describe('a flood of /netpeek commands over the real Bolt HTTP receiver', () => {
  it('answers arrive while the flood is still going, and every acked command gets exactly one answer', async () => {
    const h = await startHarness();
    try {
      const acked: string[] = [];
      let sent = 0;
      // 20 commands always in flight until 10 answers have arrived; were answers starved while commands
      // kept coming, the senders would run into the 3,000-command cap first.
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (h.responses.posts.length < 10 && sent < 3000) {
            sent++;
            const { res, responseUrl } = await h.slash('container webserver-1');
            expect(res.status).toBe(200);
            expect(await res.text()).toBe('');
            acked.push(responseUrl);
          }
        }),
      );
      expect(sent).toBeLessThan(3000);
      expect(h.responses.posts.length).toBeGreaterThanOrEqual(10);
      await h.responses.waitFor(() => h.responses.posts.length >= acked.length, 30_000);
      for (const url of acked) {
        const posts = h.responses.postsTo(url);
        expect(posts).toHaveLength(1);
        expect(JSON.stringify(posts[0]!.body)).toContain('172.17.0.2');
      }
      expect(h.fake.calls).toHaveLength(acked.length);
    } finally {
      await h.close();
    }
  });
});
