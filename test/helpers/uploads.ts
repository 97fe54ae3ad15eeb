import { toFile } from 'openai';
import { sdk } from './sdk';

/** A one-part Upload of "hello", completed through the SDK; its file expires `seconds` after creation. */
export async function completedUpload(key: string, seconds: number) {
  const client = sdk(key);
  const upload = await client.uploads.create({
    filename: 'parts.txt',
    purpose: 'user_data',
    bytes: 5,
    mime_type: 'text/plain',
    expires_after: { anchor: 'created_at', seconds },
  });
  const part = await client.uploads.parts.create(upload.id, { data: await toFile(new TextEncoder().encode('hello'), 'p') });
  return client.uploads.complete(upload.id, { part_ids: [part.id] });
}
