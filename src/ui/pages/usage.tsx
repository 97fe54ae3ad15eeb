import type { SpendLogRow } from '../../keys/ledger-types';
import { StackedBars } from '../chart';
import { Layout } from '../layout';
import type { Range, UsageCharts } from '../usage-data';

export function UsagePage(props: { csrf: string; range: Range; charts: UsageCharts; logs: SpendLogRow[]; names: Map<string, string> }) {
  const { charts } = props;
  return (
    <Layout title="Usage" section="usage" csrf={props.csrf}>
      <h1>Usage</h1>
      <p>
        Range:{' '}
        {(['24h', '30d'] as const).map((r) =>
          r === props.range ? (
            <strong>{r === '24h' ? 'last 24 hours' : 'last 30 days'} </strong>
          ) : (
            <a href={`/ui/usage?range=${r}`}>{r === '24h' ? 'last 24 hours' : 'last 30 days'} </a>
          ),
        )}
        · total spend <strong data-total>${charts.total.toFixed(6)}</strong>
      </p>
      <h2>Spend per key</h2>
      <StackedBars id="by-key" title="Spend per key" buckets={charts.buckets} series={charts.byKey} />
      <h2>Spend per model group</h2>
      <StackedBars id="by-group" title="Spend per model group" buckets={charts.buckets} series={charts.byGroup} />
      <h2>Latest requests</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th>
            <th scope="col">Key</th>
            <th scope="col">Model group</th>
            <th scope="col">Call</th>
            <th scope="col" class="num">Tokens</th>
            <th scope="col" class="num">Cost</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {props.logs.map((r) => (
            <tr data-request={r.request_id}>
              <td>{r.startTime.slice(0, 19).replace('T', ' ')}</td>
              <td>{props.names.get(r.api_key) ?? (r.api_key === 'master' ? 'master key' : 'deleted key')}</td>
              <td>{r.model_group}</td>
              <td>{r.call_type}</td>
              <td class="num">
                {r.total_tokens}
                {r.usage_estimated ? <span class="hint"> (estimated)</span> : null}
              </td>
              <td class="num">${r.spend}</td>
              <td class={r.status === 'success' ? 'ok' : 'bad'}>{r.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}
