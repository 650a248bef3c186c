import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Reads a Server-Sent Events body, calling `onBatch` with the events each received chunk completed (never empty),
 * until the stream ends or its signal aborts. Resolves with how the stream ended. A reader that applies events in a
 * transaction can apply a batch in one.
 */
export async function readSseBatches(
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null,
  onBatch: (batch: EventSourceMessage[]) => void,
): Promise<'ended' | 'error'> {
  if (!body) return 'ended';
  let batch: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (m) => batch.push(m) });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (batch.length === 0) continue;
      const done = batch;
      batch = [];
      onBatch(done);
    }
    return 'ended';
  } catch {
    return 'error';
  }
}

/** `readSseBatches`, one event at a time. */
export function readSse(
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | null,
  onMessage: (m: EventSourceMessage) => void,
): Promise<'ended' | 'error'> {
  return readSseBatches(body, (batch) => {
    for (const m of batch) onMessage(m);
  });
}
