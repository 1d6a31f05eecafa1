// Alerts sent per day as an inline SVG bar chart (no script, styled by app.css), with the same figures in a
// table for screen readers.
/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
export interface DayCount {
  /** UTC day, YYYY-MM-DD */
  day: string;
  count: number;
}

const W = 560;
const H = 180;
const PAD_L = 34;
const PAD_B = 26;
const PAD_T = 12;

export function SentChart(props: { days: DayCount[] }) {
  const max = Math.max(1, ...props.days.map((d) => d.count));
  const step = (W - PAD_L - 8) / props.days.length;
  const bar = Math.max(4, step * 0.7);
  const y = (n: number) => PAD_T + (H - PAD_T - PAD_B) * (1 - n / max);
  const total = props.days.reduce((a, d) => a + d.count, 0);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-title">
        <title id="chart-title">{`Alerts sent per day over the last ${props.days.length} days: ${total} in all, at most ${max === 1 && total === 0 ? 0 : max} in one day`}</title>
        <line class="axis" x1={PAD_L} y1={H - PAD_B} x2={W - 4} y2={H - PAD_B} />
        <line class="axis" x1={PAD_L} y1={PAD_T} x2={PAD_L} y2={H - PAD_B} />
        <text x={PAD_L - 6} y={y(max) + 4} text-anchor="end">
          {String(max)}
        </text>
        <text x={PAD_L - 6} y={H - PAD_B + 4} text-anchor="end">
          0
        </text>
        {props.days.map((d, i) => {
          const x = PAD_L + 4 + i * step;
          return (
            <g>
              <rect class="bar" x={x} y={y(d.count)} width={bar} height={H - PAD_B - y(d.count)}>
                <title>{`${d.day}: ${d.count}`}</title>
              </rect>
              {i % 2 === 0 ? (
                <text x={x + bar / 2} y={H - 8} text-anchor="middle">
                  {d.day.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption class="muted">Alerts sent per day (UTC), last {props.days.length} days.</figcaption>
      <table class="sr-only">
        <caption>Alerts sent per day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Alerts sent</th>
          </tr>
        </thead>
        <tbody>
          {props.days.map((d) => (
            <tr>
              <td>{d.day}</td>
              <td>{String(d.count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
