import { readUsage, type Usage } from './usage';

export interface StreamOutcome {
  usage: Usage | undefined;
  /** The upstream ended with `data: [DONE]`. */
  completed: boolean;
  /** The upstream broke off or sent an in-stream error; the client received an error event. */
  error: string | undefined;
  /** The client went away before the end. */
  clientGone: boolean;
  /** Data events that carried choices: about one generated token each, the estimate when usage is missing. */
  events: number;
}

export interface TapOptions {
  /** Remove the usage-only chunk (`choices: []`): the gateway asked for usage, the client did not. */
  stripUsageChunk: boolean;
  /** Rewrites every JSON event (a completion stream shown as a chat stream); each event may become several. */
  mapEvent?: (event: Record<string, unknown>) => Record<string, unknown>[];
  onChunk(first: boolean): void;
  /** Called before each read from the upstream (the client asked for more). */
  onRead(): void;
  /** Turns a read failure into the message for the client's error event (timeouts say so). */
  describeError(err: unknown): string;
  onEnd(outcome: StreamOutcome): void;
}

const encoder = new TextEncoder();

/** The OpenAI SDK raises an APIError for an event carrying `error`; a clean-looking end would hide a cut answer. */
export function errorEvent(message: string, status = 502): Uint8Array {
  const error = { message, type: 'upstream_error', param: null, code: String(status) };
  return encoder.encode(`data: ${JSON.stringify({ error })}\n\n`);
}

/**
 * Forwards an upstream SSE body as it arrives while reading its usage chunk. Complete events are forwarded untouched
 * (whole upstream chunks as-is in the common case); a partial event waits for its end so an error event appended
 * after a cut never lands inside a half-written line.
 */
export function tapSse(upstream: ReadableStream<Uint8Array>, options: TapOptions): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  const outcome: StreamOutcome = { usage: undefined, completed: false, error: undefined, clientGone: false, events: 0 };
  let pending = '';
  let first = true;
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    options.onEnd(outcome);
  };

  /** The events to forward in place of this one: `[event]` itself in the common case, `[]` to drop it. */
  const handle = (event: string): string[] => {
    const data = event.startsWith('data:') ? event.slice(event.charCodeAt(5) === 0x20 ? 6 : 5) : '';
    if (data === '[DONE]') {
      outcome.completed = true;
      return [event];
    }
    if (data === '') return [event];
    // Most events are plain content deltas: they are counted and forwarded without being parsed.
    if (!options.mapEvent && !data.includes('"usage"') && !data.includes('"error"')) {
      outcome.events++;
      return [event];
    }
    let parsed: Record<string, unknown> & { usage?: unknown; choices?: unknown; error?: { message?: unknown } };
    try {
      parsed = JSON.parse(data) as typeof parsed;
    } catch {
      return [event];
    }
    if (parsed.error) outcome.error = String(parsed.error.message ?? 'upstream error');
    const usage = readUsage(parsed.usage);
    if (usage) outcome.usage = usage;
    const usageOnly = Array.isArray(parsed.choices) && parsed.choices.length === 0 && usage !== undefined;
    if (!usageOnly && !parsed.error) outcome.events++;
    if (usageOnly && options.stripUsageChunk) return [];
    if (!options.mapEvent) return [event];
    return options.mapEvent(parsed).map((e) => `data: ${JSON.stringify(e)}`);
  };

  /** Returns the bytes to forward for this upstream chunk, or undefined while an event is still incomplete. */
  const split = (value: Uint8Array): Uint8Array | undefined => {
    const text = decoder.decode(value, { stream: true });
    const wholeChunk = pending === '' && (text.endsWith('\n\n') || text.endsWith('\r\n\r\n'));
    pending += text;
    const boundary = Math.max(pending.lastIndexOf('\n\n'), pending.lastIndexOf('\r\n\r\n'));
    if (boundary < 0) return undefined;
    const complete = pending.slice(0, boundary);
    pending = pending.slice(boundary).replace(/^\r?\n\r?\n/, '');
    let changed = false;
    const out: string[] = [];
    for (const event of complete.split(/\r?\n\r?\n/)) {
      if (event === '') continue;
      const replaced = handle(event.trim());
      if (replaced.length !== 1 || replaced[0] !== event.trim()) changed = true;
      out.push(...replaced);
    }
    if (wholeChunk && !changed) return value;
    return out.length > 0 ? encoder.encode(out.join('\n\n') + '\n\n') : undefined;
  };

  return new ReadableStream<Uint8Array>(
    {
      // Loops until it has something to hand over: a pull that enqueues nothing is not called again by the stream.
      async pull(controller) {
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            options.onRead();
            chunk = await reader.read();
          } catch (err) {
            outcome.error = options.describeError(err);
            controller.enqueue(errorEvent(outcome.error));
            controller.close();
            end();
            return;
          }
          if (chunk.done) {
            if (!outcome.completed && !outcome.error) {
              outcome.error = 'The upstream stream ended before the response was complete';
              controller.enqueue(errorEvent(outcome.error));
            }
            controller.close();
            end();
            return;
          }
          options.onChunk(first);
          first = false;
          const forward = split(chunk.value);
          if (forward) {
            controller.enqueue(forward);
            return;
          }
        }
      },
      async cancel(reason) {
        outcome.clientGone = true;
        end();
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
