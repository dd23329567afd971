/** The thread's look: root message, buttons per stage, replies, and mrkdwn escaping. */
import { describe, expect, it } from 'vitest';
import { ACTIONS, ACTION_IDS, THREAD_ACTIONS_BLOCK_ID } from '../../src/slack/action-ids';
import { code, escapeMrkdwn, slackDate } from '../../src/slack/escape';
import { threadRoot, type Block } from '../../src/slack/views/thread';
import { actionsFor } from '../../src/slack/views/thread-buttons';
import { mentionsText, threadReply } from '../../src/slack/views/thread-reply';
import { FINAL_STAGES, STAGES, type Stage } from '../../workflows/stages';
import type { OnboardingEvent, OnboardingStatus } from '../../workflows/types';
import { INVITEE, ORG, PRIMARY, statusFixture, userFor } from '../support/fake-activities';

const WORKFLOW_ID = 'onboarding:100:201';

function status(over: Partial<OnboardingStatus> = {}): OnboardingStatus {
  return statusFixture({
    workflowId: WORKFLOW_ID,
    request: { orgId: ORG.id, contactId: INVITEE.contactId, kind: 'itglue', passwordAccess: false, requestedBy: 'UTECH1', ticket: 'T-1001' },
    deadline: '2026-03-02T14:05:00.000Z',
    startedAt: '2026-02-25T09:00:00.000Z',
    ...over,
  });
}

/** Every piece of mrkdwn text in the blocks, one string. */
function mrkdwn(blocks: Block[]): string {
  const texts: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') texts.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(blocks);
  return texts.join('\n');
}

const buttons = (s: OnboardingStatus) => actionsFor(s)?.elements.map((e) => (e as { action_id: string }).action_id) ?? [];

describe('buttons by stage', () => {
  const cases: [string, Partial<OnboardingStatus>, string[]][] = [
    ['VALIDATING', { stage: 'VALIDATING', waitingOn: 'system' }, [ACTIONS.cancel]],
    ['AWAITING_APPROVAL', {}, [ACTIONS.askAnotherContact, ACTIONS.recordOfflineApproval, ACTIONS.cancel]],
    ['RECORDING_AUTHORIZATION', { stage: 'RECORDING_AUTHORIZATION' }, [ACTIONS.cancel]],
    ['SENDING_INSTRUCTIONS', { stage: 'SENDING_INSTRUCTIONS' }, [ACTIONS.cancel]],
    ['AWAITING_INVITE', { stage: 'AWAITING_INVITE', waitingOn: 'tech' }, [ACTIONS.invitationSent, ACTIONS.cancel]],
    ['VERIFYING', { stage: 'VERIFYING', waitingOn: 'system' }, [ACTIONS.cancel]],
    ['VERIFYING / MISMATCH', { stage: 'VERIFYING', subState: 'MISMATCH', waitingOn: 'tech' }, [ACTIONS.fixed, ACTIONS.cancel]],
    ['AWAITING_ACCEPTANCE', { stage: 'AWAITING_ACCEPTANCE', waitingOn: 'invitee' }, [ACTIONS.cancel]],
    ['AWAITING_ACCEPTANCE / INVITE_EXPIRED', { stage: 'AWAITING_ACCEPTANCE', subState: 'INVITE_EXPIRED', waitingOn: 'tech' }, [ACTIONS.resent, ACTIONS.cancel]],
    ['AWAITING_2FA', { stage: 'AWAITING_2FA', waitingOn: 'invitee' }, [ACTIONS.twoFactorConfirmed, ACTIONS.cancel]],
    ['STALLED', { stage: 'STALLED', waitingOn: 'manager', stalledFrom: 'AWAITING_ACCEPTANCE', reason: 'expired 4 times' }, [ACTIONS.resume, ACTIONS.cancel]],
  ];
  for (const [name, over, expected] of cases) {
    it(`${name}: ${expected.join(', ')}`, () => {
      const s = status(over);
      expect(buttons(s)).toEqual(expected);
      const actions = actionsFor(s)!;
      expect(actions.block_id).toBe(THREAD_ACTIONS_BLOCK_ID);
      // Each button names the onboarding and the count of actions it was drawn with.
      for (const b of actions.elements) expect(b).toMatchObject({ type: 'button', value: `${WORKFLOW_ID}#${s.actionsTaken ?? 0}` });
      expect(actionsFor({ ...s, actionsTaken: 7 })!.elements.map((b) => ('value' in b ? b.value : null))).toEqual(expected.map(() => `${WORKFLOW_ID}#7`));
      // The root carries the same buttons, last.
      expect(threadRoot(s).blocks.at(-1)).toEqual(actions);
    });
  }

  it('has no buttons in a final stage', () => {
    for (const stage of FINAL_STAGES) {
      const s = status({ stage, waitingOn: 'nobody', deadline: null });
      expect(actionsFor(s)).toBeNull();
      expect(threadRoot(s).blocks.some((b) => b.type === 'actions')).toBe(false);
    }
  });

  it('asks before cancelling, and uses only the exported action IDs', () => {
    const cancel = actionsFor(status())!.elements.find((e) => (e as { action_id: string }).action_id === ACTIONS.cancel)!;
    expect(cancel).toMatchObject({ style: 'danger', confirm: { confirm: { text: 'Cancel it' } } });
    const used = new Set(
      STAGES.flatMap((stage) =>
        buttons(status({ stage })).concat(
          buttons(status({ stage, subState: 'MISMATCH' })),
          buttons(status({ stage, subState: 'INVITE_EXPIRED' })),
          buttons(status({ stage, subState: 'CONFIRM_SETTINGS' })),
          // An offboarding's (docs/design.md §15), approved by a manager.
          buttons(status({ stage, process: 'offboarding', waitingOn: 'manager' })),
        ),
      ),
    );
    // A completed onboarding's Remove access.
    const completed = threadRoot(status({ stage: 'COMPLETED', user: userFor(INVITEE) })).blocks;
    for (const b of completed) if (b.type === 'section' && b.accessory?.type === 'button') used.add(b.accessory.action_id!);
    expect([...used].sort()).toEqual([...ACTION_IDS].sort());
  });
});

