// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { ColumnType } from '@ovsdb-web/client/core';
import { DatumView, datumTitle, typeText } from './datum.js';
import { ChangeView, diffDatums } from './diff.js';

afterEach(cleanup);

const str: ColumnType = { key: { type: 'string' }, min: 1, max: 1 };
const optInt: ColumnType = { key: { type: 'integer', minInteger: 0, maxInteger: 4095 }, min: 0, max: 1 };
const strSet: ColumnType = { key: { type: 'string' }, min: 0, max: Infinity };
const strMap: ColumnType = { key: { type: 'string' }, value: { type: 'string' }, min: 0, max: Infinity };
const refSet: ColumnType = {
  key: { type: 'uuid', refTable: 'Logical_Switch_Port', refType: 'strong' },
  min: 0,
  max: Infinity,
};
const U1 = '8a4f4c1e-5c62-4a40-a1b3-5b2c6f0a9e01';
const U2 = '0b1c2d3e-5c62-4a40-a1b3-5b2c6f0a9e02';

describe('DatumView', () => {
  it('shows a string, with the whole value on hover', () => {
    render(<DatumView type={str} value="web-frontend-1" ctx={{ labels: {} }} />);
    expect(screen.getByText('web-frontend-1').closest('[title]')?.getAttribute('title')).toBe('web-frontend-1');
  });

  it('dims an empty optional value and an empty set or map', () => {
    const { container } = render(
      <>
        <DatumView type={optInt} value={['set', []]} ctx={{ labels: {} }} />
        <DatumView type={strSet} value={['set', []]} ctx={{ labels: {} }} />
        <DatumView type={strMap} value={['map', []]} ctx={{ labels: {} }} />
      </>,
    );
    expect([...container.querySelectorAll('.ow-empty')].map((e) => e.textContent)).toEqual(['—', '[]', '{}']);
  });

  it('shows sets as chips with a count, and maps as key=value chips', () => {
    const { container } = render(
      <>
        <DatumView type={strSet} value={['set', ['a', 'b c', 'd']]} ctx={{ labels: {} }} />
        <DatumView
          type={strMap}
          value={[
            'map',
            [
              ['k8s.ovn.org/pod', 'ns/web'],
              ['owner', 'me'],
            ],
          ]}
          ctx={{ labels: {} }}
        />
      </>,
    );
    const [set, map] = [...container.querySelectorAll('.ow-datum')];
    expect(set?.querySelector('.ow-count-chip')?.textContent).toBe('3');
    expect([...(set?.querySelectorAll('.ow-chip') ?? [])].map((c) => c.textContent)).toEqual(['a', 'b c', 'd']);
    expect(set?.getAttribute('title')).toBe('[a, "b c", d]');
    expect([...(map?.querySelectorAll('.ow-pair') ?? [])].map((c) => c.textContent)).toEqual([
      'k8s.ovn.org/pod=ns/web',
      'owner=me',
    ]);
    // Plain values are text in their chip (one element per member, few elements per grid row), typed by class;
    // a pair is its key element, then "=" and the value as text.
    expect([...(set?.querySelectorAll('.ow-chip') ?? [])].every((c) => c.children.length === 0)).toBe(true);
    expect(set?.querySelector('.ow-chip')?.classList.contains('ow-str')).toBe(true);
    expect([...(map?.querySelectorAll('.ow-pair') ?? [])].map((c) => c.children.length)).toEqual([1, 1]);
  });

  it('types a plain scalar by class on its one element, and keeps references and "" as their own elements', () => {
    const num: ColumnType = { key: { type: 'integer' }, min: 1, max: 1 };
    const { container } = render(
      <>
        <DatumView type={num} value={42} ctx={{ labels: {} }} />
        <DatumView type={str} value="" ctx={{ labels: {} }} />
        <DatumView type={refSet} value={['uuid', U1]} ctx={{ labels: { [U1]: 'web-1' }, onRef: () => undefined }} />
      </>,
    );
    const [n, empty, ref] = [...container.querySelectorAll('.ow-datum')];
    expect(n?.classList.contains('ow-num')).toBe(true);
    expect(n?.children).toHaveLength(0);
    expect(empty?.querySelector('.ow-empty')?.textContent).toBe('""');
    expect(ref?.querySelector('a.ow-ref')?.textContent).toBe('web-1');
  });

  it('shows a reference as the target row name, and following it calls back with table and uuid', () => {
    const followed: string[] = [];
    render(
      <DatumView
        type={refSet}
        value={[
          'set',
          [
            ['uuid', U1],
            ['uuid', U2],
          ],
        ]}
        ctx={{ labels: { [U1]: 'web-1' }, onRef: (t, u) => followed.push(`${t}/${u}`) }}
      />,
    );
    fireEvent.click(screen.getByText('web-1'));
    fireEvent.click(screen.getByText(U2.slice(0, 8)));
    expect(followed).toEqual([`Logical_Switch_Port/${U1}`, `Logical_Switch_Port/${U2}`]);
  });

  it('writes values the way ovs-vsctl does', () => {
    expect(datumTitle(strMap, ['map', [['a b', 'c']]])).toBe('{"a b"=c}');
    expect(datumTitle(optInt, 7)).toBe('7');
    expect(typeText(refSet)).toBe('set of 0 or more uuid → Logical_Switch_Port');
    expect(typeText(optInt)).toBe('optional integer');
  });
});

describe('ChangeView', () => {
  it('shows what a set or map change added, removed and changed, not the whole values', () => {
    expect(diffDatums(strSet, ['set', ['a', 'b']], ['set', ['b', 'c']])).toMatchObject({
      added: ['c'],
      removed: ['a'],
    });
    expect(
      diffDatums(
        strMap,
        [
          'map',
          [
            ['k', '1'],
            ['x', 'y'],
          ],
        ],
        [
          'map',
          [
            ['k', '2'],
            ['z', 'w'],
          ],
        ],
      ),
    ).toMatchObject({
      changed: [{ key: 'k', old: '1', new: '2' }],
      addedPairs: [['z', 'w']],
      removedPairs: [['x', 'y']],
    });
    const { container } = render(
      <ChangeView type={strSet} old={['set', ['a', 'b']]} now={['set', ['b', 'c']]} ctx={{ labels: {} }} />,
    );
    expect(container.querySelector('.ow-added')?.textContent).toBe('+ c');
    expect(container.querySelector('.ow-removed')?.textContent).toBe('− a');
  });
});
