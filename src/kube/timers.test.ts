import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainedTimer, MAX_TIMER_MS, systemTimer } from './timers.ts';

/** Host timers that record what was asked and fire only when told. */
function recordingHost(): { asked: number[]; fire: () => void; cleared: number } & Parameters<typeof chainedTimer>[0] {
  const pending: (() => void)[] = [];
  const host = {
    asked: [] as number[],
    cleared: 0,
    set(callback: () => void, ms: number): unknown {
      host.asked.push(ms);
      pending.push(callback);
      return pending.length;
    },
    clear(): void {
      host.cleared++;
    },
    fire(): void {
      pending.shift()?.();
    },
  };
  return host;
}

describe('chainedTimer', () => {
  const cases: { name: string; ms: number; steps: number[] }[] = [
    { name: 'arms one host timer for a short wait', ms: 1_500, steps: [1_500] },
    { name: 'clamps a negative wait to 0', ms: -5, steps: [0] },
    {
      name: 'chains waits beyond setTimeout’s 24.8-day limit',
      ms: MAX_TIMER_MS * 2 + 10,
      steps: [MAX_TIMER_MS, MAX_TIMER_MS, 10],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const host = recordingHost();
      let fired = 0;
      chainedTimer(host)(() => fired++, c.ms);
      for (let i = 0; i < c.steps.length; i++) {
        assert.equal(fired, 0);
        host.fire();
      }
      assert.deepEqual(host.asked, c.steps);
      assert.equal(fired, 1);
    });
  }

  it('cancels the step that is armed', () => {
    const host = recordingHost();
    let fired = 0;
    const cancel = chainedTimer(host)(() => fired++, MAX_TIMER_MS + 1);
    host.fire();
    cancel();
    host.fire();
    assert.equal(fired, 0);
    assert.equal(host.cleared, 1);
  });

  it('fires a real short timer', async () => {
    await new Promise<void>((resolve) => systemTimer(resolve, 1));
  });
});
