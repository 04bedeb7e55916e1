import type { ReactNode } from 'react';

/** Counts over time as a small line, the last point the current (partial) bucket. */
export function Sparkline({
  values,
  width = 90,
  height = 22,
  label,
}: {
  values: readonly number[];
  width?: number;
  height?: number;
  label: string;
}): ReactNode {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values
    .map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`)
    .join(' ');
  const total = values.reduce((a, b) => a + b, 0);
  return (
    <svg
      className="ow-spark"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
    >
      <title>{label}</title>
      {total > 0 && <polyline points={`0,${height} ${points} ${width},${height}`} className="ow-spark-fill" />}
      <polyline points={points} className={total > 0 ? 'ow-spark-line' : 'ow-spark-flat'} fill="none" />
    </svg>
  );
}
