import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Reads a Server-Sent Events body, calling `onMessage` for each event, until the stream ends or `signal` aborts.
 * Resolves with how the stream ended.
 */
export async function readSse(
  body: ReadableStream<Uint8Array> | null,
  onMessage: (m: EventSourceMessage) => void,
): Promise<'ended' | 'error'> {
  if (!body) return 'ended';
  const parser = createParser({ onEvent: onMessage });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>)
      parser.feed(decoder.decode(chunk, { stream: true }));
    return 'ended';
  } catch {
    return 'error';
  }
}
