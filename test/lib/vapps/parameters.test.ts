import { describe, expect, it } from 'vitest';
import { templateParameters } from '#lib/vapps/parameters.ts';
import type { CatalogTemplate, TemplateParameter } from '#lib/catalog/template.ts';

// Parameters shaped like the common templates' (fedora-server-small): NAME generated,
// DATA_SOURCE_* with defaults, CLOUD_USER_PASSWORD generated.
const param = (name: string, p: Partial<TemplateParameter> = {}): TemplateParameter => ({
  name, displayName: name, description: '', required: false, hasDefault: false, generated: false, ...p,
});
const template = {
  namespace: 'openshift', name: 'fedora-server-small',
  parameters: [
    param('NAME', { generated: true }),
    param('DATA_SOURCE_NAME', { hasDefault: true }),
    param('DATA_SOURCE_NAMESPACE', { hasDefault: true }),
    param('CLOUD_USER_PASSWORD', { generated: true }),
  ],
} as unknown as CatalogTemplate;

describe('templateParameters', () => {
  it('defaults NAME from the instance name', () => {
    expect(templateParameters(template, {}, 'vapp-1')).toEqual({ NAME: 'vapp-1' });
  });

  it('refuses an empty value, naming the parameter (a present key switches the generator off)', () => {
    expect(() => templateParameters(template, { CLOUD_USER_PASSWORD: '' }, 'vapp-1')).toThrow(/empty value for 'CLOUD_USER_PASSWORD'/);
  });

  it('refuses an empty NAME rather than silently defaulting it', () => {
    expect(() => templateParameters(template, { NAME: '' }, 'vapp-1')).toThrow(/'NAME'/);
  });

  it('refuses unknown parameters and never echoes values', () => {
    let msg = '';
    try { templateParameters(template, { NOPE: 's3cret' }, 'vapp-1'); } catch (e) { msg = (e as Error).message; }
    expect(msg).toMatch(/unknown parameter 'NOPE'/);
    expect(msg).not.toContain('s3cret');
  });

  it('keeps given non-empty values', () => {
    expect(templateParameters(template, { CLOUD_USER_PASSWORD: 'pw' }, 'v')).toEqual({ CLOUD_USER_PASSWORD: 'pw', NAME: 'v' });
  });
});
