import { describe, expect, inject, it } from 'vitest';
import { createSmtpMailer, isPermanentSmtpFailure, messageIdOf } from '../../../mail/mailer.js';
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
        messageId: messageIdOf(['threshold', '80', '1', 'acme'], 'billing.local'),
      });
    } finally {
      mailer.close();
    }
    const [message] = await waitForMessagesTo(to);
    expect(message).toMatchObject({
      messageId: 'threshold.80.1.acme@billing.local',
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

  it('derives Message-IDs one-to-one from what the email is about, safe for the header', () => {
    const id = (...parts: string[]) => messageIdOf(parts, 'billing.example.com');
    expect(id('receipt', 'top-up 1', '1', 'acme')).toBe(
      '<receipt.top-up=201.1.acme@billing.example.com>',
    );
    expect(id('receipt', 'a:b', '1')).not.toBe(id('receipt', 'a_b', '1'));
    expect(id('receipt', 'a.b', '1')).not.toBe(id('receipt', 'a', 'b.1'));
    expect(id('receipt', 'a=3ab')).not.toBe(id('receipt', 'a:b'));
    expect(id('receipt', 'ü')).toBe('<receipt.=c3=bc@billing.example.com>');
    expect(id('probe', 'x')).toBe(id('probe', 'x'));
  });

  it('takes only a 5xx about the recipients or the content as a refusal for good', () => {
    const failure = (responseCode: number, command: string, code = 'EPROTOCOL') =>
      Object.assign(new Error('refused'), { responseCode, command, code });
    expect(isPermanentSmtpFailure(failure(550, 'RCPT TO'))).toBe(true);
    expect(isPermanentSmtpFailure(failure(554, 'DATA'))).toBe(true);
    expect(isPermanentSmtpFailure(failure(550, 'RCPT TO', 'EENVELOPE'))).toBe(true);
    // nodemailer reports a MAIL FROM refusal as EENVELOPE too: still the sender's problem.
    expect(isPermanentSmtpFailure(failure(553, 'MAIL FROM', 'EENVELOPE'))).toBe(false);
    const relayDenied = Object.assign(failure(554, 'RCPT TO', 'EENVELOPE'), {
      response: '554 5.7.1 <x@example.com>: Relay access denied',
    });
    expect(isPermanentSmtpFailure(relayDenied)).toBe(false);
    // The sender's configuration: ops fix it, the email waits.
    expect(isPermanentSmtpFailure(failure(535, 'AUTH PLAIN'))).toBe(false);
    expect(isPermanentSmtpFailure(failure(550, 'MAIL FROM'))).toBe(false);
    expect(isPermanentSmtpFailure(failure(451, 'DATA'))).toBe(false);
    expect(isPermanentSmtpFailure(new Error('connect ECONNREFUSED'))).toBe(false);
  });
});