describe('root message', () => {
  it('says in its context, on every stage, when IT Glue is simulated, and only then', () => {
    const simulated = 'IT Glue is simulated (ITGLUE_API_KEY is unset): the organization and people are placeholders, and nothing was read from or done in IT Glue';
    for (const stage of STAGES) {
      const context = (over: Partial<OnboardingStatus>) =>
        threadRoot(status({ stage, ...over }))
          .blocks.filter((b) => b.type === 'context')
          .flatMap((b) => (b as { elements: Array<{ text: string }> }).elements.map((e) => e.text));
      expect(context({ itglueSimulated: true })).toContain(`:warning: ${simulated}`);
      expect(context({}).join('\n')).not.toContain('simulated');
    }
  });

  it('says the stage plainly, who is waited on, the deadline in Slack date format, and the request', () => {
    const s = status();
    const root = threadRoot(s, { dashboardUrl: 'http://localhost:8233/namespaces/default/workflows/onboarding%3A100%3A201?a=1&b=2' });
    expect(root.text).toBe('Onboarding of Ines Invitee (Acme Dental): Waiting for approval by Paula Primary');
    const text = mrkdwn(root.blocks);
    const unix = Date.parse('2026-03-02T14:05:00.000Z') / 1000;
    expect(text).toContain('*Waiting for approval by Paula Primary*');
    expect(text).toContain('*Waiting on:* Paula Primary, the approver');
    expect(text).toContain(`*Approval request expires:* <!date^${unix}^{date_short_pretty} {time}|Monday 2 March 2026 at 14:05 UTC>`);
    expect(text).toContain('*Organization*\nAcme Dental');
    expect(text).toContain('*Invitee*\nInes Invitee\nInes@acme.test');
    expect(text).toContain('*Access*\nIT Glue Lite user (read-only)');
    expect(text).toContain('*Password access*\nNot included');
    expect(text).toContain('*Group*\nCustomer - No Password Access');
    expect(text).toContain('*Ticket*\nT-1001');
    expect(text).toContain('*Requested by*\n<@UTECH1>');
    expect(text).toContain('<http://localhost:8233/namespaces/default/workflows/onboarding%3A100%3A201?a=1&amp;b=2|Details>');
    expect(text).toContain(`ID \`${WORKFLOW_ID}\``);
  });

  it('shows who is waited on in each waiting stage', () => {
    const on = (over: Partial<OnboardingStatus>) => mrkdwn(threadRoot(status(over)).blocks);
    expect(on({ stage: 'AWAITING_INVITE', waitingOn: 'tech' })).toContain('*Waiting on:* <@UTECH1> or another tech');
    expect(on({ stage: 'AWAITING_INVITE', waitingOn: 'tech' })).toContain('*Next reminder to the tech:* <!date^');
    expect(on({ stage: 'AWAITING_ACCEPTANCE', waitingOn: 'invitee' })).toContain('*Waiting for Ines Invitee to accept the invitation*');
    expect(on({ stage: 'AWAITING_ACCEPTANCE', waitingOn: 'invitee' })).toContain('*Invitation link expires:* <!date^');
    expect(on({ stage: 'AWAITING_2FA', waitingOn: 'tech', deadline: null })).toContain('Waiting for a tech to confirm that Ines Invitee has set up 2FA');
    expect(on({ stage: 'STALLED', waitingOn: 'manager', stalledFrom: 'AWAITING_ACCEPTANCE', reason: 'AWAITING_ACCEPTANCE failed: boom' })).toMatch(
      /\*Waiting on:\* a manager[\s\S]*\*Needs a manager:\* AWAITING_ACCEPTANCE failed: boom\nA manager can resume it at “Waiting for the invitation to be accepted” or cancel it\./,
    );
    expect(on({ stage: 'VALIDATING', waitingOn: 'system', org: null, invitee: null, approver: null, deadline: null })).toContain(
      '*Onboarding: contact 201, organization 100*',
    );
  });

  it('says completed, with no deadline and no buttons, at the end', () => {
    const done = threadRoot(
      status({ stage: 'COMPLETED', waitingOn: 'nobody', deadline: null, evidence: { via: 'not-needed', at: '2026-02-25T09:00:01.000Z', reason: 'x' } }),
    );
    expect(done.text).toBe('Onboarding of Ines Invitee (Acme Dental): Completed: Ines Invitee is now an IT Glue Lite user (read-only)');
    const text = mrkdwn(done.blocks);
    expect(text).not.toContain('Waiting on');
    expect(text).not.toContain('expires');
    expect(text).toContain('Not needed: the invitee is the primary contact');
    const cancelled = threadRoot(
      status({
        stage: 'CANCELLED',
        waitingOn: 'nobody',
        reason: 'Customer changed their mind',
        events: [{ at: '2026-02-26T10:00:00.000Z', type: 'cancelled', text: 'x', by: 'UMANAGER' }],
      }),
    );
    expect(cancelled.text).toContain('Cancelled by <@UMANAGER>');
    expect(mrkdwn(cancelled.blocks)).toContain('*Reason:* Customer changed their mind');
  });

  it('gives the exact checklist while waiting for the invitation', () => {
    const text = mrkdwn(threadRoot(status({ stage: 'AWAITING_INVITE', waitingOn: 'tech' })).blocks);
    expect(text).toContain('1. IT Glue → *Account* > *Users* > *IT Glue* tab > *+ New*');
    expect(text).toContain('2. Email: `Ines@acme.test` (copy and paste it, then check it)');
    expect(text).toContain('3. Role: *Lite*');
    expect(text).toContain('4. Group: *Customer - No Password Access*, and no other group');
    expect(text).toContain('5. Organization access: *Acme Dental* and ONLY Acme Dental');
    expect(text).toContain('press *Invitation sent*');

    const myGlue = mrkdwn(
      threadRoot(
        status({
          stage: 'AWAITING_INVITE',
          waitingOn: 'tech',
          request: { ...status().request, kind: 'myglue', myGlueRole: 'Creator', myGlueGroupIds: ['1', '2'] },
          groupNames: ['MyGlue - Front desk', 'MyGlue - Managers'],
        }),
      ).blocks,
    );
    expect(myGlue).toContain('*MyGlue* tab > *+ New*');
    expect(myGlue).toContain('3. Role: *Creator*');
    expect(myGlue).toContain('4. Groups: *MyGlue - Front desk*, *MyGlue - Managers*');
    expect(myGlue).toContain('*Access*\nMyGlue Creator user (can view, create and edit, not delete)');
  });

  it('lists what to fix on a mismatch, and how to resend an expired invitation', () => {
    const mismatch = mrkdwn(
      threadRoot(status({ stage: 'VERIFYING', subState: 'MISMATCH', waitingOn: 'tech', mismatches: ['Role is Editor; set it to Lite.', 'Group <x> & y'] })).blocks,
    );
    expect(mismatch).toContain('*Fix in IT Glue, then press Fixed:*\n• Role is Editor; set it to Lite.\n• Group &lt;x&gt; &amp; y');
    const expired = mrkdwn(
      threadRoot(
        status({
          stage: 'AWAITING_ACCEPTANCE',
          subState: 'INVITE_EXPIRED',
          waitingOn: 'tech',
          resends: 1,
          user: { id: 'u1', email: 'ines@acme.test', roleName: 'Lite', myGlue: false, invitationSentAt: null, invitationAcceptedAt: null, currentSignInAt: null },
        }),
      ).blocks,
    );
    expect(expired).toContain('*The invitation link for `ines@acme.test` expired unused.*');
    expect(expired).toContain('the “Invited User” row > *Reset Invitation*, then press *Resent*');
    expect(expired).toContain('Resent 1 time so far.');
  });
});

