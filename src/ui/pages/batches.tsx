import type { BatchRow } from '../../batches/all-batches';
import { ActionForm, Layout } from '../layout';

const FINAL = ['completed', 'failed', 'expired', 'cancelled'];

interface Counts {
  total: number;
  completed: number;
  failed: number;
}

export function BatchesPage(props: { csrf: string; rows: BatchRow[] }) {
  const live = props.rows.some((r) => !FINAL.includes(String(r.batch.status)));
  return (
    <Layout title="Batches" section="batches" csrf={props.csrf} refresh={live}>
      <h1>Batches</h1>
      {props.rows.length === 0 ? <p>No batches yet.</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Created (UTC)</th>
            <th scope="col">Created by</th>
            <th scope="col">Endpoint</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col" class="num">Failed</th>
            <th scope="col">Files</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map(({ batch: b, label }) => {
            const id = String(b.id);
            const counts = b.request_counts as Counts;
            const done = counts.completed + counts.failed;
            const status = String(b.status);
            const running = !FINAL.includes(status);
            return (
              <tr data-batch={id} data-live={running ? '1' : '0'}>
                {/* Ids share their encoded prefix and model suffix: the creation time is what people tell apart. */}
                <td title={id}>{new Date(Number(b.created_at) * 1000).toISOString().slice(0, 19).replace('T', ' ')}</td>
                <td>{label}</td>
                <td class="mono">{String(b.endpoint)}</td>
                <td data-status>{status}</td>
                <td>
                  <progress max={Math.max(counts.total, 1)} value={done} aria-label="Progress">
                    {done} / {counts.total}
                  </progress>{' '}
                  <span data-progress>
                    {done} / {counts.total}
                  </span>
                </td>
                <td class="num">{counts.failed}</td>
                <td>
                  {b.output_file_id ? <a href={`/ui/batches/${id}/output`}>output</a> : null} {b.error_file_id ? <a href={`/ui/batches/${id}/errors`}>errors</a> : null}
                </td>
                <td>{running && status !== 'cancelling' ? <ActionForm action={`/ui/batches/${id}/cancel`} csrf={props.csrf} label="Cancel" danger /> : null}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Layout>
  );
}
