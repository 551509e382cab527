import { describe, expect, it } from 'vitest';
import { type ImageTestResult, ImageTestStepError } from './image-test.ts';
import { outcomeOf } from './outcome.ts';

const ran: ImageTestResult = {
  seconds: { 'image build': 1 },
  imageBytes: 390e6,
  baseImages: {},
  answer: {},
  kube: { ok: true, ready: 'first pods: registry ready after 40 s' },
};

describe('what pnpm test:image exits with', () => {
  it('exits 0 when the image ran and the manifest played', () => {
    expect(outcomeOf({ result: ran })).toMatchObject({ code: 0, err: [] });
  });

  it('exits 1 when podman kube play failed, naming that step and why', () => {
    const outcome = outcomeOf({
      result: { ...ran, kube: { ok: false, error: 'kube play (first pods): the inway pod did not answer 200' } },
    });
    expect(outcome.code).toBe(1);
    expect(outcome.err).toEqual([
      'pnpm test:image failed at step "kube play": kube play (first pods): the inway pod did not answer 200',
    ]);
    // What was measured is still printed.
    expect(outcome.out[0]).toContain('"image build":1');
  });

  it('exits 1 when another step failed, naming it', () => {
    const outcome = outcomeOf({ error: new ImageTestStepError('the outway container', new Error('exited 2')) });
    expect(outcome).toEqual({
      code: 1,
      out: [],
      err: ['pnpm test:image failed at step "the outway container": exited 2'],
    });
  });
});