describe('escaping', () => {
  it('escapes &, < and > and neutralises broadcasts, keeping accents', () => {
    expect(escapeMrkdwn('<script>alert("x")</script>')).toBe('&lt;script&gt;alert("x")&lt;/script&gt;');
    expect(escapeMrkdwn('Smith & Sons <!channel> <!here|here> <@U123> <#C123>')).toBe('Smith &amp; Sons &lt;!channel&gt; &lt;!here|here&gt; &lt;@U123&gt; &lt;#C123&gt;');
    expect(escapeMrkdwn('&amp;')).toBe('&amp;amp;');
    expect(escapeMrkdwn('Hélène Dubé @here @channel @everyone')).toBe('Hélène Dubé @\u200bhere @\u200bchannel @\u200beveryone');
    expect(code('a`b')).toBe('a`b');
    expect(code('x@y.test')).toBe('`x@y.test`');
  });

  it('escapes every value from IT Glue, the request and people in the root', () => {
    const s = status({
      org: { id: '100', name: 'Smith & Sons <!channel>' },
      invitee: { ...INVITEE, name: '<script>alert(1)</script> Hélène', email: 'helene@smith.test' },
      approver: { ...PRIMARY, name: 'Paula <@U999> Primary' },
      request: { ...status().request, ticket: '<!everyone>', note: 'please @here <https://evil.test|click>' },
      groupNames: ['Customer <b>'],
    });
    const root = threadRoot(s);
    const all = `${root.text}\n${mrkdwn(root.blocks)}`;
    for (const raw of ['<script>', '<!channel>', '<@U999>', '<!everyone>', '<https://evil.test', '@here', '<b>']) expect(all).not.toContain(raw);
    expect(all).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Hélène');
    expect(all).toContain('Smith &amp; Sons &lt;!channel&gt;');
    expect(all).toContain('Paula &lt;@U999&gt; Primary');
    expect(all).toContain('<@UTECH1>'); // the tech who asked: a real mention
    // The only "<" left open are the mention, dates and Slack's own syntax.
    const opens = all.match(/<[^&]/g)?.map((m) => m[1]) ?? [];
    expect(new Set(opens)).toEqual(new Set(['@', '!']));
  });

  it('formats deadlines with Slack date formatting and a readable fallback', () => {
    expect(slackDate('2026-03-02T14:05:00.000Z', 'Monday 2 March 2026 at 14:05 UTC')).toBe(
      '<!date^1772460300^{date_short_pretty} {time}|Monday 2 March 2026 at 14:05 UTC>',
    );
    expect(slackDate('not a date', 'a|b>c')).toBe('a/b&gt;c');
  });
});

