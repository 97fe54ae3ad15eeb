/**
 * Where things live in the FILES bucket (docs/storage.md). Every path starts with the owner, so an object can
 * only be reached through its owner: another key's request builds another path and finds nothing.
 *   files/<owner>/<internal>            file content
 *   filemeta/<owner>/<internal>         empty; customMetadata = the file object (listing reads only these)
 *   uploads/<owner>/<upload>/<part>     one Uploads API part, until the upload completes
 *   uploadmeta/<owner>/<upload>         empty; customMetadata = the upload object
 *   batchmeta/<owner>/<internal>        empty; customMetadata = who/what/when of a batch (state is in its DO)
 *   batchindex/<internal>               empty; customMetadata = owner and label: every owner's batches, newest first
 *                                       (the operator's dashboard; never served to a key)
 *   batchlines/<owner>/<internal>/<line>.<uuid>   one output line too large for the runner's row, until finalize
 *                                       has copied it into the output file
 */
export const fileKey = (owner: string, internal: string): string => `files/${owner}/${internal}`;
export const fileMetaKey = (owner: string, internal: string): string => `filemeta/${owner}/${internal}`;
export const fileMetaPrefix = (owner: string): string => `filemeta/${owner}/`;
export const uploadPartKey = (owner: string, upload: string, part: string): string => `uploads/${owner}/${upload}/${part}`;
export const uploadPartsPrefix = (owner: string, upload: string): string => `uploads/${owner}/${upload}/`;
export const uploadMetaKey = (owner: string, upload: string): string => `uploadmeta/${owner}/${upload}`;
export const batchMetaKey = (owner: string, internal: string): string => `batchmeta/${owner}/${internal}`;
export const batchMetaPrefix = (owner: string): string => `batchmeta/${owner}/`;
export const BATCH_INDEX_PREFIX = 'batchindex/';
export const batchIndexKey = (internal: string): string => `${BATCH_INDEX_PREFIX}${internal}`;
/** Each write its own object (a random suffix): a line run twice never overwrites, nor deletes, the copy kept. */
export const batchLineKey = (owner: string, internal: string, lineNo: number): string =>
  `batchlines/${owner}/${internal}/${lineNo}.${crypto.randomUUID()}`;
export const batchLinesPrefix = (owner: string, internal: string): string => `batchlines/${owner}/${internal}/`;
