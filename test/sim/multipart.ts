import { createHash } from 'node:crypto';
import type { SimFormFile } from './types';

export interface FormFile extends SimFormFile {
  bytes: Buffer;
}

export interface ParsedForm {
  fields: Record<string, string>;
  files: FormFile[];
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function isMultipart(contentType: string | undefined): contentType is string {
  return contentType?.toLowerCase().startsWith('multipart/form-data') ?? false;
}

/** Parses a buffered multipart body with undici's Request (test code: buffering is fine here). */
export async function parseMultipart(body: Buffer, contentType: string): Promise<ParsedForm | undefined> {
  let form: FormData;
  try {
    const request = new Request('http://sim.local/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: Uint8Array.from(body),
    });
    form = await request.formData();
  } catch {
    return undefined;
  }
  const parsed: ParsedForm = { fields: {}, files: [] };
  const entries: [string, FormDataEntryValue][] = [];
  form.forEach((value, field) => entries.push([field, value]));
  for (const [field, value] of entries) {
    if (typeof value === 'string') {
      parsed.fields[field] = value;
      continue;
    }
    const bytes = Buffer.from(await value.arrayBuffer());
    parsed.files.push({
      field,
      filename: value.name,
      contentType: value.type,
      size: bytes.length,
      sha256: sha256Hex(bytes),
      bytes,
    });
  }
  return parsed;
}

/** The log view of a form: file metadata without the bytes. */
export function formSummary(form: ParsedForm): { fields: Record<string, string>; files: SimFormFile[] } {
  return { fields: { ...form.fields }, files: form.files.map(({ bytes: _bytes, ...meta }) => meta) };
}