describe('replies', () => {
  it('escapes the event text but keeps the mention of the person who acted', () => {
    const reply = threadReply({
      at: '2026-02-26T10:00:00.000Z',
      type: 'approved-offline',
      text: 'Approval received by fax recorded by <@UTECH2>: note <@UBOSS> <!channel> & co é',
      by: 'UTECH2',
    });
    expect(reply.text).toBe(':memo: Approval received by fax recorded by <@UTECH2>: note &lt;@UBOSS&gt; &lt;!channel&gt; &amp; co é');
    expect(reply.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: reply.text } }]);
  });

  it('shows times in the reader’s time zone and a comment as typed, escaped', () => {
    const reply = threadReply({
      at: '2026-02-26T10:00:00.000Z',
      type: 'approved',
      text: 'Approved by Paula Primary at 2026-02-26T09:59:58.123Z from 198.51.100.7: “<script>ok</script>”',
    });
    expect(reply.text).toBe(
      ':white_check_mark: Approved by Paula Primary at <!date^1772099998^{date_short_pretty} {time}|Thursday 26 February 2026 at 09:59 UTC> from 198.51.100.7: “&lt;script&gt;ok&lt;/script&gt;”',
    );
  });

  it('keeps no mention that is not the actor’s, and bullets as they are', () => {
    expect(threadReply({ at: '2026-02-26T10:00:00.000Z', type: 'cancelled', text: 'Cancelled by <@UMANAGER>', by: 'not-a-user' }).text).toBe(
      ':x: Cancelled by &lt;@UMANAGER&gt;',
    );
    expect(threadReply({ at: '2026-02-26T10:00:00.000Z', type: 'mismatch', text: 'Please fix:\n• a\n• b' }).text).toBe(':warning: Please fix:\n• a\n• b');
    expect(threadReply({ at: '2026-02-26T10:00:00.000Z', type: 'stage', text: 'COMPLETED' as Stage }).text).toContain('Completed');
  });
});

