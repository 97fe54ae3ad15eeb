/** One stacked-bar chart drawn on the server as SVG, with its numbers also in a table for screen readers. */
export interface Series {
  label: string;
  /** One value per bucket. */
  values: number[];
}

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies. */
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#999999'];
const W = 820;
const H = 240;
const PAD = { left: 64, right: 12, top: 12, bottom: 28 };

function money(n: number): string {
  if (n === 0) return '$0';
  return n >= 1 ? `$${n.toFixed(2)}` : `$${n.toPrecision(2)}`;
}

export function StackedBars(props: { id: string; title: string; buckets: string[]; series: Series[] }) {
  const totals = props.buckets.map((_, i) => props.series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const max = Math.max(...totals, 0) || 1;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(props.buckets.length, 1);
  const bar = Math.max(2, slot * 0.7);
  const every = Math.ceil(props.buckets.length / 8);
  return (
    <figure>
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${props.id}-t`}>
        <title id={`${props.id}-t`}>{props.title}</title>
        {[0, 0.5, 1].map((f) => {
          const y = PAD.top + plotH * (1 - f);
          return (
            <g>
              <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} stroke="#d0d7de" />
              <text x={PAD.left - 6} y={y + 4} text-anchor="end" font-size="11" fill="#57606a">
                {money(max * f)}
              </text>
            </g>
          );
        })}
        {props.buckets.map((label, i) => {
          let y = PAD.top + plotH;
          const x = PAD.left + i * slot + (slot - bar) / 2;
          return (
            <g>
              {props.series.map((s, k) => {
                const h = ((s.values[i] ?? 0) / max) * plotH;
                y -= h;
                return h > 0 ? <rect x={x} y={y} width={bar} height={h} fill={COLOURS[k % COLOURS.length]} /> : null;
              })}
              {i % every === 0 ? (
                <text x={x + bar / 2} y={H - 8} text-anchor="middle" font-size="11" fill="#57606a">
                  {label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <ul class="legend">
        {props.series.map((s, k) => (
          <li>
            {/* An SVG swatch: the CSP allows no inline styles. */}
            <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true">
              <rect width="10" height="10" fill={COLOURS[k % COLOURS.length]} />
            </svg>
            {s.label}: {money(s.values.reduce((a, b) => a + b, 0))}
          </li>
        ))}
      </ul>
      <details>
        <summary>{props.title} as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              {props.series.map((s) => (
                <th scope="col" class="num">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.buckets.map((label, i) =>
              totals[i] ? (
                <tr>
                  <th scope="row">{label}</th>
                  {props.series.map((s) => (
                    <td class="num">{money(s.values[i] ?? 0)}</td>
                  ))}
                </tr>
              ) : null,
            )}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
