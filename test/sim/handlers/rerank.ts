// POST /rerank, /v1/rerank, /v2/rerank
import type { RouteContext } from '../context';
import { randomId } from '../ids';
import { words } from '../tokens';
import { badRequest, isObject, jsonBody, optionalInt, resolveModel } from './shared';

function readDocuments(documents: unknown): string[] {
  if (!Array.isArray(documents)) throw badRequest('documents: Field required', 'documents');
  return documents.map((doc) => {
    if (typeof doc === 'string') return doc;
    if (isObject(doc) && typeof doc.text === 'string') return doc.text;
    throw badRequest('documents: each document must be a string or {"text": string}', 'documents');
  });
}

// Case- and punctuation-insensitive word set, so "Paris," matches "paris".
const normalised = (text: string): string[] =>
  words(text.toLowerCase()).map((w) => w.replace(/[^\p{L}\p{N}]/gu, '')).filter((w) => w.length > 0);

/** Share of the distinct query words found in the document: 0…1. */
export function relevance(query: string, doc: string): number {
  const queryWords = new Set(normalised(query));
  if (queryWords.size === 0) return 0;
  const docWords = new Set(normalised(doc));
  let hits = 0;
  for (const w of queryWords) if (docWords.has(w)) hits++;
  return hits / queryWords.size;
}

export function rerank(ctx: RouteContext): void {
  const body = jsonBody(ctx);
  if (typeof body.query !== 'string') throw badRequest('query: Field required', 'query');
  const query = body.query;
  const documents = readDocuments(body.documents);
  const model = resolveModel(ctx.config, body.model);
  const topN = optionalInt(body, 'top_n', 0) ?? 0;

  const ranked = documents
    .map((text, index) => ({ index, document: { text }, relevance_score: relevance(query, text) }))
    .sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index);
  const results = topN > 0 ? ranked.slice(0, topN) : ranked;
  // vLLM scores each (query, document) pair, so the query is counted once per document.
  const totalTokens = documents.reduce((sum, doc) => sum + words(query).length + words(doc).length, 0);
  ctx.reply.json(200, { id: randomId('rerank'), model, usage: { total_tokens: totalTokens }, results });
}
