import { describe, expect, it } from 'vitest';
import { AppError, apiErrorSchema, parseOrThrow } from '../src/errors';
import { createProjectBodySchema } from '../src/projects';

describe('parseOrThrow', () => {
  it('returns parsed data for valid input', () => {
    expect(parseOrThrow(createProjectBodySchema, { name: '  Campus  ' }, 'project')).toEqual({ name: 'Campus' });
  });

  it('throws a 400 AppError whose details point at each bad field', () => {
    let err: AppError | undefined;
    try {
      parseOrThrow(createProjectBodySchema, { name: '', classes: [{ name: 'car' }, { name: 'Car', color: 'red' }] }, 'project');
    } catch (e) {
      err = e as AppError;
    }
    expect(err).toBeInstanceOf(AppError);
    expect(err!.status).toBe(400);
    const body = apiErrorSchema.parse(err!.toBody());
    const paths = body.error.details.map((d) => d.path).sort();
    expect(paths).toEqual(['classes[1].color', 'classes[1].name', 'name']);
    expect(body.error.details.find((d) => d.path === 'classes[1].name')!.message).toBe('duplicates classes[0].name "car"');
    expect(body.error.message).toMatch(/^Invalid project: /);
  });

  it('refuses unknown fields', () => {
    expect(() => parseOrThrow(createProjectBodySchema, { name: 'x', colour: 1 }, 'project')).toThrow(/colour/);
  });
});