describe('mentions in replies', () => {
  const at = '2026-02-26T10:00:00.000Z';
  const group = { usergroupId: 'S0MANAGERS', userIds: ['U0MGR0001'] };
  const listed = { usergroupId: null, userIds: ['U0MGR0001', 'W0MGR0002'] };

  it('start the reply with the tech to act', () => {
    const reply = threadReply({ at, type: 'tech-reminder', text: 'Please send it.', mention: { users: ['UTECH1'] } }, { managers: group });
    expect(reply.text).toBe('<@UTECH1> :bell: Please send it.');
    expect(reply.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: reply.text } }]);
  });

  it('name the managers by their user group, else each listed manager, else nobody', () => {
    const stalled: OnboardingEvent = { at, type: 'stalled', text: 'Needs a manager: it stopped.', mention: { managers: true } };
    expect(threadReply(stalled, { managers: group }).text).toBe('<!subteam^S0MANAGERS> :rotating_light: Needs a manager: it stopped.');
    expect(threadReply(stalled, { managers: listed }).text).toBe('<@U0MGR0001> <@W0MGR0002> :rotating_light: Needs a manager: it stopped.');
    expect(threadReply(stalled, { managers: { usergroupId: null, userIds: [] } }).text).toBe(':rotating_light: Needs a manager: it stopped.');
    expect(threadReply(stalled).text).toBe(':rotating_light: Needs a manager: it stopped.');
  });

  it('are made of valid IDs only, each user once, never of the text', () => {
    const event: OnboardingEvent = {
      at,
      type: 'escalated',
      text: 'Ask <@UBOSS> or <!subteam^SEVIL>.',
      mention: { users: ['UTECH1', 'not-a-user', '<!channel>', 'UTECH1', 'U0MGR0001'], managers: true },
    };
    expect(threadReply(event, { managers: listed }).text).toBe('<@UTECH1> <@U0MGR0001> <@W0MGR0002> :warning: Ask &lt;@UBOSS&gt; or &lt;!subteam^SEVIL&gt;.');
    expect(threadReply(event, { managers: { usergroupId: 'S0MANAGERS|<!here>', userIds: ['<!everyone>'] } }).text).toBe(
      '<@UTECH1> <@U0MGR0001> :warning: Ask &lt;@UBOSS&gt; or &lt;!subteam^SEVIL&gt;.',
    );
    expect(mentionsText(undefined, group)).toBe('');
    expect(mentionsText({ users: ['UTECH1'], managers: true }, group)).toBe('<@UTECH1> <!subteam^S0MANAGERS>');
  });
});

