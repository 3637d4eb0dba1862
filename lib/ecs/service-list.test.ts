import { describe, expect, it } from 'vitest';
import { ActionFailure, InputError } from '../runner/errors';
import { asEntryError, entryLabel, parseServiceList, serviceName } from './service-list';

const worker = { index: 2, service: 'arn:aws:ecs:eu-west-1:123456789012:service/shop/worker' };

describe('entryLabel / serviceName', () => {
  it('names an entry by its position and the service name of a name or an ARN', () => {
    expect(serviceName(worker.service)).toBe('worker');
    expect(entryLabel(worker)).toBe('services[2] (worker)');
    expect(entryLabel({ index: 1, service: 'api' })).toBe('services[1] (api)');
  });
});

describe('asEntryError', () => {
  it('returns what the work returns', async () => {
    await expect(asEntryError(worker, async () => 42)).resolves.toBe(42);
  });

  it("re-raises an entry's input error under 'services', keeping the code and naming the entry and the input", async () => {
    const err = await asEntryError(worker, async () => {
      throw new InputError('GANTRY-DEPLOY-007', 'container-name', 'web', "a container of the task definition ('app')");
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ code: 'GANTRY-DEPLOY-007', input: 'services', value: 'services[2] (worker) container-name=web' });
    expect((err as Error).message).toBe(
      "Input 'services' has value 'services[2] (worker) container-name=web': expected a container of the task definition ('app').",
    );
  });

  it('names the input alone when the entry left it empty', async () => {
    const err = await asEntryError(worker, async () => {
      throw new InputError('GANTRY-DEPLOY-007', 'container-name', '', 'a container name');
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ input: 'services', value: 'services[2] (worker) container-name' });
  });

  it("passes errors of 'services' and 'cluster' themselves unchanged", async () => {
    for (const input of ['services', 'cluster']) {
      const original = new InputError('GANTRY-ECS-008', input, 'x', 'something');
      await expect(
        asEntryError(worker, async () => {
          throw original;
        }),
      ).rejects.toBe(original);
    }
  });

  it('puts the entry in front of a failure, and the suffix after it, keeping code and details', async () => {
    const err = await asEntryError(
      worker,
      async () => {
        throw new ActionFailure('GANTRY-ROLLBACK-004', 'No earlier revision is tagged deployed.', ['line 1']);
      },
      ' Nothing was rolled back.',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionFailure);
    expect(err).toMatchObject({
      code: 'GANTRY-ROLLBACK-004',
      message: 'services[2] (worker): No earlier revision is tagged deployed. Nothing was rolled back.',
      details: ['line 1'],
    });
  });

  it('passes any other error unchanged', async () => {
    const original = new TypeError('boom');
    await expect(
      asEntryError(worker, async () => {
        throw original;
      }),
    ).rejects.toBe(original);
  });
});

describe('parseServiceList', () => {
  it('takes a string entry as the service alone', () => {
    expect(parseServiceList('- api\n- service: worker\n  target: previous\n', 'shop', ['target'])).toEqual([
      { index: 1, service: 'api', fields: {} },
      { index: 2, service: 'worker', fields: { target: 'previous' } },
    ]);
  });
});
