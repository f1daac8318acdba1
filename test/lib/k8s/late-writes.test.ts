import { describe, it, expect } from 'vitest';
import { lateWritesPossible, UNDO_MESSAGE, undoStarted } from '#lib/k8s/late-writes.ts';

const k8s = { lateWriteMs: 6_000 };

describe('lateWritesPossible', () => {
  it('holds a row for lateWriteMs from its undoStartedAt', () => {
    expect(lateWritesPossible({ undoStartedAt: 1_000 }, k8s, 1_000)).toBe(true);
    expect(lateWritesPossible({ undoStartedAt: 1_000 }, k8s, 6_999)).toBe(true);
    expect(lateWritesPossible({ undoStartedAt: 1_000 }, k8s, 7_000)).toBe(false);
  });

  it('never holds a row that was not undone after a failure of unknown outcome, whatever its message', () => {
    const row = { undoStartedAt: null, statusMessage: UNDO_MESSAGE, updatedAt: 1_000 };
    expect(lateWritesPossible(row, k8s, 1_000)).toBe(false);
  });

  it('never holds a row when the cluster does not say how long writes may lag', () => {
    expect(lateWritesPossible({ undoStartedAt: 1_000 }, {}, 1_000)).toBe(false);
  });
});

describe('undoStarted', () => {
  it('marks the row by its column and tells clients why in the message', () => {
    expect(undoStarted(42)).toEqual({ statusMessage: UNDO_MESSAGE, undoStartedAt: 42 });
  });
});
