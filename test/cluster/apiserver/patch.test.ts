/** Strategic merge patch directives that `kubectl apply` sends for built-in kinds. */
import { describe, expect, it } from 'vitest';
import { strategicMergePatch } from './patch.ts';

describe('strategicMergePatch: kubectl apply directives', () => {
  it('$deleteFromPrimitiveList removes values from a merged primitive list (metadata.finalizers)', () => {
    const cur = { metadata: { name: 'n', finalizers: ['a/x', 'a/y', 'server/z'] } };
    const patch = { metadata: { '$deleteFromPrimitiveList/finalizers': ['a/x'], '$setElementOrder/finalizers': ['a/y'] } };
    expect(strategicMergePatch(cur, patch)).toEqual({ metadata: { name: 'n', finalizers: ['a/y', 'server/z'] } });
  });

  it('$setElementOrder orders a keyed list by the merge key, server-only elements after', () => {
    const cur = { metadata: { ownerReferences: [{ uid: '1', name: 'a' }, { uid: 'srv', name: 's' }, { uid: '2', name: 'b' }] } };
    const patch = { metadata: { '$setElementOrder/ownerReferences': [{ uid: '2' }, { uid: '1' }], ownerReferences: [{ uid: '2', name: 'b2' }] } };
    expect(strategicMergePatch(cur, patch)).toEqual({
      metadata: { ownerReferences: [{ uid: '2', name: 'b2' }, { uid: '1', name: 'a' }, { uid: 'srv', name: 's' }] },
    });
  });

  it('keeps directive keys out of the stored object', () => {
    const out = strategicMergePatch({ a: [1] }, { '$setElementOrder/b': [1], '$retainKeys': ['a'] }) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['a']);
  });
});
