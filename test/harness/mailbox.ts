/**
 * Reads what the test SMTP server (Mailpit) received, through its REST API. Tests send to
 * addresses unique to themselves, so files running in parallel never see each other's mail.
 */
import { inject } from 'vitest';

export interface ReceivedMessage {
  readonly id: string;
  /** Without angle brackets, as Mailpit reports it. */
  readonly messageId: string;
  readonly from: string;
  readonly to: string[];
  readonly subject: string;
  readonly text: string;
}

interface SummaryJson {
  ID: string;
}
interface MessageJson {
  ID: string;
  MessageID: string;
  From: { Address: string };
  To: { Address: string }[];
  Subject: string;
  Text: string;
}

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${inject('mailpitUrl')}/api/v1/${path}`);
  if (!response.ok) throw new Error(`Mailpit ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** Every message received so far for `address`, oldest first. */
export async function messagesTo(address: string): Promise<ReceivedMessage[]> {
  const query = encodeURIComponent(`to:"${address}"`);
  const found = await api<{ messages: SummaryJson[] }>(`search?query=${query}&limit=500`);
  const full = await Promise.all(found.messages.map((m) => api<MessageJson>(`message/${m.ID}`)));
  return full.reverse().map((m) => ({
    id: m.ID,
    messageId: m.MessageID,
    from: m.From.Address,
    to: m.To.map((t) => t.Address),
    subject: m.Subject,
    // SMTP carries CRLF line ends; tests compare with the LF text they sent.
    text: m.Text.replace(/\r\n/g, '\n'),
  }));
}

/** Waits until at least `count` messages for `address` arrived (SMTP delivery is asynchronous). */
export async function waitForMessagesTo(
  address: string,
  count = 1,
  timeoutMs = 10_000,
): Promise<ReceivedMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = await messagesTo(address);
    if (messages.length >= count) return messages;
    if (Date.now() > deadline) {
      throw new Error(`expected ${count} message(s) to ${address}, got ${messages.length}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A recipient address no other test uses. */
export function uniqueRecipient(label: string): string {
  return `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}@test.local`;
}
