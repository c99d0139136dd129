import { describe, expect, inject, it } from 'vitest';
import { createSmtpMailer, messageIdFor } from '../../../activities/mailer.js';
import { freePort } from '../../../scripts/stack/ports.js';
import { uniqueRecipient, waitForMessagesTo } from '../../harness/mailbox.js';

describe('the SMTP mailer', () => {
  it('delivers plain text and HTML with the Message-ID it is given', async () => {
    const mailer = createSmtpMailer({
      url: inject('smtpUrl'),
      from: 'Billing <billing@test.local>',
    });
    const to = uniqueRecipient('mailer');
    try {
      await mailer.send({
        to,
        subject: 'Credits at 80%',
        text: 'You have used 80% of your credits.',
        html: '<p>You have used <b>80%</b> of your credits.</p>',
        messageId: messageIdFor('alert', 'acme/2026-11/80'),
      });
    } finally {
      mailer.close();
    }
    const [message] = await waitForMessagesTo(to);
    expect(message).toMatchObject({
      messageId: 'alert.acme_2026-11_80@billing.local',
      from: 'billing@test.local',
      subject: 'Credits at 80%',
    });
    expect(message!.text.trim()).toBe('You have used 80% of your credits.');
  });

  it('verifies a live server and fails fast, with the reason, when nothing listens', async () => {
    const live = createSmtpMailer({ url: inject('smtpUrl'), from: 'b@test.local' });
    await expect(live.verify()).resolves.toBeUndefined();
    live.close();
    const dead = createSmtpMailer({
      url: `smtp://127.0.0.1:${await freePort()}`,
      from: 'b@test.local',
      timeoutMs: 2_000,
    });
    await expect(dead.verify()).rejects.toThrow(/ECONNREFUSED/);
    dead.close();
  });

  it('is read by people in Mailpit, whose web inbox app is built into the binary', async () => {
    const page = await fetch(`${inject('mailpitUrl')}/`);
    expect(page.status).toBe(200);
    const script = /src="([^"]*app\.js[^"]*)"/.exec(await page.text())?.[1];
    expect(script).toBeDefined();
    const app = await fetch(`${inject('mailpitUrl')}${script}`);
    expect(app.status).toBe(200);
    expect((await app.text()).length).toBeGreaterThan(10_000);
  });

  it('derives Message-IDs from what the email is about, safe for the header', () => {
    expect(messageIdFor('statement', 'acme 2026-11')).toBe(
      '<statement.acme_2026-11@billing.local>',
    );
    expect(messageIdFor('probe', 'x')).toBe(messageIdFor('probe', 'x'));
  });
});