describe('web addresses and line breaks from outside', () => {
  it('writes bare web addresses in values unclickable, and leaves email addresses, names and numbers as they are', () => {
    expect(escapeMrkdwn('evil.com/login')).toBe('evil[.]com/login');
    expect(escapeMrkdwn('Pay at https://evil.example/pay?x=1 now')).toBe('Pay at hxxps://evil[.]example/pay?x=1 now');
    expect(escapeMrkdwn('www.evil.example')).toBe('www[.]evil[.]example');
    expect(escapeMrkdwn('<http://evil.example|Acme>')).toBe('&lt;hxxp://evil[.]example|Acme&gt;');
    expect(escapeMrkdwn('HTTPS://EVIL.EXAMPLE')).toBe('HxxPS://EVIL[.]EXAMPLE');
    for (const plain of ['ines@acme.test', '(ines@acme.test)', 'J.R. Smith', 'e.g. this', 'v2.0 and 1.5', '2026-02-26T09:59:58.123Z', 'Acme Dental', '198.51.100.7']) {
      expect(escapeMrkdwn(plain)).toBe(plain);
    }
    // In a code span nothing is linked: the value stays as typed, to be copied.
    expect(code('ines@evil.example')).toBe('`ines@evil.example`');
  });

  it('takes time in proportion to a value’s length, however it is made (a long name cannot stall the service)', () => {
    const mb = 1024 * 1024;
    const values = [
      '漢'.repeat(mb / 3),
      `${'a'.repeat(mb)}.com`,
      `${'.'.repeat(mb)}x`,
      'a.'.repeat(mb / 2),
      `a${'.,'.repeat(mb / 2)}x`,
      `${'('.repeat(mb)}a@b.com`,
      `x@${'a-'.repeat(mb / 2)}.com`,
      'http://'.repeat(mb / 7),
    ];
    for (const value of values) {
      const started = performance.now();
      const escaped = escapeMrkdwn(value);
      expect(performance.now() - started, value.slice(0, 12)).toBeLessThan(1_500);
      expect(escaped.length).toBeGreaterThanOrEqual(value.length);
    }
  });

  it('shows names with web addresses and line breaks unclickable and on one line, in the root and its fields', () => {
    const s = status({
      org: { id: '100', name: 'acme-dental.example/login' },
      invitee: { ...INVITEE, name: 'Ines\nBcc: www.evil.example' },
      approver: { ...PRIMARY, name: 'Paula\r\nhttps://evil.example' },
      stage: 'AWAITING_INVITE',
      waitingOn: 'tech',
      evidence: {
        via: 'link',
        decision: 'approve',
        at: '2026-02-26T09:59:58.123Z',
        round: 1,
        approver: { ...PRIMARY, name: 'Paula\r\nhttps://evil.example' },
        ip: null,
        userAgent: null,
        comment: null,
      },
    });
    const root = threadRoot(s);
    const all = `${root.text}\n${mrkdwn(root.blocks)}`;
    for (const raw of ['evil.example', 'acme-dental.example', 'https://', '\nBcc:', 'Paula\r', 'Paula\n']) expect(all).not.toContain(raw);
    expect(root.text).toBe('Onboarding of Ines Bcc: www[.]evil[.]example (acme-dental[.]example/login): Waiting for a tech to create the IT Glue user in IT Glue');
    expect(all).toContain('Approved by Paula hxxps://evil[.]example, <!date^');
    // The invitee's email stays readable and copyable.
    expect(all).toContain('`Ines@acme.test`');
  });

  it('says a decision recorded with the CLI was recorded by the operator, not given through the link', () => {
    const s = status({
      stage: 'AWAITING_INVITE',
      waitingOn: 'tech',
      evidence: { via: 'cli', decision: 'approve', at: '2026-02-26T09:59:58.123Z', round: 1, approver: PRIMARY, comment: 'by phone', recordedBy: 'U0OPER0001' },
    });
    const unix = Date.parse('2026-02-26T09:59:58.123Z') / 1000;
    expect(mrkdwn(threadRoot(s).blocks)).toContain(
      `Approved by Paula Primary (recorded by <@U0OPER0001> with the command line), <!date^${Math.floor(unix)}^{date_short_pretty} {time}|`,
    );
    const reply = threadReply({
      at: '2026-02-26T10:00:00.000Z',
      type: 'approved',
      by: 'U0OPER0001',
      text: 'Approved by Paula Primary, as told to the MSP: recorded by <@U0OPER0001> with the command line at 2026-02-26T09:59:58.123Z, not through the approval link: “see evil.example”',
    });
    expect(reply.text).toBe(
      `:white_check_mark: Approved by Paula Primary, as told to the MSP: recorded by <@U0OPER0001> with the command line at <!date^${Math.floor(unix)}^{date_short_pretty} {time}|Thursday 26 February 2026 at 09:59 UTC>, not through the approval link: “see evil[.]example”`,
    );
  });
});
